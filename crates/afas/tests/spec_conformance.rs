//! Every body the client produces validates against the official AFAS OpenAPI schema of its connector
//! (`components.schemas.<Connector>_<POST|PUT>` from AFASSoftware/OASContent 6.6.9), checked twice: with the
//! vendor's schema as published, and with the sandbox's stricter reading (unknown fields rejected).

mod common;

use common::*;
use koppel_afas::update::{SalesDocumentKind, SalesHeader, UpdateConnector};
use serde_json::Value;

const SPEC: &str = include_str!("../specs/afas-update-connectors.json");

fn official_schema(connector: &str, method: &str) -> Value {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    spec["schemas"][format!("{connector}_{method}")].clone()
}

fn assert_valid(body: &impl UpdateConnector, method: &str) {
    let json = body.body().unwrap();
    let connector = body.connector();
    let schema = official_schema(connector, method);
    assert!(!schema.is_null(), "no official schema for {connector}_{method}");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{connector} {method} vs the official schema: {errors:#?}\n{json:#}"
    );
    if let Err(errors) = koppel_afas::schema::validate(connector, method, &json) {
        panic!("{connector} {method} vs the sandbox's strict schema: {errors:#?}\n{json:#}");
    }
}

#[test]
fn sales_documents_validate() {
    for kind in [
        SalesDocumentKind::Order,
        SalesDocumentKind::DirectInvoice,
        SalesDocumentKind::Quotation,
    ] {
        let document = sales_document(kind, "10001", "1000", "MPLUS-2026-1");
        assert_valid(&document, "POST");
        let update = koppel_afas::update::SalesDocument {
            header: SalesHeader {
                number: Some("20260001".into()),
                ..document.header.clone()
            },
            ..document
        };
        assert_valid(&update, "PUT");
    }
}

#[test]
fn each_sales_document_carries_only_its_own_connectors_fields() {
    // A shipped web order has a transporter; an order and a quotation carry it, a direct invoice cannot.
    for kind in [
        SalesDocumentKind::Order,
        SalesDocumentKind::DirectInvoice,
        SalesDocumentKind::Quotation,
    ] {
        let mut document = sales_document(kind, "10001", "1000", "MPLUS-2026-7");
        document.header.transporter = Some("POSTNL".into());
        assert_valid(&document, "POST");
        let body = document.body().unwrap();
        let fields = &body[kind.connector()]["Element"]["Fields"];
        assert_eq!(
            fields.get("TrPt").is_some(),
            kind.has_transporter(),
            "{}",
            kind.connector()
        );
    }
}

#[test]
fn debtors_validate() {
    assert_valid(&organisation_debtor("Jansen BV", "info@jansen.example"), "POST");
    assert_valid(&person_debtor("anna@mail.example"), "POST");
    let mut update = organisation_debtor("Jansen BV", "info@jansen.example");
    update.debtor.debtor_id = Some("10001".into());
    assert_valid(&update, "PUT");
    let mut update = person_debtor("anna@mail.example");
    update.debtor.debtor_id = Some("10002".into());
    assert_valid(&update, "PUT");
}

#[test]
fn articles_stock_and_prices_validate() {
    assert_valid(&article("KOP-1"), "POST");
    assert_valid(&article("KOP-1"), "PUT");
    assert_valid(&stock_mutation("1000", dec("3")), "POST");
    assert_valid(&sales_price("1000"), "POST");
}

#[test]
fn financial_entries_validate() {
    let entry = financial_entry("MPLUS-20261203-1");
    assert_valid(&entry, "POST");
    let body = entry.body().unwrap();
    assert!(body.get("FiEntryPar").is_some() && body.get("FiEntries").is_none());
    let debtor_line = koppel_afas::update::FinancialEntryLine {
        account_kind: koppel_afas::update::AccountKind::Debtor,
        account: "10000".into(),
        ..entry.lines[0].clone()
    };
    let with_debtor = koppel_afas::update::FinancialEntry {
        administration: None,
        lines: vec![debtor_line],
        ..entry
    };
    assert_valid(&with_debtor, "POST");
}

#[test]
fn decimals_are_json_numbers_with_their_exact_digits() {
    let body = sales_document(SalesDocumentKind::Order, "10001", "1000", "R")
        .body()
        .unwrap();
    let line = &body["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"][1]["Fields"];
    assert!(line["QuUn"].is_number() && line["Upri"].is_number());
    assert_eq!(line["QuUn"].to_string(), "1.5");
    assert_eq!(line["Upri"].to_string(), "0.1");
}

#[test]
fn absent_optionals_are_not_sent() {
    let body = sales_document(SalesDocumentKind::Order, "10001", "1000", "R")
        .body()
        .unwrap();
    let header = body["FbSales"]["Element"]["Fields"].as_object().unwrap();
    assert!(
        !header.contains_key("OrNu") && !header.contains_key("PaCd"),
        "{header:?}"
    );
    assert!(header.values().all(|v| !v.is_null()));
}

#[test]
fn the_schema_check_rejects_what_the_spec_forbids() {
    let schema = official_schema("FbSales", "POST");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let without_debtor = serde_json::json!({"FbSales": {"Element": {"Fields": {"OrDa": "2026-11-29"}}}});
    assert!(!validator.is_valid(&without_debtor));
    let decimal_as_text = serde_json::json!({"FbSales": {"Element": {"Fields": {"DbId": "1"}, "Objects": [
        {"FbSalesLines": {"Element": [{"Fields": {"VaIt": "2", "ItCd": "1", "BiUn": "stk", "QuUn": "1"}}]}}]}}});
    assert!(!validator.is_valid(&decimal_as_text));
    let bad_date = serde_json::json!({"FbSales": {"Element": {"Fields": {"DbId": "1", "OrDa": "29-11-2026"}}}});
    assert!(!validator.is_valid(&bad_date));
}
