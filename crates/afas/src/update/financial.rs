//! Financial entries (`FiEntries`): one journal entry (journaalpost) of balanced lines on ledger accounts,
//! debtors or creditors, in one journal, year and period. The body's root is `FiEntryPar` (year, period,
//! administration, journal) with the lines as its `FiEntries` object. AFAS answers the entry number `EnNo`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::{ElementBuilder, UpdateConnector, wire};

/// What a line's account is (`VaAs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccountKind {
    /// A general ledger account (grootboekrekening).
    #[serde(rename = "1")]
    Ledger,
    #[serde(rename = "2")]
    Debtor,
    #[serde(rename = "3")]
    Creditor,
}

/// One journal entry (`FiEntries`, body root `FiEntryPar`). AFAS refuses it unless its lines balance.
#[derive(Debug, Clone, PartialEq)]
pub struct FinancialEntry {
    /// The financial year (`Year`).
    pub year: i32,
    /// The period within the year (`Peri`), 1..12 for a monthly period table.
    pub period: u32,
    /// The administration number (`UnId`, an integer in AFAS); `None` books in the environment's default.
    pub administration: Option<String>,
    /// The journal code (`JoCo`), e.g. `90` (memoriaal).
    pub journal: String,
    pub lines: Vec<FinancialEntryLine>,
}

/// One line of a journal entry (an element of `FiEntries`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinancialEntryLine {
    #[serde(rename = "VaAs")]
    pub account_kind: AccountKind,
    /// The ledger account, debtor or creditor number (`AcNr`).
    #[serde(rename = "AcNr")]
    pub account: String,
    /// The entry (booking) date (`EnDa`); it must lie in the entry's year and period.
    #[serde(rename = "EnDa")]
    pub entry_date: NaiveDate,
    /// The voucher date (`BpDa`).
    #[serde(rename = "BpDa")]
    pub voucher_date: NaiveDate,
    /// The voucher number (`BpNr`, at most 32 characters), by which Koppel finds the entry again.
    #[serde(rename = "BpNr", skip_serializing_if = "Option::is_none")]
    pub voucher_number: Option<String>,
    #[serde(rename = "Ds", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "AmDe", serialize_with = "wire::decimal::serialize")]
    pub debit: Decimal,
    #[serde(rename = "AmCr", serialize_with = "wire::decimal::serialize")]
    pub credit: Decimal,
    /// The VAT code (`VaId`, at most 3 characters).
    #[serde(rename = "VaId", skip_serializing_if = "Option::is_none")]
    pub vat_code: Option<String>,
}

/// The number of the journal entry within the body, which the official schema requires on every line
/// (`EnNo`). A body holds one entry, so all its lines carry 1; AFAS assigns the entry's real number.
const ENTRY_IN_BODY: u32 = 1;

/// A line as sent: its fields plus `EnNo`.
#[derive(Serialize)]
struct LineFields<'a> {
    #[serde(rename = "EnNo")]
    entry: u32,
    #[serde(flatten)]
    line: &'a FinancialEntryLine,
}

/// The `FiEntryPar` fields.
#[derive(Serialize)]
struct HeaderFields<'a> {
    #[serde(rename = "Year")]
    year: i32,
    #[serde(rename = "Peri")]
    period: u32,
    #[serde(
        rename = "UnId",
        skip_serializing_if = "Option::is_none",
        serialize_with = "administration"
    )]
    administration: Option<&'a str>,
    #[serde(rename = "JoCo")]
    journal: &'a str,
}

/// `UnId` is an integer in the schema; Koppel keeps administration codes as text.
fn administration<S: Serializer>(value: &Option<&str>, serializer: S) -> Result<S::Ok, S::Error> {
    let code = value.unwrap_or_default();
    let number: i64 = code
        .trim()
        .parse()
        .map_err(|_| serde::ser::Error::custom(format!("administration '{code}' is not a number")))?;
    serializer.serialize_i64(number)
}

impl UpdateConnector for FinancialEntry {
    fn connector(&self) -> &'static str {
        "FiEntries"
    }

    fn root(&self) -> &'static str {
        "FiEntryPar"
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        let header = HeaderFields {
            year: self.year,
            period: self.period,
            administration: self.administration.as_deref(),
            journal: &self.journal,
        };
        let lines = self
            .lines
            .iter()
            .map(|line| {
                let fields = LineFields {
                    entry: ENTRY_IN_BODY,
                    line,
                };
                ElementBuilder::new(&fields).build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        ElementBuilder::new(&header).object("FiEntries", lines).build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry() -> FinancialEntry {
        let date = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let line = |account: &str, debit: &str, credit: &str, vat: Option<&str>| FinancialEntryLine {
            account_kind: AccountKind::Ledger,
            account: account.to_owned(),
            entry_date: date,
            voucher_date: date,
            voucher_number: Some("MPLUS-20261203-1".to_owned()),
            description: Some("Kassa 3 december".to_owned()),
            debit: debit.parse().unwrap(),
            credit: credit.parse().unwrap(),
            vat_code: vat.map(str::to_owned),
        };
        FinancialEntry {
            year: 2026,
            period: 12,
            administration: Some("1".to_owned()),
            journal: "90".to_owned(),
            lines: vec![
                line("1010", "121.00", "0", None),
                line("8000", "0", "100.00", Some("1")),
                line("1500", "0", "21.00", Some("1")),
            ],
        }
    }

    #[test]
    fn the_body_has_the_fientrypar_root_and_exact_amounts() {
        let body = entry().body().unwrap();
        assert_eq!(
            body["FiEntryPar"]["Element"]["Fields"],
            json!({"Year": 2026, "Peri": 12, "UnId": 1, "JoCo": "90"})
        );
        let lines = &body["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"];
        assert_eq!(
            lines[0]["Fields"],
            json!({"EnNo": 1, "VaAs": "1", "AcNr": "1010", "EnDa": "2026-12-03", "BpDa": "2026-12-03",
                   "BpNr": "MPLUS-20261203-1", "Ds": "Kassa 3 december", "AmDe": 121.0, "AmCr": 0.0})
        );
        assert_eq!(lines[1]["Fields"]["VaId"], "1");
        assert!(entry().body_text().unwrap().contains(r#""AmDe":121.0"#));
    }

    #[test]
    fn the_body_validates_against_the_official_schema() {
        let entry = entry();
        crate::schema::validate(entry.connector(), "POST", &entry.body().unwrap()).unwrap();
        let default_administration = FinancialEntry {
            administration: None,
            ..entry
        };
        crate::schema::validate("FiEntries", "POST", &default_administration.body().unwrap()).unwrap();
    }

    #[test]
    fn an_administration_that_is_not_a_number_is_refused_before_sending() {
        let entry = FinancialEntry {
            administration: Some("01A".to_owned()),
            ..entry()
        };
        assert!(matches!(entry.body(), Err(crate::AfasError::InvalidRequest(_))));
    }
}
