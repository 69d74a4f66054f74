//! Each transform and rule of the field mapping, on values and on drafts.

use std::collections::BTreeMap;

use super::*;
use crate::model::{Address, DebtorDraft, DebtorParty, PersonName};

fn run(transform: Transform, value: Option<&str>) -> Result<Option<String>, String> {
    let record = serde_json::json!({"first_name": "Anna", "last_name": "Jansen", "empty": ""});
    transform.apply(value.map(str::to_owned), &value.map(str::to_owned), &record)
}

fn ok(transform: Transform, value: Option<&str>) -> Option<String> {
    run(transform.clone(), value).unwrap_or_else(|e| panic!("{transform:?} on {value:?}: {e}"))
}

#[test]
fn text_transforms() {
    let cases: &[(Transform, Option<&str>, Option<&str>)] = &[
        (Transform::Trim, Some("  Utrecht "), Some("Utrecht")),
        (Transform::Trim, None, None),
        (Transform::Upper, Some("Utrecht"), Some("UTRECHT")),
        (Transform::Upper, Some("straße"), Some("STRASSE")),
        (Transform::Lower, Some("ANNA@Example.NL"), Some("anna@example.nl")),
        (Transform::DigitsOnly, Some("+31 (0)30-123 45 67"), Some("310301234567")),
        (Transform::DigitsOnly, Some("abc"), Some("")),
        (Transform::Truncate { n: 3 }, Some("Kerkstraat"), Some("Ker")),
        (Transform::Truncate { n: 3 }, Some("Ké"), Some("Ké")),
        (Transform::Truncate { n: 2 }, Some("éàü"), Some("éà")),
        (Transform::DefaultIfEmpty { value: "NL".into() }, None, Some("NL")),
        (Transform::DefaultIfEmpty { value: "NL".into() }, Some("  "), Some("NL")),
        (Transform::DefaultIfEmpty { value: "NL".into() }, Some("BE"), Some("BE")),
    ];
    for (transform, input, expected) in cases {
        assert_eq!(
            ok(transform.clone(), *input).as_deref(),
            *expected,
            "{transform:?} on {input:?}"
        );
    }
}

#[test]
fn lookup_concat_and_condition() {
    let table: BTreeMap<String, String> = [
        ("PIN".to_owned(), "02".to_owned()),
        ("Cash".to_owned(), "01".to_owned()),
    ]
    .into();
    let lookup = |fallback: Option<&str>| Transform::Lookup {
        table: table.clone(),
        fallback: fallback.map(str::to_owned),
    };
    let concat = Transform::Concat {
        parts: vec![
            Source::Path("last_name".into()),
            Source::Path("empty".into()),
            Source::Constant("(shop)".into()),
        ],
        separator: " ".into(),
    };
    let condition = |otherwise: Option<&str>| Transform::Condition {
        equals: "NL".into(),
        then: "Nederland".into(),
        otherwise: otherwise.map(str::to_owned),
    };
    let cases: Vec<(Transform, Option<&str>, Option<&str>)> = vec![
        (lookup(None), Some("pin"), Some("02")),
        (lookup(None), Some(" CASH "), Some("01")),
        (lookup(None), Some("IDEAL"), Some("IDEAL")),
        (lookup(Some("99")), Some("IDEAL"), Some("99")),
        (lookup(Some("99")), None, Some("99")),
        (concat.clone(), Some("Anna"), Some("Anna Jansen (shop)")),
        (concat, None, Some("Jansen (shop)")),
        (condition(None), Some("NL"), Some("Nederland")),
        (condition(None), Some("BE"), Some("BE")),
        (condition(Some("Buitenland")), Some("BE"), Some("Buitenland")),
        (condition(Some("Buitenland")), None, Some("Buitenland")),
    ];
    for (transform, input, expected) in cases {
        assert_eq!(
            ok(transform.clone(), input).as_deref(),
            expected,
            "{transform:?} on {input:?}"
        );
    }
}

