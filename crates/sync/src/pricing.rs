//! The other direction's prices: AFAS price lists, with their volume prices, as the till's price groups.
//!
//! AFAS keeps sales prices per price list (`Profit_SalesPrice`: one row per article, price list and quantity
//! break, valid on a reference date). MplusKASSA keeps, on each article, a price per price group
//! (`Article.priceGroupList`, entries `PriceGroup` whose `minimumAmount` makes a quantity break). The company
//! maps each AFAS price list to one MplusKASSA price group (`price_list_map`); the prices flow makes an
//! article's prices in the mapped groups equal to AFAS's prices valid today, and leaves the till's other price
//! groups alone. MplusKASSA's API has no operation to create a price group: they are made in its back office,
//! and the mapping chooses among them (`getPriceGroupList`).

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::settings::ValueMap;

/// One price of an AFAS price list, valid today (`Profit_SalesPrice` with `Level` = the list, `Volume` on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErpListPrice {
    /// `Item`.
    pub item_code: String,
    /// `Level`: the AFAS price list.
    pub price_list: String,
    /// `Quantity`: the break this price holds from (1 for the list's base price).
    pub quantity: Decimal,
    /// `Nettoprijs`: the price after a promotion's discount, with or without VAT as the company's
    /// `article_prices_include_vat` says.
    pub price: Decimal,
}

/// One price-group price the till has for an article (`PriceGroup` within `Article.priceGroupList`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillGroupPrice {
    pub price_group: i32,
    /// `minimumAmount`: 0 for the group's base price.
    pub minimum_amount: i32,
    pub price_incl_vat: Decimal,
    pub price_excl_vat: Decimal,
}

/// The till's price-group prices of one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillArticlePrices {
    pub article_number: i64,
    pub product_number: i64,
    pub prices: Vec<TillGroupPrice>,
    /// For an AFAS dimension item's own article: its combinations' articles (the articles flow made them,
    /// [`crate::catalogue::DimensionId`]), which sell at the item's prices, so each gets the same price groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub combinations: Vec<TillArticlePrices>,
}

/// One price-group price to send: the price in the draft's VAT basis.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupPriceDraft {
    pub price_group: i32,
    /// `minimumAmount`: 0 for the base price (AFAS's quantity 1).
    pub minimum_amount: i32,
    pub price: Decimal,
}

/// An article's prices in the mapped price groups, as AFAS has them: what the till's mapped groups must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TillPricesDraft {
    pub article_number: i64,
    /// The groups the flow keeps (every mapped one, also those AFAS gives this article no price in: those
    /// prices are removed at the till).
    pub groups: Vec<i32>,
    /// Sorted by group and minimum amount.
    pub prices: Vec<GroupPriceDraft>,
    /// `priceIncl` when true, else `priceExcl` (the till derives the other with the article's VAT).
    pub price_includes_vat: bool,
}

impl TillPricesDraft {
    /// Whether the till's prices in the draft's groups differ from the draft (compared with what the till holds
    /// now, so a price changed by hand at the till is put back, and one already right is never written again).
    pub fn differs_from(&self, till: &TillArticlePrices) -> bool {
        self.differs_from_one(till) || till.combinations.iter().any(|c| self.differs_from_one(c))
    }

    fn differs_from_one(&self, till: &TillArticlePrices) -> bool {
        let mut current: Vec<GroupPriceDraft> = till
            .prices
            .iter()
            .filter(|p| self.groups.contains(&p.price_group))
            .map(|p| GroupPriceDraft {
                price_group: p.price_group,
                minimum_amount: p.minimum_amount.max(0),
                price: match self.price_includes_vat {
                    true => p.price_incl_vat,
                    false => p.price_excl_vat,
                },
            })
            .collect();
        current.sort();
        current != self.prices
    }

    /// The till's whole price-group list once the draft is written: its prices in other groups as they are,
    /// then the draft's.
    pub fn kept_prices<'t>(&self, till: &'t TillArticlePrices) -> impl Iterator<Item = &'t TillGroupPrice> {
        till.prices.iter().filter(|p| !self.groups.contains(&p.price_group))
    }
}

/// The company's price lists with their MplusKASSA price group, from `price_list_map` (its table; a forced
/// value or default would give every AFAS price list one group, which is not a mapping of lists).
pub fn mapped_lists(map: &ValueMap) -> Result<Vec<(String, i32)>, String> {
    if map.forced.is_some() || map.default.is_some() {
        return Err(
            "`price_list_map` maps each AFAS price list to a MplusKASSA price group: give a table row per \
                    price list, not one value for all"
                .to_owned(),
        );
    }
    let mut lists = Vec::new();
    let mut taken: BTreeMap<i32, &str> = BTreeMap::new();
    for (list, group) in &map.table {
        let list = list.trim();
        let Ok(number) = group.trim().parse::<i32>() else {
            return Err(format!(
                "`price_list_map` gives {group:?} for AFAS price list {list:?}: a MplusKASSA price group is a number"
            ));
        };
        if let Some(other) = taken.insert(number, list) {
            return Err(format!(
                "`price_list_map` maps AFAS price lists {other:?} and {list:?} both to MplusKASSA price group \
                 {number}: a price group takes its prices from one price list"
            ));
        }
        lists.push((list.to_owned(), number));
    }
    Ok(lists)
}

