//! Converting between a rule and the editor's form: reading and checking a submitted rule, its transforms
//! from their rows, and a stored transform back into its row.

use std::collections::BTreeMap;

use koppel_core::FlowKind;
use koppel_sync::field_map::{FieldMap, FieldRule, Source, Transform, target_fields};
use rust_decimal::Decimal;

use super::describe::parts_text;
use super::page::ROW_FIELDS;
use crate::forms::FieldErrors;
use crate::pages::setup::Fields;

/// The rule in the form, or `None` with the problems recorded per field.
pub(super) fn read_rule(form: &Fields, flow: FlowKind, errors: &mut FieldErrors) -> Option<FieldRule> {
    let target = form.get("target").trim().to_owned();
    if target.is_empty() {
        errors.add_message("target", "Choose the target field.");
        return None;
    }
    if !target_fields(flow).iter().any(|field| field.target == target) {
        errors.add_message(
            "target",
            format!("`{target}` is not a target field of the {flow} flow."),
        );
        return None;
    }
    let value = form.get("source_value");
    let source = match form.get("source_kind") {
        "path" if value.trim().is_empty() => {
            errors.add_message("source_value", "Enter the source field, e.g. customer.email.");
            return None;
        }
        "path" => Source::Path(value.trim().to_owned()),
        "constant" => Source::Constant(value.to_owned()),
        _ => Source::Default,
    };
    let mut transforms = Vec::new();
    for (index, name) in ROW_FIELDS.iter().enumerate() {
        let n = index + 1;
        let op = form.get(&format!("op_{n}"));
        if op.is_empty() {
            continue;
        }
        let args = [
            form.get(&format!("a1_{n}")),
            form.get(&format!("a2_{n}")),
            form.get(&format!("a3_{n}")),
        ];
        match transform_of(op, args) {
            Ok(transform) => transforms.push(transform),
            Err(message) => errors.add_message(name, message),
        }
    }
    let rule = FieldRule {
        target,
        source,
        transforms,
    };
    if errors.is_empty() {
        // The checks the API makes too (source fields exist, formats parse, ...).
        for problem in FieldMap(vec![rule.clone()]).problems(flow) {
            let about_source =
                matches!(&rule.source, Source::Path(p) if problem.contains(&format!("`{}` is not", p.trim())));
            let field = if about_source { "source_value" } else { "rule" };
            errors.add_message(field, capitalise(&problem));
        }
    }
    Some(rule)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn decimal(text: &str, what: &str) -> Result<Decimal, String> {
    text.trim()
        .replace(',', ".")
        .parse::<Decimal>()
        .map_err(|_| format!("{what}: {:?} is not a number.", text.trim()))
}

fn required<'a>(text: &'a str, what: &str) -> Result<&'a str, String> {
    if text.trim().is_empty() {
        Err(format!("{what} is required."))
    } else {
        Ok(text)
    }
}

fn optional(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.trim().to_owned())
}

/// A transform from its form row.
fn transform_of(op: &str, [a1, a2, a3]: [&str; 3]) -> Result<Transform, String> {
    Ok(match op {
        "trim" => Transform::Trim,
        "upper" => Transform::Upper,
        "lower" => Transform::Lower,
        "digits_only" => Transform::DigitsOnly,
        "truncate" => Transform::Truncate {
            n: a1
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or("Truncate: the length must be a whole number of at least 1.")?,
        },
        "default_if_empty" => Transform::DefaultIfEmpty {
            value: required(a1, "Default when empty: the value")?.to_owned(),
        },
        "lookup" => {
            let mut table = BTreeMap::new();
            for entry in a1.split(';').filter(|e| !e.trim().is_empty()) {
                let (key, value) = entry
                    .split_once('=')
                    .ok_or_else(|| format!("Lookup: {:?} is not KEY=VALUE.", entry.trim()))?;
                table.insert(key.trim().to_owned(), value.trim().to_owned());
            }
            if table.is_empty() {
                return Err("Lookup: enter at least one KEY=VALUE entry.".into());
            }
            Transform::Lookup {
                table,
                fallback: optional(a2),
            }
        }
        "concat" => {
            let parts: Vec<Source> = a1
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|part| match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                    Some(text) => Source::Constant(text.to_owned()),
                    None => Source::Path(part.to_owned()),
                })
                .collect();
            if parts.is_empty() {
                return Err("Concatenate: enter at least one part.".into());
            }
            Transform::Concat {
                parts,
                separator: a2.to_owned(),
            }
        }
        "date_format" => Transform::DateFormat {
            from: optional(a2),
            to: required(a1, "Date format: the output format")?.trim().to_owned(),
        },
        "round" => Transform::Round {
            decimals: a1
                .trim()
                .parse()
                .ok()
                .filter(|d| *d <= 10)
                .ok_or("Round: the decimals must be a whole number from 0 to 10.")?,
        },
        "add" => Transform::Add {
            amount: decimal(a1, "Add")?,
        },
        "multiply" => {
            let text = a1.trim();
            let factor = match text.strip_suffix('%') {
                Some(percent) => {
                    Decimal::ONE + decimal(percent.trim_start_matches('+'), "Multiply")? / Decimal::from(100)
                }
                None => decimal(text, "Multiply")?,
            };
            Transform::Multiply { factor }
        }
        "condition" => Transform::Condition {
            equals: a1.trim().to_owned(),
            then: a2.to_owned(),
            otherwise: optional(a3),
        },
        other => return Err(format!("{other:?} is not a transform.")),
    })
}

