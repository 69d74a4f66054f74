//! The tenant's field-mapping rules change what the target receives, in every flow, and a rule that makes an
//! invalid value fails only its record, with a reason naming the field.

use koppel_core::FlowKind;

use super::*;
use koppel_sync::field_map::FieldMap;
use koppel_sync::model::SourceArticle;
use koppel_sync::ports::Outcome;
use koppel_testkit::{FakeJournal, FakePos};

fn rules(json: serde_json::Value) -> FieldMap {
    serde_json::from_value(json).unwrap()
}

fn with_rules(json: serde_json::Value) -> FlowSettings {
    FlowSettings {
        field_map: rules(json),
        ..settings()
    }
}

#[tokio::test]
async fn order_rules_change_what_afas_receives() {
    let settings = with_rules(serde_json::json!([
        {"target": "line.unit_price", "transforms": [{"op": "multiply", "factor": "1.05"}, {"op": "round", "decimals": 2}]},
        {"target": "line.description", "source": {"path": "line.sku"}, "transforms": [{"op": "concat", "parts": [{"path": "number"}], "separator": " / "}]},
        {"target": "order.warehouse", "source": {"constant": "HOOFD"}},
        {"target": "debtor.address.city", "transforms": [{"op": "upper"}]}
    ]));
    assert!(settings.field_map.problems(FlowKind::Orders).is_empty());
    let pos = FakePos::with_orders(vec![order(1, Some(customer(Some("jan@x.nl"), None, "NL")))]);
    let (erp, journal) = (erp(), FakeJournal::default());
    let report = run(FlowKind::Orders, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 1, "{:?}", journal.entries());
    let state = erp.snapshot();
    let (_, booked) = &state.orders[0];
    assert_eq!(booked.lines[0].unit_price, dec("13.13"), "12.50 + 5%, rounded");
    assert_eq!(
        booked.lines[0].quantity,
        dec("2"),
        "fields without a rule keep their default"
    );
    assert_eq!(booked.lines[0].description, "1001 / 2026-000001");
    assert_eq!(booked.warehouse.as_deref(), Some("HOOFD"));
    assert_eq!(booked.reference, "2026-000001");
    let debtor = state
        .debtors
        .values()
        .find(|d| d.email.as_deref() == Some("jan@x.nl"))
        .unwrap();
    assert_eq!(debtor.address.as_ref().unwrap().city, "AMSTERDAM");
}

#[tokio::test]
async fn a_rule_producing_an_invalid_value_fails_the_record_with_the_field_named() {
    let settings = with_rules(serde_json::json!([
        {"target": "line.quantity", "source": {"constant": "twee"}}
    ]));
    let pos = FakePos::with_orders(vec![order(1, Some(customer(Some("jan@x.nl"), None, "NL")))]);
    let (erp, journal) = (erp(), FakeJournal::default());
    let report = run(FlowKind::Orders, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.failed, 1);
    let reason = journal.entries()[0].reason.clone().unwrap();
    assert!(
        reason.starts_with("field mapping for `line.quantity`: \"twee\""),
        "{reason}"
    );
    assert_eq!(erp.write_calls(), 0, "nothing is sent for a record whose mapping fails");
}

#[tokio::test]
async fn customer_rules_shape_the_debtor() {
    let customer = SourceCustomer {
        relation_number: Some("7".into()),
        sync_marker: Some(7),
        phone: Some("+31 (0)20-123 45 67".into()),
        ..customer(Some("jan@x.nl"), Some("Jansen BV"), "NL")
    };
    let pos = FakePos::default();
    *pos.customers.lock().unwrap() = vec![customer];
    let settings = with_rules(serde_json::json!([
        {"target": "debtor.phone", "transforms": [{"op": "digits_only"}]},
        {"target": "debtor.party.name", "source": {"path": "company_name"}, "transforms": [{"op": "upper"}, {"op": "truncate", "n": 6}]},
        {"target": "debtor.payment_terms", "source": {"path": "address.country"}, "transforms": [{"op": "lookup", "table": {"NL": "14"}, "fallback": "30"}]}
    ]));
    let (erp, journal) = (erp(), FakeJournal::default());
    let report = run(FlowKind::Customers, &settings, &pos, &erp, &journal).await.unwrap();
    assert_eq!(report.counts.created, 1, "{:?}", journal.entries());
    let state = erp.snapshot();
    let debtor = state
        .debtors
        .values()
        .find(|d| d.email.as_deref() == Some("jan@x.nl"))
        .unwrap();
    assert_eq!(debtor.phone.as_deref(), Some("310201234567"));
    assert_eq!(debtor.payment_terms.as_deref(), Some("14"));
    assert!(matches!(&debtor.party, koppel_sync::model::DebtorParty::Organisation { name, .. } if name == "JANSEN"));
}

fn article(sku: &str) -> SourceArticle {
    SourceArticle {
        sync_marker: 1,
        product_number: "P1".into(),
        sku: sku.into(),
        title: "Schoen".into(),
        short_description: None,
        long_description: None,
        price_incl_vat: dec("12.10"),
        price_excl_vat: dec("10.00"),
        vat_percentage: dec("21"),
        ean: None,
        turnover_group: None,
        article_group: Some("Schoenen".into()),
        afas_article_group: None,
        unit: None,
        active: true,
        webshop: true,
        variant: None,
        ext_id: None,
    }
}