/// The draft for one article from its AFAS prices on the mapped lists (`lists`: price list → group). Prices
/// are rounded to cents (the till's precision, half a cent away from zero).
pub fn draft(
    article_number: i64,
    prices: &[ErpListPrice],
    lists: &[(String, i32)],
    price_includes_vat: bool,
) -> Result<TillPricesDraft, String> {
    let mut drafts: BTreeMap<(i32, i32), Decimal> = BTreeMap::new();
    for price in prices {
        let Some((_, group)) = lists
            .iter()
            .find(|(list, _)| list.eq_ignore_ascii_case(price.price_list.trim()))
        else {
            continue;
        };
        let minimum_amount = minimum_amount(price)?;
        let cents = price
            .price
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        if let Some(other) = drafts.insert((*group, minimum_amount), cents)
            && other != cents
        {
            return Err(format!(
                "AFAS gives article {} two prices on price list {} from quantity {} ({other} and {cents}): \
                 MplusKASSA's price group holds one",
                price.item_code,
                price.price_list,
                price.quantity.normalize()
            ));
        }
    }
    Ok(TillPricesDraft {
        article_number,
        groups: lists.iter().map(|(_, group)| *group).collect(),
        prices: drafts
            .into_iter()
            .map(|((price_group, minimum_amount), price)| GroupPriceDraft {
                price_group,
                minimum_amount,
                price,
            })
            .collect(),
        price_includes_vat,
    })
}

/// MplusKASSA's `minimumAmount` (a whole number, `xsd:int`) for an AFAS quantity break; the base price
/// (quantity 1 or less) has none.
fn minimum_amount(price: &ErpListPrice) -> Result<i32, String> {
    let quantity = price.quantity.normalize();
    if quantity <= Decimal::ONE {
        return Ok(0);
    }
    match quantity.fract().is_zero().then(|| quantity.to_i32()).flatten() {
        Some(whole) => Ok(whole),
        None => Err(format!(
            "AFAS has a volume price for article {} on price list {} from quantity {quantity}: MplusKASSA's price \
             groups break at whole quantities only",
            price.item_code, price.price_list
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(list: &str, quantity: i64, cents: i64) -> ErpListPrice {
        ErpListPrice {
            item_code: "1001".into(),
            price_list: list.into(),
            quantity: Decimal::from(quantity),
            price: Decimal::new(cents, 2),
        }
    }

    fn lists() -> Vec<(String, i32)> {
        vec![("HOR".into(), 1), ("GRO".into(), 2)]
    }

    #[test]
    fn volume_prices_become_minimum_amounts_per_mapped_group() {
        let prices = [
            price("GRO", 24, 800),
            price("hor", 1, 1050),
            price("GRO", 1, 900),
            price("XYZ", 1, 1),
        ];
        let draft = draft(1001, &prices, &lists(), true).unwrap();
        let got: Vec<_> = draft
            .prices
            .iter()
            .map(|p| (p.price_group, p.minimum_amount, p.price))
            .collect();
        assert_eq!(
            got,
            [
                (1, 0, Decimal::new(1050, 2)),
                (2, 0, Decimal::new(900, 2)),
                (2, 24, Decimal::new(800, 2))
            ]
        );
        assert_eq!(draft.groups, [1, 2]);
    }

    #[test]
    fn a_fractional_break_fails_and_two_prices_for_one_break_fail() {
        let mut half = price("HOR", 1, 100);
        half.quantity = Decimal::new(25, 1);
        assert!(
            draft(1, &[half], &lists(), true)
                .unwrap_err()
                .contains("whole quantities")
        );
        let twice = [price("HOR", 6, 100), price("HOR", 6, 90)];
        assert!(draft(1, &twice, &lists(), true).unwrap_err().contains("two prices"));
    }

    #[test]
    fn only_the_mapped_groups_are_compared_in_the_drafts_vat_basis() {
        let till = TillArticlePrices {
            article_number: 1001,
            product_number: 7,
            prices: vec![
                TillGroupPrice {
                    price_group: 1,
                    minimum_amount: 0,
                    price_incl_vat: Decimal::new(1050, 2),
                    price_excl_vat: Decimal::new(868, 2),
                },
                TillGroupPrice {
                    price_group: 3,
                    minimum_amount: 0,
                    price_incl_vat: Decimal::new(500, 2),
                    price_excl_vat: Decimal::new(413, 2),
                },
            ],
            combinations: Vec::new(),
        };
        let same = draft(1001, &[price("HOR", 1, 1050)], &lists(), true).unwrap();
        assert!(!same.differs_from(&till));
        // A dimension item's combination without the price differs: it sells at the item's prices.
        let with_combination = TillArticlePrices {
            combinations: vec![TillArticlePrices {
                article_number: 200_001,
                prices: Vec::new(),
                ..till.clone()
            }],
            ..till.clone()
        };
        assert!(same.differs_from(&with_combination));
        assert_eq!(same.kept_prices(&till).map(|p| p.price_group).collect::<Vec<_>>(), [3]);
        let excl = draft(1001, &[price("HOR", 1, 1050)], &lists(), false).unwrap();
        assert!(excl.differs_from(&till));
        let removed = draft(1001, &[], &lists(), true).unwrap();
        assert!(removed.differs_from(&till), "a price AFAS no longer has is removed");
    }

    #[test]
    fn the_mapping_names_each_list_once_with_a_numbered_group() {
        let mut map = ValueMap::default();
        map.table.insert("HOR".into(), "1".into());
        assert_eq!(mapped_lists(&map).unwrap(), [("HOR".to_owned(), 1)]);
        map.table.insert("GRO".into(), "1".into());
        assert!(mapped_lists(&map).unwrap_err().contains("both"));
        map.table.insert("GRO".into(), "two".into());
        assert!(mapped_lists(&map).unwrap_err().contains("is a number"));
        assert!(mapped_lists(&ValueMap::forced("1")).is_err());
    }
}
