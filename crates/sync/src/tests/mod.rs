//! Engine and flow tests over the in-memory fakes.

mod customers;
mod engine;
mod money;
mod orders;
mod products;
mod stock;

use chrono::NaiveDate;
use koppel_core::FlowKind;
use rust_decimal::Decimal;

use crate::engine::{RunError, RunReport, run_flow};
use crate::model::{
    DebtorDraft, DebtorParty, PaymentStatus, PersonName, SourceAddress, SourceCustomer, SourceDocumentKind, SourceLine,
    SourceOrder, SourcePayment, VatMethod,
};
use crate::settings::{FlowSettings, ValueMap};
use crate::testing::{FakeErp, FakeJournal, FakePos, generated_skus};

pub(crate) const DEFAULT_DEBTOR: &str = "10000";

pub(crate) fn dec(value: &str) -> Decimal {
    value.parse().unwrap()
}

pub(crate) fn map(pairs: &[(&str, &str)]) -> ValueMap {
    ValueMap {
        table: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..ValueMap::default()
    }
}

/// Settings a tenant would have after the wizard.
pub(crate) fn settings() -> FlowSettings {
    FlowSettings {
        administration: Some("1".into()),
        debtor_ledger_account: Some("1300".into()),
        payment_terms: Some("14".into()),
        default_debtor: Some(DEFAULT_DEBTOR.into()),
        vat_duty: Some("1".into()),
        warehouse: Some("01".into()),
        shipping_cost_item: Some("VERZEND".into()),
        rounding_cost_item: Some("AFRONDING".into()),
        payment_method_map: map(&[("PIN", "02"), ("CASH", "01"), ("IDEAL", "03")]),
        shipping_method_map: map(&[("PostNL", "PNL"), ("DHL", "DHL")]),
        vat_code_by_country: map(&[("NL", "NL-HOOG"), ("NL:9", "NL-LAAG"), ("BE", "BE-21"), ("DE", "DE-19")]),
        revenue_account_by_country: map(&[("NL", "8000"), ("BE", "8100"), ("DE", "8200")]),
        ..FlowSettings::default()
    }
}

/// An AFAS with the generated articles and the default debtor.
pub(crate) fn erp() -> FakeErp {
    let erp = FakeErp::default();
    for sku in generated_skus() {
        erp.add_article(&sku, &format!("Artikel {sku}"));
    }
    erp.add_debtor(DEFAULT_DEBTOR, debtor("kassa@winkel.nl", "Kassaverkoop"));
    erp
}

pub(crate) fn debtor(email: &str, last_name: &str) -> DebtorDraft {
    DebtorDraft {
        party: DebtorParty::Person(PersonName {
            first_name: None,
            last_name: last_name.into(),
        }),
        email: email.into(),
        phone: None,
        address: None,
        ledger_account: None,
        payment_terms: None,
        currency: None,
        vat_duty: None,
        vat_code: None,
        revenue_account: None,
        vat_number: None,
    }
}

pub(crate) fn customer(email: Option<&str>, company: Option<&str>, country: &str) -> SourceCustomer {
    SourceCustomer {
        relation_number: None,
        sync_marker: None,
        company_name: company.map(Into::into),
        first_name: Some("Jan".into()),
        last_name: Some("Jansen".into()),
        email: email.map(Into::into),
        phone: Some("0201234567".into()),
        address: Some(SourceAddress {
            street_line: "Kerkstraat 12a".into(),
            postcode: "1017 GC".into(),
            city: "Amsterdam".into(),
            country: country.into(),
        }),
        delivery_address: None,
        vat_number: None,
    }
}

pub(crate) fn line(sku: &str, quantity: &str, price: &str, vat: &str) -> SourceLine {
    let total = dec(quantity) * dec(price);
    SourceLine {
        sku: sku.into(),
        description: format!("Artikel {sku}"),
        quantity: dec(quantity),
        unit_price: dec(price),
        discount_percentage: Decimal::ZERO,
        vat_percentage: dec(vat),
        line_total: crate::money::round_cents(total),
    }
}

/// A paid order with one line of article 1001, for `customer`.
pub(crate) fn order(index: i64, customer: Option<SourceCustomer>) -> SourceOrder {
    let lines = vec![line("1001", "2", "12.50", "21")];
    let total = lines.iter().map(|l| l.line_total).sum();
    SourceOrder {
        id: format!("o-{index}"),
        number: format!("2026-{index:06}"),
        kind: SourceDocumentKind::Order,
        sync_marker: index,
        date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        payment_status: PaymentStatus::Paid,
        delivered: false,
        completed: false,
        cancelled: false,
        vat_method: VatMethod::Including,
        customer,
        lines,
        shipping: None,
        payments: vec![SourcePayment {
            method: "PIN".into(),
            amount: total,
        }],
        total_incl_vat: total,
        branch: None,
    }
}

pub(crate) async fn run(
    flow: FlowKind,
    settings: &FlowSettings,
    pos: &FakePos,
    erp: &FakeErp,
    journal: &FakeJournal,
) -> Result<RunReport, RunError> {
    run_flow(flow, settings, pos, erp, journal).await
}
