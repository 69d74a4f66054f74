//! Orders, invoices and proposals (quotations), their lines and payments.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::wire::{self, from_scaled};

/// `VatMethod`: whether prices include VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VatMethod {
    #[serde(rename = "VAT-METHOD-INCLUSIVE")]
    Inclusive,
    #[serde(rename = "VAT-METHOD-EXCLUSIVE")]
    Exclusive,
    #[serde(rename = "VAT-METHOD-SHIFTED")]
    Shifted,
    #[serde(rename = "VAT-METHOD-NONE")]
    None,
}

/// `OrderType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderType {
    #[serde(rename = "ORDER-TYPE-SALES-ORDER")]
    SalesOrder,
    #[serde(rename = "ORDER-TYPE-REPEAT-SALES-ORDER")]
    RepeatSalesOrder,
    #[serde(rename = "ORDER-TYPE-EXTERNAL-SALES-ORDER")]
    ExternalSalesOrder,
    #[serde(rename = "ORDER-TYPE-TABLE-ORDER")]
    TableOrder,
    #[serde(rename = "ORDER-TYPE-CAFETERIA-ORDER")]
    CafeteriaOrder,
}

/// `YearNumber`: an order, invoice or proposal number within a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearNumber {
    pub year: i32,
    pub number: i64,
}

/// `Address` of an order (delivery or invoice address). One street line; no separate house number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub address_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contact: Option<String>,
    /// Street and number in one line.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub zipcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_name: Option<String>,
}

/// `VatGroup`: VAT totals per code. Use these amounts rather than recomputing VAT (the WSDL says so).
/// Serialized (as exact euros) only to store what was read; it is never sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VatGroup {
    #[serde(default)]
    pub branch_number: Option<i32>,
    #[serde(default)]
    pub country_iso3: Option<String>,
    pub vat_code: i32,
    /// As sent; the WSDL does not document its scale.
    pub vat_percentage: i64,
    #[serde(default, deserialize_with = "wire::option_cents::deserialize")]
    pub excl_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "wire::option_cents::deserialize")]
    pub vat_amount: Option<Decimal>,
    #[serde(default)]
    pub account_number: Option<i32>,
}

/// A line of an order, invoice or proposal, with `data` flattened and its quantities exact.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawLine")]
pub struct Line {
    pub line_id: Option<String>,
    pub article_number: i64,
    pub plu_number: Option<String>,
    pub text: Option<String>,
    pub employee_number: Option<i64>,
    pub quantity: Decimal,
    pub delivered_quantity: Option<Decimal>,
    pub cancelled_quantity: Option<Decimal>,
    /// Price per unit; incl. or excl. VAT following the document's `vat_method`.
    pub price: Option<Decimal>,
    pub price_excl: Option<Decimal>,
    pub original_price: Option<Decimal>,
    pub purchase_price: Option<Decimal>,
    pub turnover_group: Option<i32>,
    pub turnover_group_name: Option<String>,
    /// The revenue ledger account of the turnover group.
    pub turnover_group_account_number: Option<i32>,
    pub vat_code: Option<i32>,
    pub vat_percentage: Option<i32>,
    pub discount_percentage: Option<i32>,
    pub discount_amount: Option<Decimal>,
    pub total_incl: Option<Decimal>,
    pub total_excl: Option<Decimal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLine {
    #[serde(default)]
    line_id: Option<String>,
    #[serde(default)]
    employee_number: Option<i64>,
    article_number: i64,
    #[serde(default)]
    plu_number: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    data: Option<RawLineData>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawLineData {
    #[serde(default)]
    quantity: i64,
    #[serde(default)]
    decimal_places: Option<i32>,
    #[serde(default)]
    delivered_quantity: Option<i64>,
    #[serde(default)]
    delivered_decimal_places: Option<i32>,
    #[serde(default)]
    cancelled_quantity: Option<i64>,
    #[serde(default)]
    cancelled_decimal_places: Option<i32>,
    #[serde(default, with = "wire::option_cents")]
    price: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    price_excl: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    original_price: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    purchase_price: Option<Decimal>,
    #[serde(default)]
    turnover_group: Option<i32>,
    #[serde(default)]
    turnover_group_name: Option<String>,
    #[serde(default)]
    turnover_group_account_number: Option<i32>,
    #[serde(default)]
    vat_code: Option<i32>,
    #[serde(default)]
    vat_percentage: Option<i32>,
    #[serde(default)]
    discount_percentage: Option<i32>,
    #[serde(default, with = "wire::option_cents")]
    discount_amount: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    total_incl_amount: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    total_excl_amount: Option<Decimal>,
}

impl From<RawLine> for Line {
    fn from(raw: RawLine) -> Self {
        let data = raw.data.unwrap_or_default();
        Self {
            line_id: raw.line_id,
            article_number: raw.article_number,
            plu_number: raw.plu_number,
            text: raw.text,
            employee_number: raw.employee_number,
            quantity: from_scaled(data.quantity, data.decimal_places),
            delivered_quantity: data
                .delivered_quantity
                .map(|q| from_scaled(q, data.delivered_decimal_places)),
            cancelled_quantity: data
                .cancelled_quantity
                .map(|q| from_scaled(q, data.cancelled_decimal_places)),
            price: data.price,
            price_excl: data.price_excl,
            original_price: data.original_price,
            purchase_price: data.purchase_price,
            turnover_group: data.turnover_group,
            turnover_group_name: data.turnover_group_name,
            turnover_group_account_number: data.turnover_group_account_number,
            vat_code: data.vat_code,
            vat_percentage: data.vat_percentage,
            discount_percentage: data.discount_percentage,
            discount_amount: data.discount_amount,
            total_incl: data.total_incl_amount,
            total_excl: data.total_excl_amount,
        }
    }
}

/// A payment on an order or invoice.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    #[serde(default)]
    pub payment_id: Option<String>,
    #[serde(default, with = "wire::option_date")]
    pub financial_date: Option<NaiveDate>,
    /// The payment method code.
    pub method: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(with = "wire::cents")]
    pub amount: Decimal,
    #[serde(default)]
    pub payment_method_type: Option<String>,
    #[serde(default)]
    pub account_number: Option<i32>,
    #[serde(default)]
    pub external_reference: Option<String>,
}

