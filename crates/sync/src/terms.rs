//! The other direction's customer terms: what AFAS gives one debtor beyond its price list — its own article
//! prices (`Profit_SalesPrice` rows with a `Debtor`, volume prices included) and its line discount % (`PrLi`)
//! — and what the till keeps of them on the debtor's relation: `Relation.discountPercentage` and the
//! relation's article discounts (`relationArticleDiscountList`, each a `RelationArticleDiscount` with an
//! article, a minimum amount and a price).
//!
//! The discounts flow owns the relation's article discounts that name an article and a price; the till's other
//! entries (discount groups, percentages per article: AFAS has no counterpart Koppel reads) go along unchanged
//! in every write, because MplusKASSA replaces the list it is sent.

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::catalogue::article_number;

/// What AFAS gives one debtor of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpDebtorTerms {
    /// `DebtorId`.
    pub debtor_id: String,
    /// The line discount % (`PrLi`); `None` when AFAS gives none (the till's stays).
    pub line_discount: Option<Decimal>,
    /// The debtor's own prices valid today.
    pub prices: Vec<ErpDebtorPrice>,
}

/// One of a debtor's own prices (`Profit_SalesPrice` with `Debtor`, `Volume` on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpDebtorPrice {
    /// `Item`.
    pub item_code: String,
    /// `Quantity`: the break it holds from (1: always).
    pub quantity: Decimal,
    /// `Nettoprijs`, with or without VAT as the company's `article_prices_include_vat` says.
    pub price: Decimal,
}

/// One entry of a relation's article discounts as the till has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillDiscountEntry {
    pub article_number: Option<i64>,
    pub discount_group: Option<i32>,
    /// `minimumAmount` with its `minimumAmountDecimalPlaces`.
    pub minimum_amount: Decimal,
    pub discount_percentage: Option<i32>,
    pub price_incl_vat: Option<Decimal>,
    pub price_excl_vat: Option<Decimal>,
}

impl TillDiscountEntry {
    /// Whether the discounts flow owns it: an article's own price.
    pub fn is_article_price(&self) -> bool {
        self.article_number.is_some() && (self.price_incl_vat.is_some() || self.price_excl_vat.is_some())
    }
}

/// A relation linked to an AFAS debtor, with its terms as the till has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillRelationTerms {
    pub relation_number: i64,
    /// `extRelationId`: the AFAS debtor id.
    pub debtor_id: String,
    pub discount_percentage: Option<i32>,
    pub entries: Vec<TillDiscountEntry>,
}

/// One article price to send: the price in the draft's VAT basis.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ArticlePriceDraft {
    pub article_number: i64,
    /// 0: from the first piece.
    pub minimum_amount: i64,
    pub price: Decimal,
}

/// The terms the relation must hold: AFAS's, in MplusKASSA's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermsDraft {
    /// `discountPercentage`; `None` leaves the till's.
    pub discount_percentage: Option<i32>,
    /// Sorted by article and minimum amount.
    pub prices: Vec<ArticlePriceDraft>,
    /// `priceIncl` when true, else `priceExcl`.
    pub price_includes_vat: bool,
}

impl TermsDraft {
    /// Whether the till's relation differs from the draft (compared with what it holds now, so a discount
    /// changed by hand at the till is put back and one already right is never written again).
    pub fn differs_from(&self, till: &TillRelationTerms) -> bool {
        let discount = self
            .discount_percentage
            .is_some_and(|d| Some(d) != till.discount_percentage);
        let mut current: Vec<ArticlePriceDraft> = till
            .entries
            .iter()
            .filter(|entry| entry.is_article_price())
            .filter_map(|entry| {
                let price = match self.price_includes_vat {
                    true => entry.price_incl_vat,
                    false => entry.price_excl_vat,
                };
                Some(ArticlePriceDraft {
                    article_number: entry.article_number?,
                    minimum_amount: entry.minimum_amount.to_i64()?,
                    price: price?,
                })
            })
            .collect();
        current.sort();
        discount || current != self.prices
    }

    /// The till's entries the write sends along as they are (the ones the flow does not own).
    pub fn kept_entries<'t>(&self, till: &'t TillRelationTerms) -> impl Iterator<Item = &'t TillDiscountEntry> {
        till.entries.iter().filter(|entry| !entry.is_article_price())
    }
}

