//! The till's relations as the debtors flow reads and writes them: MplusKASSA's `Relation` to the engine's
//! [`TillRelation`], and a [`TillRelationDraft`] to the `Relation` of a `createRelation` / `updateRelation`.
//!
//! A debtor with a VAT or chamber of commerce number is a business: its relation gets the name as
//! `companyName` too, so the customers flow (the other direction) reads it back as an organisation.

use koppel_mplus::model::Relation;
use koppel_sync::clientele::{TillDeliveryAddress, TillRelation, TillRelationDraft};

pub fn till_relation(relation: &Relation) -> Option<TillRelation> {
    let name = relation
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| relation.company_name.clone())
        .unwrap_or_default();
    Some(TillRelation {
        relation_number: relation.relation_number?,
        ext_relation_id: relation.ext_relation_id.clone(),
        name,
        address: relation.address.clone(),
        zipcode: relation.zipcode.clone(),
        city: relation.city.clone(),
        country: relation.country.clone(),
        delivery: TillDeliveryAddress {
            address: relation.delivery_address.clone(),
            zipcode: relation.delivery_zipcode.clone(),
            city: relation.delivery_city.clone(),
            country: relation.delivery_country.clone(),
        },
        contact: relation.contact.clone(),
        telephone: relation.telephone.clone(),
        email: relation.email.clone(),
        vat_number: relation.vat_number.clone(),
        commerce_number: relation.commerce_number.clone(),
        bank_account_number: relation.bank_account_number.clone(),
        payment_within_days: relation.payment_within_days,
        price_group: relation.price_group_number,
        active: relation.active.unwrap_or(true),
    })
}

/// The relation to send: `number` for an update, `None` for a create (MplusKASSA numbers it).
pub fn relation(draft: &TillRelationDraft, number: Option<i64>) -> Relation {
    let business = draft.vat_number.is_some() || draft.commerce_number.is_some();
    Relation {
        relation_number: number,
        ext_relation_id: Some(draft.ext_relation_id.clone()),
        active: Some(draft.active),
        name: Some(draft.name.clone()),
        company_name: business.then(|| draft.name.clone()),
        address: draft.address.clone(),
        zipcode: draft.zipcode.clone(),
        city: draft.city.clone(),
        country: draft.country.clone(),
        delivery_address: draft.delivery.address.clone(),
        delivery_zipcode: draft.delivery.zipcode.clone(),
        delivery_city: draft.delivery.city.clone(),
        delivery_country: draft.delivery.country.clone(),
        contact: draft.contact.clone(),
        telephone: draft.telephone.clone(),
        email: draft.email.clone(),
        vat_number: draft.vat_number.clone(),
        commerce_number: draft.commerce_number.clone(),
        bank_account_number: draft.bank_account_number.clone(),
        payment_within_days: draft.payment_within_days,
        price_group_number: draft.price_group,
        ..Relation::default()
    }
}

/// Whether a relation `findRelation` returned is the one asked for: it matches partially, so a search for
/// debtor `1000` may return the relation of debtor `10001`, and one for `an@shop.nl` that of `jan@shop.nl`.
pub fn is_exactly(found: &Relation, ext_relation_id: Option<&str>, email: Option<&str>) -> bool {
    let same = |theirs: Option<&str>, ours: Option<&str>| {
        ours.is_some_and(|ours| theirs.is_some_and(|theirs| theirs.trim().eq_ignore_ascii_case(ours.trim())))
    };
    same(found.ext_relation_id.as_deref(), ext_relation_id) || same(found.email.as_deref(), email)
}