/// An order as MplusKASSA returns it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub order_id: String,
    #[serde(default)]
    pub ext_order_id: Option<String>,
    #[serde(default, deserialize_with = "wire::list")]
    pub invoice_ids: Vec<String>,
    #[serde(default)]
    pub sync_marker: Option<i64>,
    #[serde(default)]
    pub order_type: Option<OrderType>,
    #[serde(default)]
    pub entry_branch_number: Option<i32>,
    #[serde(default)]
    pub employee_number: Option<i64>,
    #[serde(default)]
    pub employee_name: Option<String>,
    #[serde(default, deserialize_with = "wire::option_date_time")]
    pub entry_timestamp: Option<NaiveDateTime>,
    #[serde(default)]
    pub relation_number: Option<i64>,
    #[serde(default)]
    pub relation_name: Option<String>,
    #[serde(default)]
    pub relation_vat_number: Option<String>,
    #[serde(default)]
    pub delivery_address: Option<Address>,
    #[serde(default)]
    pub invoice_address: Option<Address>,
    #[serde(default, with = "wire::option_date")]
    pub financial_date: Option<NaiveDate>,
    #[serde(default)]
    pub financial_branch_number: Option<i32>,
    #[serde(default)]
    pub workplace_number: Option<i32>,
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
    #[serde(default)]
    pub delivery_method: Option<String>,
    #[serde(default, with = "wire::option_date")]
    pub delivery_date: Option<NaiveDate>,
    #[serde(default)]
    pub payment_method: Option<String>,
    #[serde(default)]
    pub change_counter: Option<i32>,
    #[serde(default, with = "wire::option_cents")]
    pub prepaid_amount: Option<Decimal>,
    #[serde(default)]
    pub fully_paid: Option<bool>,
    #[serde(default)]
    pub delivery_state: Option<String>,
    #[serde(default)]
    pub cancel_state: Option<String>,
    #[serde(default)]
    pub complete_state: Option<String>,
    #[serde(default)]
    pub order_number: Option<YearNumber>,
    #[serde(default, deserialize_with = "wire::list")]
    pub line_list: Vec<Line>,
    #[serde(default, deserialize_with = "wire::list")]
    pub payment_list: Vec<Payment>,
    #[serde(default)]
    pub vat_country_iso3: Option<String>,
}