/// The draft for one debtor's terms; prices rounded to cents, half away from zero.
pub fn draft(terms: &ErpDebtorTerms, price_includes_vat: bool) -> Result<TermsDraft, String> {
    let discount_percentage = terms
        .line_discount
        .map(|d| whole_percentage(d, &terms.debtor_id))
        .transpose()?;
    let mut prices: BTreeMap<(i64, i64), Decimal> = BTreeMap::new();
    for price in &terms.prices {
        let article_number = article_number(&price.item_code)?;
        let quantity = price.quantity.normalize();
        let minimum_amount = match quantity <= Decimal::ONE {
            true => 0,
            false => quantity
                .fract()
                .is_zero()
                .then(|| quantity.to_i64())
                .flatten()
                .ok_or_else(|| {
                    format!(
                        "AFAS gives debtor {} a price for article {} from quantity {quantity}: Koppel sends whole \
                     quantities only",
                        terms.debtor_id, price.item_code
                    )
                })?,
        };
        let cents = price
            .price
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        if let Some(other) = prices.insert((article_number, minimum_amount), cents)
            && other != cents
        {
            return Err(format!(
                "AFAS gives debtor {} two prices for article {} from quantity {} ({other} and {cents})",
                terms.debtor_id, price.item_code, quantity
            ));
        }
    }
    Ok(TermsDraft {
        discount_percentage,
        prices: prices
            .into_iter()
            .map(|((article_number, minimum_amount), price)| ArticlePriceDraft {
                article_number,
                minimum_amount,
                price,
            })
            .collect(),
        price_includes_vat,
    })
}

/// MplusKASSA's `discountPercentage` is a whole percentage (`xsd:int`, 0 to 100).
fn whole_percentage(discount: Decimal, debtor_id: &str) -> Result<i32, String> {
    let discount = discount.normalize();
    match discount.fract().is_zero().then(|| discount.to_i32()).flatten() {
        Some(whole) if (0..=100).contains(&whole) => Ok(whole),
        _ => Err(format!(
            "AFAS gives debtor {debtor_id} a line discount of {discount}%: MplusKASSA's discount percentage is a \
             whole number from 0 to 100"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(discount: Option<i64>, prices: &[(&str, i64, i64)]) -> ErpDebtorTerms {
        ErpDebtorTerms {
            debtor_id: "10001".into(),
            line_discount: discount.map(Decimal::from),
            prices: prices
                .iter()
                .map(|(item, quantity, cents)| ErpDebtorPrice {
                    item_code: (*item).into(),
                    quantity: Decimal::from(*quantity),
                    price: Decimal::new(*cents, 2),
                })
                .collect(),
        }
    }

    fn entry(
        article: Option<i64>,
        group: Option<i32>,
        price: Option<i64>,
        percentage: Option<i32>,
    ) -> TillDiscountEntry {
        TillDiscountEntry {
            article_number: article,
            discount_group: group,
            minimum_amount: Decimal::ZERO,
            discount_percentage: percentage,
            price_incl_vat: price.map(|p| Decimal::new(p, 2)),
            price_excl_vat: price.map(|p| Decimal::new(p * 100 / 121, 2)),
        }
    }

    #[test]
    fn a_debtors_prices_become_article_entries_and_the_other_entries_are_kept() {
        let draft = draft(&terms(Some(5), &[("1000", 1, 1500), ("1000", 10, 1400)]), true).unwrap();
        assert_eq!(draft.discount_percentage, Some(5));
        assert_eq!(
            draft
                .prices
                .iter()
                .map(|p| (p.article_number, p.minimum_amount))
                .collect::<Vec<_>>(),
            [(1000, 0), (1000, 10)]
        );
        let mut till = TillRelationTerms {
            relation_number: 7,
            debtor_id: "10001".into(),
            discount_percentage: Some(5),
            entries: vec![
                entry(Some(1000), None, Some(1500), None),
                entry(None, Some(3), None, Some(10)),
            ],
        };
        assert!(draft.differs_from(&till), "the break from 10 is missing");
        till.entries.push(TillDiscountEntry {
            minimum_amount: Decimal::from(10),
            ..entry(Some(1000), None, Some(1400), None)
        });
        assert!(!draft.differs_from(&till));
        assert_eq!(draft.kept_entries(&till).count(), 1, "the discount group's entry stays");
        till.discount_percentage = Some(2);
        assert!(draft.differs_from(&till), "a discount changed at the till is put back");
    }

    #[test]
    fn fractions_the_till_cannot_hold_fail_with_the_reason() {
        let mut half = terms(None, &[]);
        half.line_discount = Some(Decimal::new(25, 1));
        assert!(draft(&half, true).unwrap_err().contains("whole number"));
        let mut odd = terms(None, &[("1000", 1, 100)]);
        odd.prices[0].quantity = Decimal::new(15, 1);
        assert!(draft(&odd, true).unwrap_err().contains("whole quantities"));
        assert!(draft(&terms(None, &[("TAS-1", 1, 100)]), true).is_err());
    }
}
