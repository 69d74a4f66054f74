//! The fields of a record as an update connector received them (text, exact decimals, flags) and an exact
//! decimal as AFAS writes it back in JSON.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

use super::store::Fields;

/// A non-empty text field.
pub fn text<'f>(fields: &'f Fields, key: &str) -> Option<&'f str> {
    fields.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A JSON number as the exact decimal its text says (`261.72`, not the nearest float).
pub fn decimal(fields: &Fields, key: &str) -> Option<Decimal> {
    let text = match fields.get(key)? {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_owned(),
        _ => return None,
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

/// A date field's day (`2026-12-01`, or with a time as the schema allows).
pub fn date(fields: &Fields, key: &str) -> Option<NaiveDate> {
    let day = text(fields, key)?.get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

pub fn flag(fields: &Fields, key: &str) -> bool {
    fields.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Any scalar as text (a house number may arrive as a number).
pub fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An exact decimal as AFAS shows it in JSON (a number).
pub fn json_number(amount: Decimal) -> Value {
    amount.normalize().to_f64().map_or(Value::Null, |n| json!(n))
}