/// An invoice (from `getInvoices`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    #[serde(default)]
    pub invoice_id: Option<String>,
    #[serde(default)]
    pub ext_invoice_id: Option<String>,
    #[serde(default, deserialize_with = "wire::list")]
    pub order_ids: Vec<String>,
    #[serde(default)]
    pub sync_marker: Option<i64>,
    #[serde(default)]
    pub invoice_number: Option<YearNumber>,
    /// `INVOICE-TYPE-...`.
    #[serde(default)]
    pub invoice_type: Option<String>,
    #[serde(default)]
    pub employee_number: Option<i64>,
    #[serde(default)]
    pub relation_number: Option<i64>,
    #[serde(default)]
    pub relation_name: Option<String>,
    #[serde(default)]
    pub delivery_address: Option<Address>,
    #[serde(default)]
    pub invoice_address: Option<Address>,
    #[serde(default, with = "wire::option_date")]
    pub financial_date: Option<NaiveDate>,
    #[serde(default)]
    pub financial_branch_number: Option<i32>,
    #[serde(default)]
    pub entry_branch_number: Option<i32>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default, with = "wire::option_date")]
    pub due_date: Option<NaiveDate>,
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
    /// `INVOICE-STATE-...` (OUTSTANDING, PARTLY-PAID, PAID, ...).
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub finalized: Option<bool>,
    #[serde(default, deserialize_with = "wire::list")]
    pub line_list: Vec<Line>,
    #[serde(default, deserialize_with = "wire::list")]
    pub payment_list: Vec<Payment>,
    #[serde(default)]
    pub credited_invoice_id: Option<String>,
    #[serde(default)]
    pub vat_country_iso3: Option<String>,
}

/// A proposal (quotation, from `getProposals`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    #[serde(default)]
    pub proposal_id: Option<String>,
    #[serde(default)]
    pub ext_proposal_id: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub sync_marker: Option<i64>,
    #[serde(default)]
    pub proposal_number: Option<YearNumber>,
    #[serde(default)]
    pub employee_number: Option<i64>,
    #[serde(default)]
    pub relation_number: Option<i64>,
    #[serde(default)]
    pub relation_name: Option<String>,
    #[serde(default)]
    pub delivery_address: Option<Address>,
    #[serde(default)]
    pub invoice_address: Option<Address>,
    #[serde(default, with = "wire::option_date")]
    pub financial_date: Option<NaiveDate>,
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
    /// Goes up with every change; send it back in `ProposalWrite::change_counter` to save only over this version.
    #[serde(default)]
    pub change_counter: Option<i32>,
    /// `PROPOSAL-STATE-...` (OUTSTANDING, ORDER, INVOICE, CANCELLED).
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "wire::list")]
    pub line_list: Vec<Line>,
}

/// An order to create with `createOrderV3`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewOrder {
    /// Left empty, MplusKASSA assigns the id.
    pub order_id: Option<String>,
    /// The source system's order id; unique, never reused. The idempotency key of the flow.
    pub ext_order_id: String,
    pub order_type: Option<OrderType>,
    pub entry_branch_number: Option<i32>,
    /// Required in practice; 999999 is the MplusKASSA superuser.
    pub employee_number: Option<i64>,
    /// Every order needs a relation.
    pub relation_number: Option<i64>,
    pub delivery_address: Option<Address>,
    pub invoice_address: Option<Address>,
    pub financial_date: Option<NaiveDate>,
    /// Needed with a non-default `entry_branch_number`.
    pub workplace_number: Option<i32>,
    pub reference: Option<String>,
    pub vat_method: Option<VatMethod>,
    pub delivery_method: Option<String>,
    pub delivery_date: Option<NaiveDate>,
    pub lines: Vec<NewLine>,
}

/// A line of a [`NewOrder`] or of a proposal to save (`ProposalWrite`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewLine {
    pub article_number: i64,
    pub plu_number: Option<String>,
    pub text: Option<String>,
    pub quantity: Decimal,
    /// Price per unit (incl. or excl. VAT following the order's `vat_method`).
    pub price: Option<Decimal>,
    pub price_excl: Option<Decimal>,
    pub turnover_group: Option<i32>,
    pub vat_code: Option<i32>,
}

/// A payment to register with `createOrderV3`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPayment {
    pub method: String,
    pub amount: Decimal,
    pub description: Option<String>,
    pub external_reference: Option<String>,
}

/// What `createOrderV3` answered.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderCreated {
    pub order_id: String,
    pub order_string: Option<String>,
    /// True when MplusKASSA replayed the stored answer to an earlier call with the same idempotency key.
    pub replayed: bool,
    pub order: Option<Order>,
    pub invoice_id: Option<String>,
}