#[test]
fn dates() {
    let format = |from: Option<&str>, to: &str| Transform::DateFormat {
        from: from.map(str::to_owned),
        to: to.to_owned(),
    };
    let cases: &[(Transform, Option<&str>, Option<&str>)] = &[
        (format(None, "%d-%m-%Y"), Some("2026-03-07"), Some("07-03-2026")),
        (format(None, "%Y%m%d"), Some("2026-03-07T10:11:12Z"), Some("20260307")),
        (
            format(Some("%d/%m/%Y"), "%Y-%m-%d"),
            Some("07/03/2026"),
            Some("2026-03-07"),
        ),
        (format(None, "%d-%m-%Y"), None, None),
        (format(None, "%d-%m-%Y"), Some(""), Some("")),
    ];
    for (transform, input, expected) in cases {
        assert_eq!(
            ok(transform.clone(), *input).as_deref(),
            *expected,
            "{transform:?} on {input:?}"
        );
    }
    let error = run(format(None, "%d-%m-%Y"), Some("7 maart")).unwrap_err();
    assert!(error.contains("not a date"), "{error}");
    let error = run(format(Some("%d/%m/%Y"), "%Y"), Some("2026-03-07")).unwrap_err();
    assert!(error.contains("%d/%m/%Y"), "{error}");
    assert!(
        run(format(None, "%Q"), Some("2026-03-07")).is_err(),
        "a bad format is an error, not a panic"
    );
}

#[test]
fn numbers_are_exact() {
    let cases: &[(Transform, Option<&str>, Option<&str>)] = &[
        (Transform::Round { decimals: 2 }, Some("2.345"), Some("2.35")),
        (Transform::Round { decimals: 2 }, Some("-2.345"), Some("-2.35")),
        (Transform::Round { decimals: 0 }, Some("2.5"), Some("3")),
        (Transform::Round { decimals: 2 }, Some("1.10"), Some("1.10")),
        (
            Transform::Add {
                amount: "2.50".parse().unwrap(),
            },
            Some("10"),
            Some("12.50"),
        ),
        (
            Transform::Add {
                amount: "-0.01".parse().unwrap(),
            },
            Some("0.10"),
            Some("0.09"),
        ),
        (
            Transform::Multiply {
                factor: "1.05".parse().unwrap(),
            },
            Some("19.99"),
            Some("20.9895"),
        ),
        (
            Transform::Multiply {
                factor: "1.05".parse().unwrap(),
            },
            Some(" 0.1 "),
            Some("0.105"),
        ),
        (
            Transform::Multiply {
                factor: "1.05".parse().unwrap(),
            },
            None,
            None,
        ),
        (
            Transform::Add {
                amount: "1".parse().unwrap(),
            },
            Some(""),
            Some(""),
        ),
    ];
    for (transform, input, expected) in cases {
        assert_eq!(
            ok(transform.clone(), *input).as_deref(),
            *expected,
            "{transform:?} on {input:?}"
        );
    }
    let error = run(
        Transform::Multiply {
            factor: "2".parse().unwrap(),
        },
        Some("twelve"),
    )
    .unwrap_err();
    assert_eq!(error, "\"twelve\" is not a number");
}

#[test]
fn rules_parse_from_json_as_the_api_takes_them() {
    let map: FieldMap = serde_json::from_value(serde_json::json!([
        {"target": "line.unit_price", "transforms": [{"op": "multiply", "factor": "1.05"}, {"op": "round", "decimals": 2}]},
        {"target": "order.warehouse", "source": {"constant": "HOOFD"}},
        {"target": "debtor.address.city", "source": {"path": "customer.address.city"}, "transforms": [{"op": "upper"}]},
        {"target": "order.currency", "source": "default", "transforms": [{"op": "condition", "equals": "EUR", "then": "EUR", "else": "USD"}]}
    ]))
    .unwrap();
    assert_eq!(map.0[0].source, Source::Default);
    assert_eq!(map.0[1].source, Source::Constant("HOOFD".into()));
    assert!(
        map.problems(FlowKind::Orders).is_empty(),
        "{:?}",
        map.problems(FlowKind::Orders)
    );
    let back: FieldMap = serde_json::from_value(serde_json::to_value(&map).unwrap()).unwrap();
    assert_eq!(back, map);
    assert!(
        serde_json::from_value::<FieldMap>(serde_json::json!([{"target": "x", "transforms": [{"op": "shout"}]}]))
            .is_err()
    );
}

