//! The transforms a rule applies to its value in order: text steps, a lookup table, concatenation, date
//! formats, exact decimal arithmetic and a condition; and the checks of their settings.

use std::collections::BTreeMap;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::Source;

/// A step applied to the value. Numbers are exact decimals; an empty value passes the text steps unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Transform {
    Trim,
    Upper,
    Lower,
    /// Keeps only the digits 0–9.
    DigitsOnly,
    /// At most `n` characters.
    Truncate {
        n: usize,
    },
    /// `value` when the value is missing or blank.
    DefaultIfEmpty {
        value: String,
    },
    /// Replaces the value through `table` (keys compared case-insensitively); `fallback` when it has no
    /// entry, else the value unchanged.
    Lookup {
        table: BTreeMap<String, String>,
        #[serde(default)]
        fallback: Option<String>,
    },
    /// The value followed by `parts`, blank ones left out, joined by `separator`.
    Concat {
        parts: Vec<Source>,
        #[serde(default)]
        separator: String,
    },
    /// Reads a date with the chrono format `from` (default: ISO `%Y-%m-%d`, also a date-time) and writes it
    /// with `to`.
    DateFormat {
        #[serde(default)]
        from: Option<String>,
        to: String,
    },
    /// Rounds half away from zero to `decimals` places.
    Round {
        decimals: u32,
    },
    /// Adds `amount` (negative subtracts).
    Add {
        #[schema(value_type = String, example = "2.50")]
        amount: Decimal,
    },
    /// Multiplies by `factor` (`1.05` is +5%).
    Multiply {
        #[schema(value_type = String, example = "1.05")]
        factor: Decimal,
    },
    /// When the value equals `equals`: `then`; otherwise `else`, or the value unchanged.
    Condition {
        equals: String,
        then: String,
        #[serde(default, rename = "else")]
        otherwise: Option<String>,
    },
}

fn number(value: &str) -> Result<Decimal, String> {
    let trimmed = value.trim();
    trimmed
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(trimmed))
        .map_err(|_| format!("{value:?} is not a number"))
}

/// Whether `format` is a chrono format without errors.
fn valid_format(format: &str) -> bool {
    !format.is_empty() && !StrftimeItems::new(format).any(|item| matches!(item, Item::Error))
}

fn parse_date(value: &str, from: Option<&str>) -> Result<NaiveDateTime, String> {
    let value = value.trim();
    let parsed = match from {
        Some(format) => NaiveDateTime::parse_from_str(value, format).ok().or_else(|| {
            NaiveDate::parse_from_str(value, format)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        }),
        None => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .or_else(|| DateTime::parse_from_rfc3339(value).ok().map(|t| t.naive_local()))
            .or_else(|| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S").ok()),
    };
    parsed.ok_or_else(|| match from {
        Some(format) => format!("{value:?} is not a date in the format {format:?}"),
        None => format!("{value:?} is not a date (YYYY-MM-DD)"),
    })
}

impl Transform {
    /// The transformed value; `default` and `record` feed `concat`'s parts.
    pub fn apply(
        &self,
        value: Option<String>,
        default: &Option<String>,
        record: &Value,
    ) -> Result<Option<String>, String> {
        let blank = value.as_deref().is_none_or(|v| v.trim().is_empty());
        match self {
            Transform::Trim => Ok(value.map(|v| v.trim().to_owned())),
            Transform::Upper => Ok(value.map(|v| v.to_uppercase())),
            Transform::Lower => Ok(value.map(|v| v.to_lowercase())),
            Transform::DigitsOnly => Ok(value.map(|v| v.chars().filter(char::is_ascii_digit).collect())),
            Transform::Truncate { n } => Ok(value.map(|v| v.chars().take(*n).collect())),
            Transform::DefaultIfEmpty { value: fallback } => Ok(if blank { Some(fallback.clone()) } else { value }),
            Transform::Lookup { table, fallback } => {
                let found = value.as_deref().and_then(|v| {
                    let key = v.trim();
                    table
                        .iter()
                        .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
                        .map(|(_, v)| v.clone())
                });
                Ok(found.or_else(|| fallback.clone()).or(value))
            }
            Transform::Concat { parts, separator } => {
                let all: Vec<String> = std::iter::once(value)
                    .chain(parts.iter().map(|part| part.read(default, record)))
                    .flatten()
                    .filter(|part| !part.trim().is_empty())
                    .collect();
                Ok((!all.is_empty()).then(|| all.join(separator)))
            }
            Transform::DateFormat { .. } if blank => Ok(value),
            // An invalid format would panic in chrono's formatter; saved rules are checked, this guards the rest.
            Transform::DateFormat { to, .. } if !valid_format(to) => Err(format!("{to:?} is not a date format")),
            Transform::DateFormat { from, to } => {
                let date = parse_date(value.as_deref().unwrap_or_default(), from.as_deref())?;
                Ok(Some(date.format(to).to_string()))
            }
            Transform::Round { decimals } => decimal(value, blank, |n| {
                Some(n.round_dp_with_strategy(*decimals, RoundingStrategy::MidpointAwayFromZero))
            }),
            Transform::Add { amount } => decimal(value, blank, |n| n.checked_add(*amount)),
            Transform::Multiply { factor } => decimal(value, blank, |n| n.checked_mul(*factor)),
            Transform::Condition {
                equals,
                then,
                otherwise,
            } => {
                let matches = value.as_deref().unwrap_or("").trim() == equals.trim();
                Ok(match (matches, otherwise) {
                    (true, _) => Some(then.clone()),
                    (false, Some(otherwise)) => Some(otherwise.clone()),
                    (false, None) => value,
                })
            }
        }
    }

    pub(super) fn problems(&self, paths: &[String]) -> Vec<String> {
        match self {
            Transform::Truncate { n: 0 } => vec!["truncate needs a length of at least 1".to_owned()],
            Transform::Round { decimals } if *decimals > 10 => {
                vec!["round takes at most 10 decimals".to_owned()]
            }
            Transform::Lookup { table, .. } if table.is_empty() => {
                vec!["the lookup table has no entries".to_owned()]
            }
            Transform::Concat { parts, .. } if parts.is_empty() => {
                vec!["concatenate needs at least one part".to_owned()]
            }
            Transform::Concat { parts, .. } => parts.iter().flat_map(|part| part.problems(paths)).collect(),
            Transform::DateFormat { from, to } => {
                let mut problems = Vec::new();
                if !valid_format(to) {
                    problems.push(format!("{to:?} is not a date format (e.g. %d-%m-%Y)"));
                }
                if let Some(from) = from.as_deref().filter(|f| !valid_format(f)) {
                    problems.push(format!("{from:?} is not a date format (e.g. %d-%m-%Y)"));
                }
                problems
            }
            _ => Vec::new(),
        }
    }
}

/// A number step: blank passes, anything else must be a number, and the result one too (`None`: it overflowed,
/// found by the fuzz tests: 79228162514264337593543950335 × 2 is past what an exact decimal holds).
fn decimal(
    value: Option<String>,
    blank: bool,
    f: impl Fn(Decimal) -> Option<Decimal>,
) -> Result<Option<String>, String> {
    match value {
        Some(v) if !blank => {
            let result = f(number(&v)?).ok_or_else(|| format!("{v:?} gives a number too large to book"))?;
            Ok(Some(result.to_string()))
        }
        other => Ok(other),
    }
}
