//! The till's books for one financial day, in domain terms: MplusKASSA's financial journal (turnover per
//! turnover group with its VAT, payments per payment method, cash movements, each on the ledger account the
//! shop set in MplusKASSA), and the AFAS financial entry (`FiEntries`) the `financial_journal` flow makes of
//! one branch's day. Money is exact decimals.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// MplusKASSA's financial journal of one financial day, every branch together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinancialDay {
    pub date: NaiveDate,
    /// Every cash count of the day is done: its figures will not change any more. Only closed days are booked.
    pub closed: bool,
    pub groups: Vec<LedgerGroup>,
}

/// What a group of the journal stands for, which decides its side of the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerGroupKind {
    /// Turnover of one turnover group: revenue (excl. VAT) and its VAT, on the credit side.
    Turnover,
    /// Received with one payment method: on the debit side.
    Payment,
    /// Sold on account (the open part of a partly paid sale): on the debit side.
    Suspense,
    /// Cash put into the drawer (from the bank, a float): the counter account on the credit side.
    CashInflow,
    /// Cash taken out of the drawer (to the bank, an expense): the counter account on the debit side.
    CashOutflow,
    /// A kind Koppel does not book (deposits, BPE): the day fails, naming it, rather than book it wrongly.
    Other(String),
}

/// VAT of one VAT code within a turnover group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerVat {
    /// The country whose rates apply (ISO-2), when MplusKASSA says.
    pub country: Option<String>,
    pub percentage: Decimal,
    /// The revenue this VAT is over.
    pub excl: Decimal,
    pub vat: Decimal,
    /// The ledger account the shop books this VAT on (MplusKASSA's VAT group account).
    pub account: Option<String>,
}

/// One line of the till's financial journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerGroup {
    pub kind: LedgerGroupKind,
    /// From till receipts (counter sales and cash movements); orders and invoices are the orders flow's.
    pub from_receipts: bool,
    /// The turnover group's or payment method's name, as the shop knows it.
    pub name: String,
    /// The ledger account the shop set for it in MplusKASSA.
    pub account: String,
    /// The branch (MplusKASSA branch number) the amounts are from.
    pub branch: String,
    pub incl: Decimal,
    /// Per VAT code, for turnover.
    pub vat: Vec<LedgerVat>,
}

impl LedgerGroup {
    /// The revenue excluding VAT: the incl. amount less the VAT.
    pub fn excl(&self) -> Decimal {
        self.incl - self.vat.iter().map(|vat| vat.vat).sum::<Decimal>()
    }
}

/// One branch's day, as the flow books it: the record of the `financial_journal` flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchDay {
    pub date: NaiveDate,
    pub branch: String,
    pub groups: Vec<LedgerGroup>,
}

impl BranchDay {
    /// The record's id (`2026-12-03/1`): day and branch.
    pub fn id(&self) -> String {
        branch_day_id(self.date, &self.branch)
    }

    /// The AFAS voucher number (`BpNr`, at most 32 characters) of the day's entry: the look-up key that keeps a
    /// day from being booked twice.
    pub fn voucher(&self) -> String {
        format!("MPLUS-{}-{}", self.date.format("%Y%m%d"), self.branch)
    }

    /// The branches' days of a journal, from its receipt groups only, in branch order.
    pub fn all_in(day: &FinancialDay) -> Vec<BranchDay> {
        let mut days: Vec<BranchDay> = Vec::new();
        for group in day.groups.iter().filter(|group| group.from_receipts) {
            match days.iter_mut().find(|d| d.branch == group.branch) {
                Some(branch_day) => branch_day.groups.push(group.clone()),
                None => days.push(BranchDay {
                    date: day.date,
                    branch: group.branch.clone(),
                    groups: vec![group.clone()],
                }),
            }
        }
        days.sort_by(|a, b| branch_order(&a.branch).cmp(&branch_order(&b.branch)));
        days
    }
}

/// Branch numbers in numeric order (text after them).
fn branch_order(branch: &str) -> (u64, &str) {
    (branch.parse().unwrap_or(u64::MAX), branch)
}

pub fn branch_day_id(date: NaiveDate, branch: &str) -> String {
    format!("{date}/{branch}")
}

/// A record id back into its day and branch.
pub fn parse_branch_day_id(id: &str) -> Option<(NaiveDate, String)> {
    let (date, branch) = id.split_once('/')?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    (!branch.is_empty()).then(|| (date, branch.to_owned()))
}

/// One line of a financial entry: an amount on a ledger account, debit or credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinancialEntryLineDraft {
    pub account: String,
    pub description: String,
    pub debit: Decimal,
    pub credit: Decimal,
    pub vat_code: Option<String>,
}

/// A balanced AFAS financial entry (`FiEntries`) of one branch's day, in one journal, under one voucher number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinancialEntryDraft {
    pub administration: Option<String>,
    /// AFAS journal code (`JoCo`).
    pub journal: String,
    /// The financial day: entry and voucher date; its year and month are the AFAS year and period.
    pub date: NaiveDate,
    pub voucher: String,
    pub lines: Vec<FinancialEntryLineDraft>,
}

impl FinancialEntryDraft {
    pub fn debit_total(&self) -> Decimal {
        self.lines.iter().map(|line| line.debit).sum()
    }

    pub fn credit_total(&self) -> Decimal {
        self.lines.iter().map(|line| line.credit).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_id_names_its_day_and_branch_and_reads_back() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let id = branch_day_id(date, "12");
        assert_eq!(id, "2026-12-03/12");
        assert_eq!(parse_branch_day_id(&id), Some((date, "12".to_owned())));
        assert_eq!(parse_branch_day_id("2026-12-03"), None);
        assert_eq!(parse_branch_day_id("2026-13-03/1"), None);
        assert_eq!(parse_branch_day_id("2026-12-03/"), None);
    }
}