#[test]
fn problems_name_the_rule() {
    let rule = |target: &str, source: Source, transforms: Vec<Transform>| FieldRule {
        target: target.into(),
        source,
        transforms,
    };
    let map = FieldMap(vec![
        rule("order.nonsense", Source::Default, vec![]),
        rule("order.reference", Source::Path("customer.emial".into()), vec![]),
        rule(
            "order.reference",
            Source::Path("payments.3.method".into()),
            vec![Transform::Truncate { n: 0 }],
        ),
        rule(
            "line.unit_price",
            Source::Path("line.unit_price".into()),
            vec![Transform::DateFormat {
                from: None,
                to: "%Q".into(),
            }],
        ),
        rule("order.warehouse", Source::Path("line.sku".into()), vec![]),
    ]);
    let problems = map.problems(FlowKind::Orders);
    assert_eq!(
        problems,
        vec![
            "`order.nonsense` is not a target field of the orders flow",
            "`order.reference`: `customer.emial` is not a field of the source record",
            "`order.reference` has more than one rule",
            "`order.reference`: truncate needs a length of at least 1",
            "`line.unit_price`: \"%Q\" is not a date format (e.g. %d-%m-%Y)",
            "`order.warehouse`: `line.…` source fields feed only `line.…` targets",
        ]
    );
    assert_eq!(
        FieldMap(vec![rule("article.price", Source::Default, vec![])]).problems(FlowKind::Stock),
        vec!["the stock flow has no field mapping"]
    );
    for flow in [FlowKind::Orders, FlowKind::Customers, FlowKind::Products] {
        assert!(!source_paths(flow).is_empty());
        assert!(!target_fields(flow).is_empty());
    }
    assert!(source_paths(FlowKind::Orders).contains(&"customer.address.city".to_owned()));
    assert!(source_paths(FlowKind::Orders).contains(&"line.unit_price".to_owned()));
    assert!(source_paths(FlowKind::Customers).contains(&"address.city".to_owned()));
}

fn debtor() -> DebtorDraft {
    DebtorDraft {
        party: DebtorParty::Person(PersonName {
            first_name: Some("Anna".into()),
            last_name: "Jansen".into(),
        }),
        email: Some("anna@example.nl".into()),
        phone: None,
        address: Some(Address {
            street: "Kerkstraat".into(),
            house_number: Some("12".into()),
            house_number_addition: None,
            postcode: "1234 AB".into(),
            city: "Utrecht".into(),
            country: "NL".into(),
        }),
        ledger_account: None,
        payment_terms: None,
        currency: Some("EUR".into()),
        vat_duty: None,
        vat_code: None,
        revenue_account: None,
        vat_number: None,
    }
}

#[test]
fn applying_rules_to_a_draft() {
    let source = serde_json::json!({"phone": "+31 30 123", "address": {"city": "utrecht"}});
    let map: FieldMap = serde_json::from_value(serde_json::json!([
        {"target": "debtor.address.city", "transforms": [{"op": "upper"}]},
        {"target": "debtor.phone", "source": {"path": "phone"}, "transforms": [{"op": "digits_only"}]},
        {"target": "debtor.party.name", "source": {"constant": "only for organisations"}},
        {"target": "article.description", "source": {"constant": "not this scope"}}
    ]))
    .unwrap();
    let mut draft = debtor();
    map.apply("debtor", &source, &mut draft).unwrap();
    assert_eq!(draft.address.as_ref().unwrap().city, "UTRECHT");
    assert_eq!(draft.phone.as_deref(), Some("3130123"));
    assert_eq!(draft.party, debtor().party, "a person has no organisation name to set");

    // A debtor without an address: the address rules have nothing to map onto.
    let mut without = DebtorDraft {
        address: None,
        ..debtor()
    };
    map.apply("debtor", &source, &mut without).unwrap();
    assert_eq!(without.address, None);
}

#[test]
fn a_number_past_what_an_exact_decimal_holds_fails_instead_of_panicking() {
    // Found by the fuzz test: Decimal's `*` and `+` panic on overflow.
    let largest = "79228162514264337593543950335";
    let twice = Transform::Multiply {
        factor: "2".parse().unwrap(),
    };
    assert!(run(twice, Some(largest)).unwrap_err().contains("too large"));
    let more = Transform::Add {
        amount: "1".parse().unwrap(),
    };
    assert!(run(more, Some(largest)).unwrap_err().contains("too large"));
    let fine = Transform::Multiply {
        factor: "1.05".parse().unwrap(),
    };
    assert_eq!(run(fine, Some("10")).unwrap().as_deref(), Some("10.50"));
}
