//! Till receipts (`getReceipts`, `getReceiptsByCashCount`): counter sales with their lines and payments, and
//! cash movements.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::orders::{Line, Payment, VatGroup, VatMethod};
use crate::wire;

/// `ReceiptType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ReceiptType {
    #[serde(rename = "RECEIPT-TYPE-RECEIPT")]
    Receipt,
    #[serde(rename = "RECEIPT-TYPE-CREDIT-RECEIPT")]
    CreditReceipt,
    #[serde(rename = "RECEIPT-TYPE-CASH-INFLOW")]
    CashInflow,
    #[serde(rename = "RECEIPT-TYPE-CASH-OUTFLOW")]
    CashOutflow,
    #[serde(rename = "RECEIPT-TYPE-PAYMENT-METHOD-TRANSFER")]
    PaymentMethodTransfer,
}

/// `ReceiptState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ReceiptState {
    #[serde(rename = "RECEIPT-STATE-OUTSTANDING")]
    Outstanding,
    #[serde(rename = "RECEIPT-STATE-PARTLY-PAID")]
    PartlyPaid,
    #[serde(rename = "RECEIPT-STATE-PAID")]
    Paid,
    #[serde(rename = "RECEIPT-STATE-HANDLED")]
    Handled,
    #[serde(rename = "RECEIPT-STATE-OUTSTANDING-CREDIT")]
    OutstandingCredit,
}

/// `WorkplaceYearNumber`: a receipt number is counted per branch, workplace and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkplaceYearNumber {
    pub branch_number: i32,
    pub workplace_number: i32,
    pub year: i32,
    pub number: i64,
}

/// A receipt as MplusKASSA returns it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub receipt_id: String,
    #[serde(default)]
    pub ext_receipt_id: Option<String>,
    #[serde(default)]
    pub sync_marker: Option<i64>,
    #[serde(default)]
    pub receipt_number: Option<WorkplaceYearNumber>,
    pub receipt_type: ReceiptType,
    #[serde(default)]
    pub employee_number: Option<i64>,
    #[serde(default)]
    pub employee_name: Option<String>,
    #[serde(default, deserialize_with = "wire::option_date_time")]
    pub entry_timestamp: Option<NaiveDateTime>,
    /// Absent (or 0) for an anonymous sale.
    #[serde(default)]
    pub relation_number: Option<i64>,
    #[serde(default)]
    pub relation_name: Option<String>,
    #[serde(default, with = "wire::option_date")]
    pub financial_date: Option<NaiveDate>,
    #[serde(default)]
    pub financial_branch_number: Option<i32>,
    #[serde(default)]
    pub workplace_number: Option<i32>,
    #[serde(default)]
    pub entry_branch_number: Option<i32>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default, with = "wire::option_cents")]
    pub total_incl_amount: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    pub total_excl_amount: Option<Decimal>,
    #[serde(default)]
    pub vat_method: Option<VatMethod>,
    #[serde(default, deserialize_with = "wire::list")]
    pub vat_group_list: Vec<VatGroup>,
    #[serde(default, with = "wire::option_cents")]
    pub paid_amount: Option<Decimal>,
    pub state: ReceiptState,
    #[serde(default, deserialize_with = "wire::list")]
    pub line_list: Vec<Line>,
    #[serde(default, deserialize_with = "wire::list")]
    pub payment_list: Vec<Payment>,
    #[serde(default)]
    pub credited_receipt_id: Option<String>,
}

impl Receipt {
    /// A finished counter sale: a receipt (not a credit or a cash movement) paid in full or handled. Parked
    /// (outstanding) and partly paid receipts are not finished.
    pub fn is_finished_sale(&self) -> bool {
        self.receipt_type == ReceiptType::Receipt && matches!(self.state, ReceiptState::Paid | ReceiptState::Handled)
    }
}
