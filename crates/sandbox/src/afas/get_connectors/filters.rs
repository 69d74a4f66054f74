//! GetConnector filters: the parallel `filterfieldids` / `filtervalues` / `operatortypes` lists (`,` = AND,
//! `;` = OR) or the `filterjson` alternative, parsed into OR-ed groups of AND-ed conditions and evaluated on
//! typed values.

use std::cmp::Ordering;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::afas::catalog::{ConnectorDef, DataType};
use crate::afas::error::AfasError;
use crate::afas::fields::display;

/// Profit's operator codes (1–15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Equal,
    GreaterOrEqual,
    LessOrEqual,
    Greater,
    Less,
    Contains,
    NotEqual,
    Empty,
    NotEmpty,
    StartsWith,
    NotContains,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    QuickFilter,
}

impl Operator {
    fn from_code(code: &str) -> Result<Self, AfasError> {
        let operator = match code.trim() {
            "1" => Self::Equal,
            "2" => Self::GreaterOrEqual,
            "3" => Self::LessOrEqual,
            "4" => Self::Greater,
            "5" => Self::Less,
            "6" => Self::Contains,
            "7" => Self::NotEqual,
            "8" => Self::Empty,
            "9" => Self::NotEmpty,
            "10" => Self::StartsWith,
            "11" => Self::NotContains,
            "12" => Self::NotStartsWith,
            "13" => Self::EndsWith,
            "14" => Self::NotEndsWith,
            "15" => Self::QuickFilter,
            other => return Err(AfasError::query(format!("Invalid operator type '{other}'"))),
        };
        Ok(operator)
    }
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub field: String,
    pub data_type: DataType,
    pub operator: Operator,
    pub text: String,
    /// The value parsed for the field's type (for =, !=, <, >...).
    pub typed: Typed,
}

/// OR-ed groups of AND-ed conditions; empty means no filter.
pub type Filter = Vec<Vec<Condition>>;

/// Parses the parallel lists. The three lists must have the same shape.
pub fn parse_lists(def: &ConnectorDef, fields: &str, values: &str, operators: &str) -> Result<Filter, AfasError> {
    let split = |list: &str| -> Vec<Vec<String>> {
        list.split(';')
            .map(|group| group.split(',').map(str::to_owned).collect())
            .collect()
    };
    let (fields, values, operators) = (split(fields), split(values), split(operators));
    if fields.len() != values.len() || fields.len() != operators.len() {
        return Err(AfasError::unexpected());
    }
    let mut filter = Vec::new();
    for ((fields, values), operators) in fields.iter().zip(&values).zip(&operators) {
        if fields.len() != values.len() || fields.len() != operators.len() {
            return Err(AfasError::unexpected());
        }
        let group = fields
            .iter()
            .zip(values)
            .zip(operators)
            .map(|((field, value), operator)| condition(def, field.trim(), value, Operator::from_code(operator)?))
            .collect::<Result<Vec<_>, _>>()?;
        filter.push(group);
    }
    Ok(filter)
}

/// Parses `{"Filters":{"Filter":[{"@FilterId":..,"Field":[{"@FieldId":..,"@OperatorType":..,"#text":..}]}]}}`;
/// `Filter` and `Field` may each be one object or an array.
pub fn parse_json(def: &ConnectorDef, json: &str) -> Result<Filter, AfasError> {
    let root: Value = serde_json::from_str(json).map_err(|_| AfasError::unexpected())?;
    let filters = root.pointer("/Filters/Filter").ok_or_else(AfasError::unexpected)?;
    one_or_many(filters)
        .iter()
        .map(|filter| {
            let fields = filter.get("Field").ok_or_else(AfasError::unexpected)?;
            one_or_many(fields)
                .iter()
                .map(|field| {
                    let id = field
                        .get("@FieldId")
                        .and_then(Value::as_str)
                        .ok_or_else(AfasError::unexpected)?;
                    let operator = field
                        .get("@OperatorType")
                        .map(display)
                        .ok_or_else(AfasError::unexpected)?;
                    let value = field.get("#text").map(display).unwrap_or_default();
                    condition(def, id, &value, Operator::from_code(&operator)?)
                })
                .collect()
        })
        .collect()
}

