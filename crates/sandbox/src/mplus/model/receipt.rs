//! Till receipts (`Receipt` in the WSDL): a counter sale with its lines, VAT totals and payments, or a cash
//! movement (cash in or out of the drawer) without lines.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::{Line, Payment, ReceiptState, ReceiptType, Totals, VatMethod, date_xml, datetime_xml};
use crate::mplus::xml::Element;

/// A receipt as the till booked it.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub receipt_id: String,
    pub sync_marker: i64,
    /// `WorkplaceYearNumber`: numbered per branch, workplace and year.
    pub receipt_number: i64,
    pub receipt_type: ReceiptType,
    pub state: ReceiptState,
    pub branch: i32,
    pub workplace: i32,
    pub employee_number: i64,
    pub employee_name: String,
    pub entered_at: NaiveDateTime,
    pub financial_date: NaiveDate,
    /// `None` for an anonymous counter sale.
    pub relation: Option<(i64, String)>,
    pub vat_method: VatMethod,
    pub vat_country_iso3: String,
    pub lines: Vec<Line>,
    pub payments: Vec<Payment>,
    /// The cash count (the drawer's day closing) this receipt belongs to.
    pub cash_count_id: String,
}

impl Receipt {
    pub fn totals(&self) -> Totals {
        Totals::summed_per_line(&self.lines)
    }

    pub fn paid_amount(&self) -> i64 {
        self.payments.iter().map(|p| p.amount).sum()
    }

    pub fn to_xml(&self, include_lines: bool) -> Element {
        let totals = self.totals();
        Element::new("receipt")
            .with_leaf("receiptId", &self.receipt_id)
            .with_leaf("syncMarker", self.sync_marker)
            .with(
                Element::new("receiptNumber")
                    .with_leaf("branchNumber", self.branch)
                    .with_leaf("workplaceNumber", self.workplace)
                    .with_leaf("year", self.financial_date.year())
                    .with_leaf("number", self.receipt_number),
            )
            .with_leaf("receiptType", self.receipt_type.wire())
            .with_leaf("employeeNumber", self.employee_number)
            .with_leaf("employeeName", &self.employee_name)
            .with(datetime_xml("entryTimestamp", self.entered_at))
            .with_opt("relationNumber", self.relation.as_ref().map(|(number, _)| number))
            .with_opt("relationName", self.relation.as_ref().map(|(_, name)| name))
            .with(date_xml("financialDate", self.financial_date))
            .with_leaf("financialBranchNumber", self.branch)
            .with_leaf("workplaceNumber", self.workplace)
            .with_leaf("entryBranchNumber", self.branch)
            .with_leaf("totalInclAmount", totals.incl)
            .with_leaf("totalExclAmount", totals.excl)
            .with_leaf("vatMethod", self.vat_method.wire())
            .with(totals.vat_group_list(&self.vat_country_iso3))
            .with_leaf("changeCounter", 0)
            .with_leaf("versionNumber", 0)
            .with_leaf("paidAmount", self.paid_amount())
            .with_leaf("state", self.state.wire())
            .with_opt_child(
                include_lines.then(|| Element::new("lineList").with_all(self.lines.iter().map(Line::to_xml))),
            )
            .with(Element::new("paymentList").with_all(self.payments.iter().map(Payment::to_xml)))
    }
}
