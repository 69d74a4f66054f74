//! Shared by the integration tests: typed bodies of every connector, and helpers for the sandbox.
#![allow(dead_code)]

use std::str::FromStr;

use chrono::NaiveDate;
use koppel_afas::update::{
    AccountKind, Address, Contact, DebtorFields, FinancialEntry, FinancialEntryLine, ItemArticle, ItemType,
    Organisation, OrganisationFields, Person, PersonFields, SalesDocument, SalesDocumentKind, SalesHeader, SalesLine,
    SalesPrice, SalesRelationOrg, SalesRelationPer, StockMutation, StockMutationKind,
};
use rust_decimal::Decimal;

pub fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn address() -> Address {
    Address {
        country: "NL".into(),
        is_po_box: false,
        street: Some("Damrak".into()),
        house_number: Some(12),
        house_number_addition: Some("A".into()),
        postcode: Some("1012 LG".into()),
        city: Some("Amsterdam".into()),
        begin_date: date(2026, 11, 1),
        city_from_postcode: false,
    }
}

pub fn debtor() -> DebtorFields {
    DebtorFields {
        payment_condition: Some("14".into()),
        collective_account: Some("1300".into()),
        is_debtor: Some(true),
        ..DebtorFields::insert("EUR")
    }
}

pub fn person(email: &str) -> Person {
    Person {
        fields: PersonFields {
            first_name: Some("Anna".into()),
            last_name: Some("Jansen".into()),
            email: Some(email.into()),
            ..PersonFields::new_person()
        },
        visit_address: Some(address()),
        postal_address: None,
    }
}

pub fn organisation_debtor(name: &str, email: &str) -> SalesRelationOrg {
    SalesRelationOrg {
        debtor: debtor(),
        organisation: Organisation {
            fields: OrganisationFields {
                email: Some(email.into()),
                ..OrganisationFields::new_organisation(name)
            },
            visit_address: Some(address()),
            postal_address: Some(address()),
            contacts: vec![Contact::person(person(email))],
        },
    }
}

pub fn person_debtor(email: &str) -> SalesRelationPer {
    SalesRelationPer {
        debtor: debtor(),
        person: person(email),
    }
}

pub fn sales_document(kind: SalesDocumentKind, debtor_id: &str, item_code: &str, reference: &str) -> SalesDocument {
    SalesDocument {
        kind,
        header: SalesHeader {
            debtor_id: debtor_id.into(),
            date: Some(date(2026, 11, 29)),
            reference: Some(reference.into()),
            currency: Some("EUR".into()),
            prices_include_vat: Some(true),
            warehouse: Some("01".into()),
            ..SalesHeader::default()
        },
        lines: vec![
            SalesLine {
                description: Some("T-shirt".into()),
                discount_percentage: Some(dec("10")),
                ..SalesLine::article(item_code, "stk", dec("2"), Some(dec("19.95")))
            },
            SalesLine::article(item_code, "stk", dec("1.5"), Some(dec("0.10"))),
        ],
    }
}

pub fn article(code: &str) -> ItemArticle {
    ItemArticle {
        description: Some("Koppel test article".into()),
        sales_price: Some(dec("12.34")),
        vat_group: Some("1".into()),
        track_stock: Some(true),
        barcode: Some("8712345678906".into()),
        ..ItemArticle::new(code, "100", "stk")
    }
}

pub fn stock_mutation(item_code: &str, quantity: Decimal) -> StockMutation {
    StockMutation {
        kind: StockMutationKind::BookIn,
        reason: "6".into(),
        date: Some(date(2026, 11, 29)),
        description: Some("Koppel stock sync".into()),
        item_type: ItemType::Article,
        item_code: item_code.into(),
        dimension1: None,
        dimension2: None,
        warehouse: "01".into(),
        location: "A1".into(),
        unit: "stk".into(),
        units: quantity,
        quantity,
    }
}

pub fn sales_price(item_code: &str) -> SalesPrice {
    SalesPrice {
        item_type: ItemType::Article,
        item_code: Some(item_code.into()),
        unit: "stk".into(),
        price_list: None,
        debtor_id: Some("10001".into()),
        price: Some(dec("17.50")),
        currency: "EUR".into(),
        start_date: date(2026, 12, 1),
        end_date: Some(date(2026, 12, 31)),
        promotion: Some(false),
        discount_allowed: None,
        volume_price: None,
        volume: None,
    }
}

/// A `metrics` recorder that remembers which metrics were registered, with their labels.
#[derive(Default)]
pub struct SeenMetrics(pub std::sync::Mutex<Vec<String>>);

impl SeenMetrics {
    fn remember(&self, kind: &str, key: &metrics::Key) {
        let labels: Vec<String> = key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
        self.0
            .lock()
            .unwrap()
            .push(format!("{kind} {} {}", key.name(), labels.join(",")));
    }
}

impl metrics::Recorder for SeenMetrics {
    fn describe_counter(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}
    fn describe_gauge(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}
    fn describe_histogram(&self, _: metrics::KeyName, _: Option<metrics::Unit>, _: metrics::SharedString) {}

    fn register_counter(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Counter {
        self.remember("counter", key);
        metrics::Counter::noop()
    }

    fn register_gauge(&self, _: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Gauge {
        metrics::Gauge::noop()
    }

    fn register_histogram(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Histogram {
        self.remember("histogram", key);
        metrics::Histogram::noop()
    }
}

/// A till's day as one memorial entry: pin and cash debited, revenue and VAT credited.
pub fn financial_entry(voucher: &str) -> FinancialEntry {
    let line = |kind: AccountKind, account: &str, debit: &str, credit: &str, vat: Option<&str>| FinancialEntryLine {
        account_kind: kind,
        account: account.into(),
        entry_date: date(2026, 12, 3),
        voucher_date: date(2026, 12, 3),
        voucher_number: Some(voucher.into()),
        description: Some("Kassa Amsterdam 3 december".into()),
        debit: dec(debit),
        credit: dec(credit),
        vat_code: vat.map(Into::into),
    };
    FinancialEntry {
        year: 2026,
        period: 12,
        administration: Some("1".into()),
        journal: "90".into(),
        lines: vec![
            line(AccountKind::Ledger, "1010", "121.00", "0", None),
            line(AccountKind::Ledger, "1000", "10.90", "0", None),
            line(AccountKind::Ledger, "8000", "0", "100.00", Some("1")),
            line(AccountKind::Ledger, "1500", "0", "21.00", Some("1")),
            line(AccountKind::Ledger, "8010", "0", "10.00", Some("2")),
            line(AccountKind::Ledger, "1510", "0", "0.90", Some("2")),
        ],
    }
}
