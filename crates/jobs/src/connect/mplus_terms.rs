//! The till's relation terms as the discounts flow reads and writes them: a linked `Relation`'s
//! `discountPercentage` and `relationArticleDiscountList` to the engine's [`TillRelationTerms`], and a
//! [`TermsDraft`] to an `updateRelation` that carries the relation's whole article discount list (MplusKASSA
//! replaces the list it is sent: the entries Koppel does not own go along as the till has them).

use koppel_mplus::model::{Relation, RelationArticleDiscount, RelationArticleDiscountList};
use koppel_sync::terms::{TermsDraft, TillDiscountEntry, TillRelationTerms};
use rust_decimal::Decimal;

/// The relation's terms, if it is linked to an AFAS debtor (its `extRelationId`).
pub fn till_terms(relation: &Relation) -> Option<TillRelationTerms> {
    let debtor_id = relation.ext_relation_id.clone().filter(|id| !id.trim().is_empty())?;
    let entries = relation.relation_article_discount_list.as_ref();
    Some(TillRelationTerms {
        relation_number: relation.relation_number?,
        debtor_id,
        discount_percentage: relation.discount_percentage,
        entries: entries
            .map(|list| list.relation_article_discount.iter().map(entry).collect())
            .unwrap_or_default(),
    })
}

fn entry(discount: &RelationArticleDiscount) -> TillDiscountEntry {
    let places = discount.minimum_amount_decimal_places.unwrap_or(0).clamp(0, 28) as u32;
    TillDiscountEntry {
        article_number: discount.article_number,
        discount_group: discount.article_discount_group_number,
        minimum_amount: Decimal::new(discount.minimum_amount.unwrap_or(0), places),
        discount_percentage: discount.discount_percentage,
        price_incl_vat: discount.price_incl,
        price_excl_vat: discount.price_excl,
    }
}

/// The `updateRelation` request for the draft: the relation's other entries as the till has them, then the
/// draft's article prices in its VAT basis and its discounts per discount group.
pub fn terms_write(current: &TillRelationTerms, draft: &TermsDraft) -> Relation {
    let kept = draft.kept_entries(current).map(|e| {
        let minimum = e.minimum_amount.normalize();
        RelationArticleDiscount {
            article_number: e.article_number,
            article_discount_group_number: e.discount_group,
            minimum_amount: Some(minimum.mantissa() as i64).filter(|m| *m != 0),
            minimum_amount_decimal_places: Some(minimum.scale() as i32).filter(|p| *p != 0),
            discount_percentage: e.discount_percentage,
            price_incl: e.price_incl_vat,
            price_excl: e.price_excl_vat,
            ..RelationArticleDiscount::default()
        }
    });
    let sent = draft.prices.iter().map(|p| RelationArticleDiscount {
        article_number: Some(p.article_number),
        minimum_amount: Some(p.minimum_amount).filter(|m| *m > 0),
        price_incl: draft.price_includes_vat.then_some(p.price),
        price_excl: (!draft.price_includes_vat).then_some(p.price),
        ..RelationArticleDiscount::default()
    });
    let groups = draft.group_discounts.iter().map(|g| RelationArticleDiscount {
        article_discount_group_number: Some(g.discount_group),
        discount_percentage: Some(g.percentage),
        ..RelationArticleDiscount::default()
    });
    Relation {
        relation_number: Some(current.relation_number),
        discount_percentage: draft.discount_percentage,
        relation_article_discount_list: Some(RelationArticleDiscountList {
            relation_article_discount: kept.chain(sent).chain(groups).collect(),
        }),
        ..Relation::default()
    }
}
