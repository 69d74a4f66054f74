//! The other direction's customer terms: what AFAS gives one debtor beyond its price list — its own article
//! prices (`Profit_SalesPrice` rows with a `Debtor`, volume prices included) and its line discount % (`PrLi`)
//! — and what the till keeps of them on the debtor's relation: `Relation.discountPercentage` and the
//! relation's article discounts (`relationArticleDiscountList`, each a `RelationArticleDiscount` with an
//! article, a minimum amount and a price).
//!
//! A debtor's AFAS discount group (`DsGr`: a percentage per article group, read from the `Koppel_DiscountGroups`
//! GetConnector the company imports) becomes the relation's discounts per MplusKASSA article discount group
//! (`RelationArticleDiscount` with `articleDiscountGroupNumber` and `discountPercentage`), through the company's
//! `discount_group_map` (AFAS article group → MplusKASSA discount group, the one the articles flow puts the
//! group's articles in).
//!
//! The discounts flow owns the relation's article discounts that name an article and a price, and those of the
//! discount groups `discount_group_map` names; the till's other entries (other discount groups, percentages per
//! article: AFAS has no counterpart Koppel reads) go along unchanged in every write, because MplusKASSA
//! replaces the list it is sent.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::catalogue::article_number;
use crate::settings::ValueMap;

/// What AFAS gives one debtor of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpDebtorTerms {
    /// `DebtorId`.
    pub debtor_id: String,
    /// The line discount % (`PrLi`); `None` when AFAS gives none (the till's stays).
    pub line_discount: Option<Decimal>,
    /// The debtor's own prices valid today.
    pub prices: Vec<ErpDebtorPrice>,
    /// The lines of the debtor's discount group (`DsGr`) valid today.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_discounts: Vec<ErpGroupDiscount>,
}

/// One line of an AFAS sales discount group: a percentage on the articles of an article group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpGroupDiscount {
    /// The discount group's code (`DsGr`).
    pub discount_group: String,
    /// `ArtGroup`.
    pub article_group: String,
    /// `DiscountPercentage`.
    pub percentage: Decimal,
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

    /// Whether it is the discount of one of the discount groups the flow owns (`discount_group_map`'s).
    pub fn is_owned_group_discount(&self, owned: &[i32]) -> bool {
        self.article_number.is_none() && self.discount_group.is_some_and(|group| owned.contains(&group))
    }

    fn is_owned(&self, owned: &[i32]) -> bool {
        self.is_article_price() || self.is_owned_group_discount(owned)
    }
}

/// The MplusKASSA discount groups `discount_group_map` names: their entries on a relation are the discounts
/// flow's.
pub fn owned_groups(map: &ValueMap) -> Vec<i32> {
    let mut groups: Vec<i32> = map.targets().filter_map(|group| group.trim().parse().ok()).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// A discount for a MplusKASSA article discount group, as sent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupDiscountDraft {
    /// `articleDiscountGroupNumber`.
    pub discount_group: i32,
    /// `discountPercentage`.
    pub percentage: i32,
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
    /// The discounts of the debtor's discount group, sorted by MplusKASSA discount group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_discounts: Vec<GroupDiscountDraft>,
    /// The discount groups the flow owns on every relation ([`owned_groups`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owned_groups: Vec<i32>,
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
        let mut groups: Vec<GroupDiscountDraft> = till
            .entries
            .iter()
            .filter(|entry| entry.is_owned_group_discount(&self.owned_groups))
            .map(|entry| GroupDiscountDraft {
                discount_group: entry.discount_group.unwrap_or_default(),
                percentage: entry.discount_percentage.unwrap_or_default(),
            })
            .collect();
        groups.sort();
        discount || current != self.prices || groups != self.group_discounts
    }

    /// The till's entries the write sends along as they are (the ones the flow does not own).
    pub fn kept_entries<'t>(&self, till: &'t TillRelationTerms) -> impl Iterator<Item = &'t TillDiscountEntry> {
        till.entries.iter().filter(|entry| !entry.is_owned(&self.owned_groups))
    }
}

/// The draft for one debtor's terms; prices rounded to cents, half away from zero, an AFAS dimension item's
/// price also for each of its combinations (`combinations`: the item's article number → theirs); its discount
/// group's lines through `discount_groups` (the company's `discount_group_map`).
pub fn draft(
    terms: &ErpDebtorTerms,
    price_includes_vat: bool,
    discount_groups: &ValueMap,
    combinations: &HashMap<i64, Vec<i64>>,
) -> Result<TermsDraft, String> {
    let discount_percentage = terms
        .line_discount
        .map(|d| whole_percentage(d, || format!("debtor {} a line discount", terms.debtor_id)))
        .transpose()?;
    let mut group_discounts: BTreeMap<i32, i32> = BTreeMap::new();
    // Without a `discount_group_map` discount groups are left alone (and not owned).
    for line in terms.group_discounts.iter().filter(|_| !discount_groups.is_empty()) {
        let what = || {
            format!(
                "discount group {} (of debtor {}) a discount on article group {}",
                line.discount_group, terms.debtor_id, line.article_group
            )
        };
        let group = Some(line.article_group.trim());
        let Some(group) = discount_groups.article_group_number("discount_group_map", "discount group", group)? else {
            return Err(format!(
                "AFAS gives {}, which `discount_group_map` does not map to a MplusKASSA article discount group",
                what()
            ));
        };
        let percentage = whole_percentage(line.percentage, what)?;
        if let Some(other) = group_discounts.insert(group, percentage)
            && other != percentage
        {
            return Err(format!(
                "AFAS gives debtor {} two discounts for MplusKASSA discount group {group} ({other}% and {percentage}%): \
                 its article groups share it in `discount_group_map`",
                terms.debtor_id
            ));
        }
    }
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
        let articles = std::iter::once(&article_number).chain(combinations.get(&article_number).into_iter().flatten());
        for &article in articles {
            if let Some(other) = prices.insert((article, minimum_amount), cents)
                && other != cents
            {
                return Err(format!(
                    "AFAS gives debtor {} two prices for article {} from quantity {} ({other} and {cents})",
                    terms.debtor_id, price.item_code, quantity
                ));
            }
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
        group_discounts: group_discounts
            .into_iter()
            .map(|(discount_group, percentage)| GroupDiscountDraft {
                discount_group,
                percentage,
            })
            .collect(),
        owned_groups: owned_groups(discount_groups),
    })
}

