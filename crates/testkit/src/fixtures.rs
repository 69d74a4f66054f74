//! Ready-made tenants: the wizard's settings, the default debtor, a stocked AFAS, a till day, and short
//! constructors for decimals and value maps.

use chrono::NaiveDate;
use koppel_sync::ledger::{FinancialDay, LedgerGroup, LedgerGroupKind, LedgerVat};
use koppel_sync::model::{DebtorDraft, DebtorParty, PersonName};
use koppel_sync::settings::{CompanySettings, FlowSettings, ValueMap};
use rust_decimal::Decimal;

use crate::*;

/// The AFAS debtor id of anonymous till sales in [`wizard_settings`].
pub const DEFAULT_DEBTOR: &str = "10000";

pub fn dec(value: &str) -> Decimal {
    value.parse().unwrap()
}

pub fn map(pairs: &[(&str, &str)]) -> ValueMap {
    ValueMap {
        table: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..ValueMap::default()
    }
}

/// Settings a tenant would have after the wizard, fitting the generated orders.
pub fn wizard_settings() -> FlowSettings {
    FlowSettings {
        company: CompanySettings {
            administration: Some("1".into()),
            debtor_ledger_account: Some("1300".into()),
            payment_terms: Some("14".into()),
            default_debtor: Some(DEFAULT_DEBTOR.into()),
            vat_duty: Some("1".into()),
            warehouse: Some("01".into()),
            payment_method_map: map(&[("PIN", "02"), ("CASH", "01"), ("IDEAL", "03")]),
            vat_code_by_country: map(&[("NL", "NL-HOOG"), ("NL:9", "NL-LAAG"), ("BE", "BE-21"), ("DE", "DE-19")]),
            revenue_account_by_country: map(&[("NL", "8000"), ("BE", "8100"), ("DE", "8200")]),
            ..CompanySettings::default()
        },
        shipping_cost_item: Some("VERZEND".into()),
        rounding_cost_item: Some("AFRONDING".into()),
        shipping_method_map: map(&[("PostNL", "PNL"), ("DHL", "DHL")]),
        journal_code: Some("90".into()),
        journal_start_date: NaiveDate::from_ymd_opt(2026, 12, 1),
        ..FlowSettings::default()
    }
}

/// A closed till day of one branch: clothing at 21% and books at 9%, paid by pin and in cash, to the cent.
pub fn till_day(date: NaiveDate, branch: &str) -> FinancialDay {
    let turnover =
        |name: &str, account: &str, percentage: &str, excl: &str, vat: &str, vat_account: &str| LedgerGroup {
            kind: LedgerGroupKind::Turnover,
            from_receipts: true,
            name: name.into(),
            account: account.into(),
            branch: branch.into(),
            incl: dec(excl) + dec(vat),
            vat: vec![LedgerVat {
                country: Some("NL".into()),
                percentage: dec(percentage),
                excl: dec(excl),
                vat: dec(vat),
                account: Some(vat_account.into()),
            }],
        };
    let payment = |name: &str, account: &str, amount: &str| LedgerGroup {
        kind: LedgerGroupKind::Payment,
        from_receipts: true,
        name: name.into(),
        account: account.into(),
        branch: branch.into(),
        incl: dec(amount),
        vat: Vec::new(),
    };
    FinancialDay {
        date,
        closed: true,
        groups: vec![
            turnover("Kleding", "8000", "21", "100.00", "21.00", "1500"),
            turnover("Boeken", "8020", "9", "50.00", "4.50", "1501"),
            payment("Pin", "1010", "150.00"),
            payment("Contant", "1000", "25.50"),
        ],
    }
}

/// An AFAS with the generated articles and the default debtor.
pub fn stocked_erp() -> FakeErp {
    let erp = FakeErp::default();
    for sku in generated_skus() {
        erp.add_article(&sku, &format!("Artikel {sku}"));
    }
    erp.add_debtor(DEFAULT_DEBTOR, debtor("kassa@winkel.nl", "Kassaverkoop"));
    // The percentages of the wizard's VAT codes.
    let rates = [("NL-HOOG", 21), ("NL-LAAG", 9), ("BE-21", 21), ("DE-19", 19)];
    erp.state.lock().unwrap().vat_rates = rates.map(|(code, rate)| (code.to_owned(), Decimal::from(rate))).into();
    erp
}

pub fn debtor(email: &str, last_name: &str) -> DebtorDraft {
    DebtorDraft {
        party: DebtorParty::Person(PersonName {
            first_name: None,
            last_name: last_name.into(),
        }),
        email: Some(email.into()),
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