fn one_or_many(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

fn condition(def: &ConnectorDef, field: &str, value: &str, operator: Operator) -> Result<Condition, AfasError> {
    let data_type = def
        .field(field)
        .ok_or_else(|| AfasError::field_not_found(field))?
        .data_type;
    let typed = match operator {
        Operator::Equal
        | Operator::NotEqual
        | Operator::Greater
        | Operator::GreaterOrEqual
        | Operator::Less
        | Operator::LessOrEqual => Typed::parse(data_type, value)
            .ok_or_else(|| AfasError::query(format!("The value '{value}' is not valid for field '{field}'")))?,
        _ => Typed::Null,
    };
    Ok(Condition {
        field: field.to_owned(),
        data_type,
        operator,
        text: value.to_lowercase(),
        typed,
    })
}

impl Condition {
    pub fn matches(&self, value: Option<&Value>) -> bool {
        let value = value.unwrap_or(&Value::Null);
        let text = display(value).to_lowercase();
        let ordering = || Typed::of(self.data_type, value).compare(&self.typed);
        match self.operator {
            Operator::Equal => ordering() == Some(Ordering::Equal),
            Operator::NotEqual => ordering() != Some(Ordering::Equal),
            Operator::GreaterOrEqual => matches!(ordering(), Some(Ordering::Greater | Ordering::Equal)),
            Operator::LessOrEqual => matches!(ordering(), Some(Ordering::Less | Ordering::Equal)),
            Operator::Greater => ordering() == Some(Ordering::Greater),
            Operator::Less => ordering() == Some(Ordering::Less),
            Operator::Contains => text.contains(&self.text),
            Operator::NotContains => !text.contains(&self.text),
            Operator::Empty => text.is_empty(),
            Operator::NotEmpty => !text.is_empty(),
            Operator::StartsWith => text.starts_with(&self.text),
            Operator::NotStartsWith => !text.starts_with(&self.text),
            Operator::EndsWith => text.ends_with(&self.text),
            Operator::NotEndsWith => !text.ends_with(&self.text),
            Operator::QuickFilter => wildcard_match(&self.text, &text),
        }
    }
}

/// The quick filter: `*` matches any run of characters; without one it means "contains".
fn wildcard_match(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return text.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (index, part) in parts.iter().enumerate() {
        if index == 0 {
            let Some(stripped) = rest.strip_prefix(part) else {
                return false;
            };
            rest = stripped;
        } else if index == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(position) = rest.find(part) else {
                return false;
            };
            rest = &rest[position + part.len()..];
        }
    }
    true
}

/// A value typed for comparison by its field's data type.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Null,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDateTime),
}

impl Typed {
    /// A filter operand; `None` when it does not fit the type.
    pub fn parse(data_type: DataType, text: &str) -> Option<Self> {
        let trimmed = text.trim();
        match data_type {
            DataType::String => Some(Self::Text(text.to_lowercase())),
            _ if trimmed.is_empty() => Some(Self::Null),
            DataType::Int | DataType::Decimal => trimmed.replace(',', ".").parse().ok().map(Self::Number),
            DataType::Boolean => match trimmed.to_lowercase().as_str() {
                "true" | "1" => Some(Self::Bool(true)),
                "false" | "0" => Some(Self::Bool(false)),
                _ => None,
            },
            DataType::Date => parse_date(trimmed).map(Self::Date),
        }
    }

    /// A row value.
    pub fn of(data_type: DataType, value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Number(number) => number.as_f64().map_or(Self::Null, Self::Number),
            Value::Bool(flag) => Self::Bool(*flag),
            Value::String(text) if data_type == DataType::Date => parse_date(text).map_or(Self::Null, Self::Date),
            Value::String(text) => Self::Text(text.to_lowercase()),
            _ => Self::Null,
        }
    }

    /// Orders values of the same type; nulls sort first; different types do not compare.
    pub fn compare(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Null, Self::Null) => Some(Ordering::Equal),
            (Self::Null, _) => Some(Ordering::Less),
            (_, Self::Null) => Some(Ordering::Greater),
            (Self::Text(a), Self::Text(b)) => Some(a.cmp(b)),
            (Self::Number(a), Self::Number(b)) => a.partial_cmp(b),
            (Self::Bool(a), Self::Bool(b)) => Some(a.cmp(b)),
            (Self::Date(a), Self::Date(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// `2026-11-29`, `2026-11-29T10:00`, `2026-11-29T10:00:00`, optionally with fractions and a `Z`.
pub fn parse_date(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim_end_matches('Z');
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0);
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_filter_wildcards() {
        assert!(wildcard_match("ja*en", "jansen"));
        assert!(wildcard_match("*sen", "jansen"));
        assert!(wildcard_match("ans", "jansen"));
        assert!(!wildcard_match("ja*x", "jansen"));
    }

    #[test]
    fn dates_parse_in_profit_forms() {
        assert!(parse_date("2026-11-29").is_some());
        assert!(parse_date("2026-11-29T10:11:12Z").is_some());
        assert!(parse_date("2026-11-29T10:11").is_some());
        assert!(parse_date("29-11-2026").is_none());
    }
}
