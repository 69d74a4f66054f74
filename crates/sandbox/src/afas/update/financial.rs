//! `FiEntries` (POST only): one journal entry (`FiEntryPar`: year, period, administration, journal) with its
//! lines (`FiEntries`) on ledger accounts, debtors or creditors. Refused whole unless every code is known, every
//! entry date lies in the entry's year and period, amounts have at most 2 decimals and debit equals credit
//! exactly. Voucher numbers (`BpNr`) may repeat: no source says Profit refuses them (docs/sandbox.md).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::Write;
use super::body::{Element, without_empty};
use crate::afas::error::AfasError;
use crate::afas::fields::{decimal, text};
use crate::afas::store::{Fields, FinancialEntry, Store, Transaction, next_number};

const LEDGER: &str = "1";
const DEBTOR: &str = "2";
const CREDITOR: &str = "3";

/// The entry's year and period, which every line's entry date must fall in.
#[derive(Clone, Copy)]
struct Period {
    year: i64,
    period: i64,
}

pub fn write(tx: &mut Transaction, element: Element, _write: Write) -> Result<Fields, AfasError> {
    let header = element.fields();
    let store = tx.store();
    let administration = match header.get("UnId").and_then(Value::as_i64) {
        Some(id) => id,
        None => store.reference.administrations.first().map_or(1, |a| a.id),
    };
    if !store.reference.administrations.iter().any(|a| a.id == administration) {
        return Err(AfasError::does_not_exist("Administration", &administration.to_string()));
    }
    let journal = text(&header, "JoCo").unwrap_or_default();
    match store.reference.journals.get(journal) {
        None => return Err(AfasError::does_not_exist("Journal", journal)),
        Some(found) if found.blocked => {
            return Err(AfasError::validation(format!("Journal '{journal}' is blocked.")));
        }
        Some(_) => {}
    }
    let period = Period {
        year: header.get("Year").and_then(Value::as_i64).unwrap_or_default(),
        period: header.get("Peri").and_then(Value::as_i64).unwrap_or_default(),
    };
    if !(1..=12).contains(&period.period) {
        return Err(AfasError::validation(format!(
            "Period {} does not exist in financial year {}.",
            period.period, period.year
        )));
    }
    let lines: Vec<Fields> = element
        .children("FiEntries")
        .iter()
        .map(|line| without_empty(line.fields()))
        .collect();
    if lines.is_empty() {
        return Err(AfasError::validation("A journal entry needs at least one line."));
    }
    let (mut debit, mut credit) = (Decimal::ZERO, Decimal::ZERO);
    for line in &lines {
        check_line(store, line, period)?;
        debit += amount(line, "AmDe")?;
        credit += amount(line, "AmCr")?;
    }
    if debit != credit {
        return Err(AfasError::validation(format!(
            "The journal entry is not in balance. Debit: {debit}, credit: {credit}, difference: {}.",
            debit - credit
        )));
    }
    let number = next_number(&mut tx.counters().entry);
    let mut fields = without_empty(header);
    fields.insert("UnId".to_owned(), json!(administration));
    let entry = FinancialEntry {
        administration,
        fields,
        lines,
        created: tx.now,
    };
    tx.put_financial_entry(number.clone(), entry);
    let mut keys = Fields::new();
    keys.insert("EnNo".to_owned(), json!(number));
    keys.insert("UnId".to_owned(), json!(administration.to_string()));
    Ok(keys)
}

/// A line's account, VAT code and entry date.
fn check_line(store: &Store, line: &Fields, period: Period) -> Result<(), AfasError> {
    let Some(account) = text(line, "AcNr") else {
        return Err(AfasError::validation(
            "(AntaObject) There is no value entered in mandatory field 'Rekeningnummer' (AcNr)",
        ));
    };
    match text(line, "VaAs").unwrap_or_default() {
        LEDGER => match store.reference.ledger.get(account) {
            None => return Err(AfasError::does_not_exist("Account number", account)),
            Some(ledger) if ledger.blocked => {
                return Err(AfasError::validation(format!("Account '{account}' is blocked.")));
            }
            Some(_) => {}
        },
        DEBTOR if store.debtors.contains_key(account) => {}
        DEBTOR => return Err(AfasError::does_not_exist("Debtor", account)),
        // The simulated administration has no creditors.
        CREDITOR => return Err(AfasError::does_not_exist("Creditor", account)),
        other => return Err(AfasError::does_not_exist("Account feature", other)),
    }
    if let Some(vat_code) = text(line, "VaId")
        && !store.reference.vat_codes.contains_key(vat_code)
    {
        return Err(AfasError::does_not_exist("VAT code", vat_code));
    }
    let entry_date = text(line, "EnDa").unwrap_or_default();
    let in_period = entry_date
        .get(..10)
        .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .is_some_and(|day| i64::from(day.year()) == period.year && i64::from(day.month()) == period.period);
    if !in_period {
        return Err(AfasError::validation(format!(
            "The entry date '{entry_date}' is not in period {} of financial year {}.",
            period.period, period.year
        )));
    }
    Ok(())
}

/// An amount (`AmDe`/`AmCr`), absent is 0; more than 2 decimals is refused.
fn amount(line: &Fields, field: &str) -> Result<Decimal, AfasError> {
    let value = decimal(line, field).unwrap_or_default();
    if value.normalize().scale() > 2 {
        return Err(AfasError::validation(format!(
            "The amount {value} ({field}) has more than 2 decimals."
        )));
    }
    Ok(value)
}
