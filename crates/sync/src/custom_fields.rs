//! An article's custom fields at the till, filled from AFAS free fields: the articles flow's `custom_field_map`
//! names, per MplusKASSA custom field (`getCustomFieldLists`), the AFAS field whose value it takes.
//!
//! AFAS names a free field `U` and a hexadecimal code (e.g. `U7E1F0A2B_Webshop` in a GetConnector), its value
//! typed as the field is (text, number, yes/no, date). MplusKASSA types each custom field (`DataType`); a value
//! that does not fit the till's type fails the article, naming both fields, rather than being sent half-right.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kind of value a till custom field holds (MplusKASSA's `DataType`, the kinds Koppel fills).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldKind {
    Text,
    Integer,
    Decimal,
    Flag,
    Date,
    /// A type Koppel does not fill (arrays, multi-selects, date-times).
    Other,
}

/// A custom field's value as the till holds it or Koppel sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomValue {
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    Flag(bool),
    Date(NaiveDate),
    /// No value: sent, it clears the till's.
    Empty,
}

/// Whether a GetConnector field is an AFAS free field (`U` and a hexadecimal code).
pub fn is_free_field(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next() == Some('U') && chars.next().is_some_and(|c| c.is_ascii_hexdigit())
}

/// The value of the AFAS free field `afas` for the till's custom field `till` of kind `kind`.
pub fn till_value(
    kind: CustomFieldKind,
    value: Option<&Value>,
    (afas, till): (&str, &str),
) -> Result<CustomValue, String> {
    let misfit =
        |what: &str| format!("AFAS field {afas} holds {what}, which the MplusKASSA custom field {till} cannot take");
    let text = match value {
        None | Some(Value::Null) => return Ok(CustomValue::Empty),
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(CustomValue::Empty),
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Bool(flag)) => flag.to_string(),
        Some(Value::Number(number)) => number.to_string(),
        Some(other) => return Err(misfit(&other.to_string())),
    };
    let quoted = format!("{text:?}");
    match kind {
        CustomFieldKind::Text => Ok(CustomValue::Text(text)),
        CustomFieldKind::Integer => text.parse().map(CustomValue::Integer).map_err(|_| misfit(&quoted)),
        CustomFieldKind::Decimal => text
            .parse::<Decimal>()
            .map(|d| CustomValue::Decimal(d.normalize()))
            .map_err(|_| misfit(&quoted)),
        CustomFieldKind::Flag => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "ja" | "yes" => Ok(CustomValue::Flag(true)),
            "false" | "0" | "nee" | "no" => Ok(CustomValue::Flag(false)),
            _ => Err(misfit(&quoted)),
        },
        // AFAS reports dates as date-times (`2026-12-01T00:00:00Z`): the day is what counts.
        CustomFieldKind::Date => NaiveDate::parse_from_str(text.get(..10).unwrap_or(&text), "%Y-%m-%d")
            .map(CustomValue::Date)
            .map_err(|_| misfit(&quoted)),
        CustomFieldKind::Other => Err(format!(
            "the MplusKASSA custom field {till} has a type Koppel does not fill (only text, numbers, yes/no and dates)"
        )),
    }
}

/// Why the mapping cannot work with the till's custom fields, if it cannot: it names a till field the till
/// does not define (a setting to correct).
pub fn unknown_till_field(map: &BTreeMap<String, String>, kinds: &BTreeMap<String, CustomFieldKind>) -> Option<String> {
    let unknown = map.values().find(|till| !kinds.contains_key(till.trim()))?;
    Some(format!(
        "MplusKASSA has no article custom field {unknown} (`custom_field_map`); it has {}",
        listed(kinds)
    ))
}

/// The till's custom field values for an article: each mapped field with its AFAS value (fields the till does
/// not define are [`unknown_till_field`]'s to report).
pub fn till_values(
    map: &BTreeMap<String, String>,
    kinds: &BTreeMap<String, CustomFieldKind>,
    free_fields: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, CustomValue>, String> {
    map.iter()
        .filter_map(|(afas, till)| Some((afas, till, *kinds.get(till.trim())?)))
        .map(|(afas, till, kind)| {
            let value = till_value(kind, free_fields.get(afas.trim()), (afas, till))?;
            Ok((till.trim().to_owned(), value))
        })
        .collect()
}

fn listed(kinds: &BTreeMap<String, CustomFieldKind>) -> String {
    match kinds.is_empty() {
        true => "none".to_owned(),
        false => kinds.keys().cloned().collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn free_fields_are_u_and_a_hexadecimal_code() {
        assert!(is_free_field("U7E1F0A2B_Webshop"));
        assert!(!is_free_field("UnitId"));
        assert!(!is_free_field("ItemCode"));
    }

    #[test]
    fn afas_values_become_the_tills_types_or_fail_naming_both_fields() {
        let names = ("U1_Houdbaar", "Houdbaarheid");
        assert_eq!(
            till_value(CustomFieldKind::Integer, Some(&json!(30)), names),
            Ok(CustomValue::Integer(30))
        );
        assert_eq!(
            till_value(CustomFieldKind::Flag, Some(&json!(true)), names),
            Ok(CustomValue::Flag(true))
        );
        assert_eq!(
            till_value(CustomFieldKind::Decimal, Some(&json!("1.50")), names),
            Ok(CustomValue::Decimal(Decimal::new(15, 1)))
        );
        assert_eq!(
            till_value(CustomFieldKind::Date, Some(&json!("2026-12-01T00:00:00Z")), names),
            Ok(CustomValue::Date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()))
        );
        assert_eq!(till_value(CustomFieldKind::Text, None, names), Ok(CustomValue::Empty));
        let error = till_value(CustomFieldKind::Integer, Some(&json!("dertig")), names).unwrap_err();
        assert!(
            error.contains("U1_Houdbaar") && error.contains("Houdbaarheid"),
            "{error}"
        );
    }

    #[test]
    fn a_till_field_the_till_does_not_define_is_named_with_the_fields_it_has() {
        let map = BTreeMap::from([("U1_Merk".to_owned(), "Brand".to_owned())]);
        let kinds = BTreeMap::from([("Merk".to_owned(), CustomFieldKind::Text)]);
        let problem = unknown_till_field(&map, &kinds).unwrap();
        assert!(problem.contains("Brand") && problem.contains("Merk"), "{problem}");
        let free = BTreeMap::from([("U1_Merk".to_owned(), json!("Douwe Egberts"))]);
        let known = BTreeMap::from([("U1_Merk".to_owned(), "Merk".to_owned())]);
        assert_eq!(
            till_values(&known, &kinds, &free),
            Ok(BTreeMap::from([(
                "Merk".to_owned(),
                CustomValue::Text("Douwe Egberts".into())
            )]))
        );
    }
}