#[tokio::test]
async fn product_rules_and_the_dry_run_show_the_mapped_article() {
    let pos = FakePos::default();
    *pos.articles.lock().unwrap() = vec![article("S-1")];
    let mut settings = with_rules(serde_json::json!([
        {"target": "article.price", "transforms": [{"op": "add", "amount": "-0.10"}]},
        {"target": "article.description", "source": {"path": "title"}, "transforms": [{"op": "concat", "parts": [{"path": "article_group"}], "separator": " - "}]}
    ]));
    settings.company.article_group_map = koppel_sync::settings::ValueMap::forced("100");
    let planned = koppel_sync::dry_run(FlowKind::Products, &settings, &pos, &erp())
        .await
        .unwrap();
    assert_eq!(planned[0].outcome, Outcome::Created);
    let sent = planned[0].writes[0].request.to_value();
    assert_eq!(sent["price"], "12.00");
    assert_eq!(sent["description"], "Schoen - Schoenen");

    let (erp, journal) = (erp(), FakeJournal::default());
    run(FlowKind::Products, &settings, &pos, &erp, &journal).await.unwrap();
    let written = erp
        .snapshot()
        .articles
        .into_values()
        .find(|a| a.item_code == "S-1")
        .unwrap();
    assert_eq!(written.price, dec("12.00"));
    assert_eq!(written.description, "Schoen - Schoenen");
}

mod fuzz {
    //! A tenant's rules are input like any other: whatever they say, a run maps each record or fails it with a
    //! reason, and never panics.

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("%Y-%m-%d".to_owned()),
            Just("%".to_owned()),
            Just("%Q%.99f%:::z".to_owned()),
            Just("1e30".to_owned()),
            Just("79228162514264337593543950335".to_owned()),
            Just("-0.0000000000000000000000000001".to_owned()),
            Just("\u{0}\u{202e}".to_owned()),
            "\\PC{0,16}",
        ]
    }

    fn source() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!({"path": "line.sku"})),
            Just(json!({"path": "number"})),
            Just(json!({"path": "customer.address.0.nothing"})),
            text().prop_map(|path| json!({ "path": path })),
            text().prop_map(|constant| json!({ "constant": constant })),
        ]
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            text().prop_map(Value::from),
            any::<i64>().prop_map(|n| Value::from(n.to_string())),
            Just(Value::from("79228162514264337593543950335")),
        ]
    }

    fn transform() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!({"op": "trim"})),
            Just(json!({"op": "upper"})),
            Just(json!({"op": "digits_only"})),
            any::<u32>().prop_map(|n| json!({"op": "truncate", "n": n})),
            text().prop_map(|value| json!({"op": "default_if_empty", "value": value})),
            (text(), text()).prop_map(|(key, value)| json!({"op": "lookup", "table": {key: value}, "fallback": value})),
            (source(), text())
                .prop_map(|(part, separator)| json!({"op": "concat", "parts": [part], "separator": separator})),
            (text(), text()).prop_map(|(from, to)| json!({"op": "date_format", "from": from, "to": to})),
            any::<u32>().prop_map(|decimals| json!({"op": "round", "decimals": decimals})),
            number().prop_map(|amount| json!({"op": "add", "amount": amount})),
            number().prop_map(|factor| json!({"op": "multiply", "factor": factor})),
            (text(), text()).prop_map(|(equals, then)| json!({"op": "condition", "equals": equals, "then": then})),
        ]
    }

    fn rule() -> impl Strategy<Value = Value> {
        let targets = prop::sample::select(vec![
            "line.unit_price",
            "line.quantity",
            "line.description",
            "order.warehouse",
            "order.reference",
            "debtor.address.city",
            "debtor.party.name",
            "nonsense.field",
        ]);
        (
            targets,
            prop::option::of(source()),
            prop::collection::vec(transform(), 0..4),
        )
            .prop_map(|(target, source, transforms)| {
                let mut rule = json!({"target": target, "transforms": transforms});
                if let Some(source) = source {
                    rule["source"] = source;
                }
                rule
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_rules_map_or_fail_each_record_and_never_panic(rules in prop::collection::vec(rule(), 1..4)) {
            let Ok(field_map) = serde_json::from_value::<FieldMap>(Value::Array(rules)) else {
                return Ok(());
            };
            let _ = field_map.problems(FlowKind::Orders);
            let settings = FlowSettings { field_map, ..settings() };
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let journal = FakeJournal::default();
            let pos = FakePos::with_orders(vec![order(1, Some(customer(Some("jan@x.nl"), None, "NL"))), order(2, None)]);
            let report = runtime.block_on(run(FlowKind::Orders, &settings, &pos, &erp(), &journal)).unwrap();
            prop_assert_eq!(report.counts.total(), 2);
            for entry in journal.entries().iter().filter(|e| e.outcome == Outcome::Failed) {
                prop_assert!(entry.reason.as_deref().is_some_and(|r| !r.is_empty()));
            }
        }
    }
}

#[test]
fn a_value_the_draft_cannot_hold_names_the_field() {
    let settings = koppel_testkit::wizard_settings();
    let mut order = koppel_sync::flows::orders::map_order(&koppel_testkit::generated_order(1, 0), &settings).unwrap();
    let map: FieldMap = serde_json::from_value(serde_json::json!([
        {"target": "order.date", "transforms": [{"op": "date_format", "to": "%d-%m-%Y"}]}
    ]))
    .unwrap();
    let error = map.apply("order", &serde_json::Value::Null, &mut order).unwrap_err();
    assert_eq!(error.target, "order.date");
    assert!(
        error.to_string().starts_with("field mapping for `order.date`: \""),
        "{error}"
    );
    assert!(error.to_string().contains("is not a valid value here"), "{error}");
}