/// A transform as its form row.
pub(super) fn row_of(transform: &Transform) -> (&'static str, String, String, String) {
    let none = String::new;
    match transform {
        Transform::Trim => ("trim", none(), none(), none()),
        Transform::Upper => ("upper", none(), none(), none()),
        Transform::Lower => ("lower", none(), none(), none()),
        Transform::DigitsOnly => ("digits_only", none(), none(), none()),
        Transform::Truncate { n } => ("truncate", n.to_string(), none(), none()),
        Transform::DefaultIfEmpty { value } => ("default_if_empty", value.clone(), none(), none()),
        Transform::Lookup { table, fallback } => (
            "lookup",
            table
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
            fallback.clone().unwrap_or_default(),
            none(),
        ),
        Transform::Concat { parts, separator } => ("concat", parts_text(parts), separator.clone(), none()),
        Transform::DateFormat { from, to } => ("date_format", to.clone(), from.clone().unwrap_or_default(), none()),
        Transform::Round { decimals } => ("round", decimals.to_string(), none(), none()),
        Transform::Add { amount } => ("add", amount.to_string(), none(), none()),
        Transform::Multiply { factor } => ("multiply", factor.to_string(), none(), none()),
        Transform::Condition {
            equals,
            then,
            otherwise,
        } => (
            "condition",
            equals.clone(),
            then.clone(),
            otherwise.clone().unwrap_or_default(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_rows_and_transforms_convert_both_ways() {
        let rows: &[(&str, [&str; 3])] = &[
            ("trim", ["", "", ""]),
            ("truncate", ["10", "", ""]),
            ("default_if_empty", ["NL", "", ""]),
            ("lookup", ["PIN=02; CASH=01", "99", ""]),
            ("concat", ["customer.last_name; \"shop\"", " ", ""]),
            ("date_format", ["%d-%m-%Y", "%Y-%m-%d", ""]),
            ("round", ["2", "", ""]),
            ("add", ["2.50", "", ""]),
            ("multiply", ["1.05", "", ""]),
            ("condition", ["NL", "Nederland", "Buitenland"]),
        ];
        for (op, args) in rows {
            let transform = transform_of(op, *args).unwrap();
            let (back_op, a1, a2, a3) = row_of(&transform);
            assert_eq!(back_op, *op);
            assert_eq!(transform_of(back_op, [&a1, &a2, &a3]).unwrap(), transform, "{op}");
        }
        assert_eq!(
            transform_of("multiply", ["+5%", "", ""]).unwrap(),
            Transform::Multiply {
                factor: "1.05".parse().unwrap()
            }
        );
        assert_eq!(
            transform_of("multiply", ["-10 %", "", ""]).unwrap(),
            Transform::Multiply {
                factor: "0.90".parse().unwrap()
            }
        );
        assert!(transform_of("truncate", ["0", "", ""]).is_err());
        assert!(
            transform_of("lookup", ["PIN", "", ""])
                .unwrap_err()
                .contains("KEY=VALUE")
        );
        assert!(
            transform_of("add", ["twee", "", ""])
                .unwrap_err()
                .contains("not a number")
        );
    }

    /// Any text in any of the editor's fields (a real target, a source kind and operation names mixed in, so
    /// the checks past the first are reached): a rule or per-field errors, never a panic.
    mod fuzz {
        use proptest::prelude::*;

        use super::*;

        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                Just(String::new()),
                "[ -~]{0,12}",
                prop::sample::select(vec![
                    "customer.email",
                    "%d-%m-%Y",
                    "PIN=02; CASH=01",
                    "1e40",
                    "-0",
                    "99999999999999999999999999999"
                ])
                .prop_map(str::to_owned),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
            #[test]
            fn any_rule_form_is_read_or_refused_per_field(
                flow in prop::sample::select(FlowKind::ALL.to_vec()),
                real_target in any::<bool>(),
                target in text(),
                kind in prop::sample::select(vec!["default", "path", "constant", "other"]),
                value in text(),
                ops in prop::collection::vec(
                    (prop::sample::select(vec!["trim", "truncate", "lookup", "concat", "date_format", "round", "add", "multiply", "condition", "upper", "nonsense", ""]), text(), text(), text()),
                    0..=ROW_FIELDS.len(),
                ),
            ) {
                let target = match target_fields(flow).first() {
                    Some(field) if real_target => field.target.to_owned(),
                    _ => target,
                };
                let mut pairs = vec![
                    ("target".to_owned(), target),
                    ("source_kind".to_owned(), kind.to_owned()),
                    ("source_value".to_owned(), value),
                ];
                for (index, (op, a1, a2, a3)) in ops.into_iter().enumerate() {
                    let n = index + 1;
                    pairs.push((format!("op_{n}"), op.to_owned()));
                    pairs.push((format!("a1_{n}"), a1));
                    pairs.push((format!("a2_{n}"), a2));
                    pairs.push((format!("a3_{n}"), a3));
                }
                let mut errors = FieldErrors::default();
                let rule = read_rule(&Fields::new(pairs), flow, &mut errors);
                prop_assert!(rule.is_some() || !errors.is_empty(), "refused without a reason");
            }
        }
    }
}
