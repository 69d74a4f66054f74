//! Engine and flow tests over the in-memory fakes.

mod customers;
mod engine;
mod field_map;
mod financial_journal;
mod money;
mod order_parties;
mod orders;
mod products;
mod requirements;
mod sales_checks;
mod stock;
mod validation;

use chrono::NaiveDate;
use koppel_core::FlowKind;
use rust_decimal::Decimal;

use koppel_sync::engine::{RunError, RunReport, run_flow};
use koppel_sync::model::{
    PaymentStatus, SourceAddress, SourceCustomer, SourceDocumentKind, SourceLine, SourceOrder, SourcePayment, VatMethod,
};
use koppel_sync::settings::{CompanySettings, FlowSettings};
use koppel_testkit::{FakeErp, FakeJournal, FakePos};

pub(crate) use koppel_testkit::{DEFAULT_DEBTOR, debtor, dec, map, stocked_erp as erp, wizard_settings as settings};

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
        line_total: koppel_sync::money::round_cents(total),
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
        vat_country: None,
        vat_shifted: false,
        customer,
        lines,
        shipping: None,
        delivery_method: None,
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