/// MplusKASSA's `discountPercentage` is a whole percentage (`xsd:int`, 0 to 100); `what` names the discount
/// ("debtor 10001 a line discount").
fn whole_percentage(discount: Decimal, what: impl Fn() -> String) -> Result<i32, String> {
    let discount = discount.normalize();
    match discount.fract().is_zero().then(|| discount.to_i32()).flatten() {
        Some(whole) if (0..=100).contains(&whole) => Ok(whole),
        _ => Err(format!(
            "AFAS gives {} of {discount}%: MplusKASSA's discount percentage is a whole number from 0 to 100",
            what()
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
            group_discounts: Vec::new(),
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
        // Article 1000 is an AFAS dimension item with two combinations at the till: they get its prices.
        let combinations = HashMap::from([(1000, vec![200_001, 200_002])]);
        let with_combinations = draft(
            &terms(Some(5), &[("1000", 1, 1500)]),
            true,
            &ValueMap::default(),
            &combinations,
        )
        .unwrap();
        let numbers: Vec<i64> = with_combinations.prices.iter().map(|p| p.article_number).collect();
        assert_eq!(numbers, [1000, 200_001, 200_002]);
        let draft = draft(
            &terms(Some(5), &[("1000", 1, 1500), ("1000", 10, 1400)]),
            true,
            &ValueMap::default(),
            &HashMap::new(),
        )
        .unwrap();
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
        assert!(
            draft(&half, true, &ValueMap::default(), &HashMap::new())
                .unwrap_err()
                .contains("whole number")
        );
        let mut odd = terms(None, &[("1000", 1, 100)]);
        odd.prices[0].quantity = Decimal::new(15, 1);
        assert!(
            draft(&odd, true, &ValueMap::default(), &HashMap::new())
                .unwrap_err()
                .contains("whole quantities")
        );
        assert!(
            draft(
                &terms(None, &[("TAS-1", 1, 100)]),
                true,
                &ValueMap::default(),
                &HashMap::new()
            )
            .is_err()
        );
    }

    #[test]
    fn a_discount_group_becomes_the_relations_discounts_per_till_discount_group_and_only_mapped_ones_are_owned() {
        let map = ValueMap {
            table: [("100", "1"), ("200", "2")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ..ValueMap::default()
        };
        let mut horeca = terms(None, &[]);
        horeca.group_discounts = [("100", 10), ("200", 5)]
            .into_iter()
            .map(|(group, percentage)| ErpGroupDiscount {
                discount_group: "HORECA".into(),
                article_group: group.into(),
                percentage: Decimal::from(percentage),
            })
            .collect();
        let draft = draft(&horeca, true, &map, &HashMap::new()).unwrap();
        let expected = [(1, 10), (2, 5)].map(|(discount_group, percentage)| GroupDiscountDraft {
            discount_group,
            percentage,
        });
        assert_eq!(draft.group_discounts, expected);
        assert_eq!(draft.owned_groups, [1, 2]);
        let mut till = TillRelationTerms {
            relation_number: 7,
            debtor_id: "10001".into(),
            discount_percentage: None,
            entries: vec![
                entry(None, Some(1), None, Some(10)),
                entry(None, Some(9), None, Some(50)),
            ],
        };
        assert!(draft.differs_from(&till), "group 2's discount is missing");
        till.entries.push(entry(None, Some(2), None, Some(5)));
        assert!(!draft.differs_from(&till));
        let kept: Vec<_> = draft.kept_entries(&till).map(|e| e.discount_group).collect();
        assert_eq!(
            kept,
            [Some(9)],
            "the till's own discount group stays, the mapped ones are the flow's"
        );
        till.entries[0].discount_percentage = Some(12);
        assert!(
            draft.differs_from(&till),
            "a group discount changed at the till is put back"
        );

        let mut unmapped = horeca.clone();
        unmapped.group_discounts[0].article_group = "900".into();
        assert!(
            super::draft(&unmapped, true, &map, &HashMap::new())
                .unwrap_err()
                .contains("does not map")
        );
        let mut fraction = horeca;
        fraction.group_discounts[0].percentage = Decimal::new(75, 1);
        assert!(
            super::draft(&fraction, true, &map, &HashMap::new())
                .unwrap_err()
                .contains("whole number")
        );
    }
}
