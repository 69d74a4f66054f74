//! Stock per article and branch, and its history. Amounts are exact decimals (scaled longs on the wire).

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::wire::{self, from_scaled};

/// `ArticleStock`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawArticleStock")]
pub struct ArticleStock {
    pub branch_number: Option<i32>,
    pub article_number: i64,
    /// The stock id of the last change; compare with `getStockHistory`'s.
    pub stock_id: i64,
    /// What can safely be sold: on hand minus what undelivered orders reserve.
    pub amount_free: Decimal,
    pub amount_reserved: Decimal,
    /// On purchase orders.
    pub amount_incoming: Decimal,
    pub change_timestamp: Option<NaiveDateTime>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawArticleStock {
    #[serde(default)]
    branch_number: Option<i32>,
    article_number: i64,
    #[serde(default, deserialize_with = "wire::option_date_time")]
    change_timestamp: Option<NaiveDateTime>,
    #[serde(default)]
    stock_id: i64,
    #[serde(default)]
    amount_free: i64,
    #[serde(default)]
    decimal_places_free: Option<i32>,
    #[serde(default)]
    amount_reserved: i64,
    #[serde(default)]
    decimal_places_reserved: Option<i32>,
    #[serde(default)]
    amount_incoming: i64,
    #[serde(default)]
    decimal_places_incoming: Option<i32>,
}

impl From<RawArticleStock> for ArticleStock {
    fn from(raw: RawArticleStock) -> Self {
        Self {
            branch_number: raw.branch_number,
            article_number: raw.article_number,
            stock_id: raw.stock_id,
            amount_free: from_scaled(raw.amount_free, raw.decimal_places_free),
            amount_reserved: from_scaled(raw.amount_reserved, raw.decimal_places_reserved),
            amount_incoming: from_scaled(raw.amount_incoming, raw.decimal_places_incoming),
            change_timestamp: raw.change_timestamp,
        }
    }
}

/// `ArticleStockHistory`: one change of stock.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawStockHistory")]
pub struct StockHistoryEntry {
    pub stock_id: i64,
    pub timestamp: Option<NaiveDateTime>,
    pub branch_number: Option<i32>,
    pub article_number: i64,
    pub amount_changed: Decimal,
    /// `STOCK-HISTORY-TYPE-...` (API, CORRECTION, DELIVERY, SALES, ...).
    pub kind: String,
    pub order_id: Option<String>,
    pub invoice_id: Option<String>,
    pub receipt_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStockHistory {
    stock_id: i64,
    #[serde(default, deserialize_with = "wire::option_date_time")]
    timestamp: Option<NaiveDateTime>,
    #[serde(default)]
    branch_number: Option<i32>,
    article_number: i64,
    amount_changed: i64,
    #[serde(default)]
    decimal_places: Option<i32>,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    order_id: Option<String>,
    #[serde(default)]
    invoice_id: Option<String>,
    #[serde(default)]
    receipt_id: Option<String>,
}

impl From<RawStockHistory> for StockHistoryEntry {
    fn from(raw: RawStockHistory) -> Self {
        Self {
            stock_id: raw.stock_id,
            timestamp: raw.timestamp,
            branch_number: raw.branch_number,
            article_number: raw.article_number,
            amount_changed: from_scaled(raw.amount_changed, raw.decimal_places),
            kind: raw.kind,
            order_id: raw.order_id,
            invoice_id: raw.invoice_id,
            receipt_id: raw.receipt_id,
        }
    }
}

/// A stock change to make with `updateStock` (relative) or `setStock` (absolute).
#[derive(Debug, Clone, PartialEq)]
pub struct StockChange {
    pub branch_number: i32,
    pub article_number: i64,
    /// The change (`updateStock`) or the new amount (`setStock`).
    pub amount: Decimal,
    pub employee_number: Option<i64>,
    pub reference: Option<String>,
}
