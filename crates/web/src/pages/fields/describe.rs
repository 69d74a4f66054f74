//! A rule in words, for the editor's table and the audit log.

use koppel_sync::field_map::{FieldRule, Source, Transform};

pub(super) fn parts_text(parts: &[Source]) -> String {
    parts.iter().map(source_text).collect::<Vec<_>>().join("; ")
}

fn source_text(source: &Source) -> String {
    match source {
        Source::Default => "the default".to_owned(),
        Source::Path(path) => path.clone(),
        Source::Constant(value) => format!("\"{value}\""),
    }
}

/// A rule in words, for the table and the audit log.
pub fn describe(rule: &FieldRule) -> String {
    let mut text = source_text(&rule.source);
    for transform in &rule.transforms {
        let step = match transform {
            Transform::Trim => "trim".to_owned(),
            Transform::Upper => "upper case".to_owned(),
            Transform::Lower => "lower case".to_owned(),
            Transform::DigitsOnly => "digits only".to_owned(),
            Transform::Truncate { n } => format!("truncate to {n}"),
            Transform::DefaultIfEmpty { value } => format!("\"{value}\" when empty"),
            Transform::Lookup { table, fallback } => {
                let entries = table
                    .iter()
                    .map(|(k, v)| format!("{k}→{v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                match fallback {
                    Some(fallback) => format!("lookup {entries}, else {fallback}"),
                    None => format!("lookup {entries}"),
                }
            }
            Transform::Concat { parts, separator } => format!("+ {} (separator \"{separator}\")", parts_text(parts)),
            Transform::DateFormat { from: Some(from), to } => format!("date {from} → {to}"),
            Transform::DateFormat { from: None, to } => format!("date as {to}"),
            Transform::Round { decimals } => format!("round to {decimals} decimals"),
            Transform::Add { amount } => format!("add {amount}"),
            Transform::Multiply { factor } => format!("× {factor}"),
            Transform::Condition {
                equals,
                then,
                otherwise: Some(otherwise),
            } => format!("if \"{equals}\" then \"{then}\" else \"{otherwise}\""),
            Transform::Condition { equals, then, .. } => format!("if \"{equals}\" then \"{then}\""),
        };
        text.push_str(" → ");
        text.push_str(&step);
    }
    text
}
