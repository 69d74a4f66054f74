//! `Profit_SalesPrice` ("Price list per debtor"). Its first five fields are inputs, marked "(Filter)" in the
//! OpenAPI: Profit answers the question the filter asks instead of listing stored records, so the rows are
//! computed per request from the stored sales prices (`FbSalesPrice`):
//!
//! - `Date` (reference date): a filter `Date` = D (operator 1), else today in Amsterdam. Only prices valid on D
//!   (`DaBg` ≤ D, and no `DaEn` or D ≤ `DaEn`) give rows; the column shows D.
//! - `Volume` (display scale): with a filter `Volume` = true every break of a volume price (`CrPr` with `Am`)
//!   is a row with `Quantity` = `Am`; otherwise only rows with `Quantity` ≤ 1 (a non-volume price has 1).
//! - `Level` ("Price level"): we read it as the price list code (`PrLi`); empty for the basic price and for a
//!   debtor's own price without a list. `Debtor`: a debtor-specific price's `DbId`. `Currency`: its `CuId`.
//!
//! One row per (Item, Level, Debtor, Currency, Quantity): a promotional price (`SpPr`) wins over a regular one,
//! then the latest start, then the last written. A promotion's `GrossPrice` is the regular price valid on D
//! for the same key (the promotional price when there is none), `Nettoprijs` the promotional price and
//! `Discount` the difference; otherwise both are `Pric` and `Discount` is 0. Every other field filters, sorts
//! and pages as in any GetConnector.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::Target;
use super::filters::{Condition, Filter, Operator, Typed};
use crate::afas::fields::{date, decimal, flag, json_number, text};
use crate::afas::store::{Fields, Store, amsterdam_now, format_datetime};
use crate::afas::table::Row;
use crate::afas::views::table_key;

/// The rows the filter selects. Each OR group is its own question, matched against the rows of its own
/// `Date` and `Volume` inputs (a key look-up repeats the query's filter in every group, inputs included).
pub(super) fn matching(target: &Target, store: &Store, filter: &Filter) -> Vec<Row> {
    let today = amsterdam_now().date();
    let groups: Vec<&[Condition]> = if filter.is_empty() {
        vec![&[]]
    } else {
        filter.iter().map(Vec::as_slice).collect()
    };
    let mut answers: BTreeMap<Inputs, (Vec<Row>, BTreeSet<usize>)> = BTreeMap::new();
    for group in groups {
        let fields = group
            .iter()
            .map(|condition| (target.stored_field(&condition.field), condition));
        let inputs = Inputs::of(fields, today);
        let (rows, selected) = answers
            .entry(inputs)
            .or_insert_with(|| (rows(store, inputs), BTreeSet::new()));
        selected.extend(
            rows.iter()
                .enumerate()
                .filter(|(_, row)| target.passes(row, group))
                .map(|(index, _)| index),
        );
    }
    answers
        .into_values()
        .flat_map(|(rows, selected)| {
            rows.into_iter()
                .enumerate()
                .filter(move |(index, _)| selected.contains(index))
                .map(|(_, row)| row)
        })
        .collect()
}

/// The question one AND group asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Inputs {
    /// The reference date as the filter gave it (its day decides validity), or today at midnight.
    date: NaiveDateTime,
    /// Whether volume breaks are rows of their own.
    volume: bool,
}

impl Inputs {
    /// `conditions` pairs each condition with the connector field it is on.
    fn of<'c>(conditions: impl IntoIterator<Item = (&'c str, &'c Condition)>, today: NaiveDate) -> Self {
        let mut inputs = Self {
            date: today.and_time(chrono::NaiveTime::MIN),
            volume: false,
        };
        for (field, condition) in conditions {
            match (field, condition.operator, &condition.typed) {
                ("Date", Operator::Equal, Typed::Date(date)) => inputs.date = *date,
                ("Volume", Operator::Equal, Typed::Bool(volume)) => inputs.volume = *volume,
                _ => {}
            }
        }
        inputs
    }
}

/// What one row prices; its order is the connector's natural order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// The item code as it sorts (numeric codes numerically).
    item_order: String,
    item: String,
    level: Option<String>,
    debtor: Option<String>,
    currency: Option<String>,
    quantity: Decimal,
}

/// A stored price valid on the reference date.
struct Candidate<'s> {
    fields: &'s Fields,
    promotion: bool,
    start: NaiveDate,
    /// Its sequence number: the order prices were written in.
    written: u64,
}

impl Candidate<'_> {
    /// The best price of a key ranks highest: a promotion, then the latest start, then the last written.
    fn rank(&self) -> (bool, NaiveDate, u64) {
        (self.promotion, self.start, self.written)
    }

    fn price(&self) -> Option<Decimal> {
        decimal(self.fields, "Pric")
    }
}

/// The rows answering one question, in natural order.
fn rows(store: &Store, inputs: Inputs) -> Vec<Row> {
    let day = inputs.date.date();
    let mut by_key: BTreeMap<Key, Vec<Candidate>> = BTreeMap::new();
    for (sequence, price) in &store.prices {
        let fields = &price.fields;
        let (Some(item), Some(start)) = (text(fields, "ItCd"), date(fields, "DaBg")) else {
            continue;
        };
        let valid = start <= day && date(fields, "DaEn").is_none_or(|end| day <= end);
        let quantity = if flag(fields, "CrPr") {
            decimal(fields, "Am").unwrap_or(Decimal::ONE)
        } else {
            Decimal::ONE
        };
        if !valid || (!inputs.volume && quantity > Decimal::ONE) {
            continue;
        }
        let key = Key {
            item_order: table_key(item),
            item: item.to_owned(),
            level: text(fields, "PrLi").map(str::to_owned),
            debtor: text(fields, "DbId").map(str::to_owned),
            currency: text(fields, "CuId").map(str::to_owned),
            quantity,
        };
        by_key.entry(key).or_default().push(Candidate {
            fields,
            promotion: flag(fields, "SpPr"),
            start,
            written: sequence.parse().unwrap_or_default(),
        });
    }
    by_key
        .iter()
        .map(|(key, candidates)| row(store, inputs, key, candidates))
        .collect()
}

fn row(store: &Store, inputs: Inputs, key: &Key, candidates: &[Candidate]) -> Row {
    let best = candidates
        .iter()
        .max_by_key(|candidate| candidate.rank())
        .expect("every key has a price");
    let net = best.price();
    let gross = if best.promotion {
        let regular = candidates
            .iter()
            .filter(|candidate| !candidate.promotion)
            .max_by_key(|candidate| candidate.rank());
        regular.map_or(net, Candidate::price)
    } else {
        net
    };
    let description = store
        .articles
        .get(&key.item)
        .and_then(|article| text(&article.fields, "Ds"));
    let row = json!({
        "Debtor": key.debtor,
        "Date": format_datetime(&inputs.date),
        "Currency": key.currency,
        "Volume": inputs.volume,
        "Level": key.level,
        "Item": key.item,
        "Description": description,
        "Quantity": json_number(key.quantity),
        "Unit": text(best.fields, "BiUn"),
        "GrossPrice": gross.map(json_number),
        "Discount": gross.zip(net).map(|(gross, net)| json_number(gross - net)),
        "Nettoprijs": net.map(json_number),
    });
    match row {
        Value::Object(row) => row,
        _ => unreachable!("a row is an object literal"),
    }
}
