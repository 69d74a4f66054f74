//! Stock per branch: reading it and its history, changing and setting it.

use serde::{Deserialize, Serialize};

use super::Request;
use crate::model::{ArticleStock, StockChange, StockHistoryEntry};
use crate::wire::to_scaled;
use crate::{MplusClient, MplusError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArticleNumberList<'a> {
    article_numbers: &'a [i64],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetStockRequest<'a> {
    branch_number: i32,
    article_numbers: ArticleNumberList<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stock_id: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetStockHistoryRequest<'a> {
    branch_number: i32,
    article_numbers: ArticleNumberList<'a>,
    since_stock_id: i64,
    since_stock_id_limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateStockRequest<'a> {
    branch_number: i32,
    article_number: i64,
    amount_changed: i64,
    decimal_places: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetStockRequest<'a> {
    branch_number: i32,
    article_number: i64,
    amount: i64,
    decimal_places: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetStockResponse {
    #[serde(default)]
    article_stocks: Vec<ArticleStock>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetStockHistoryResponse {
    #[serde(default)]
    article_stock_history: Vec<StockHistoryEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StockResponse {
    result: String,
    #[serde(default)]
    stock_id: Option<i64>,
}

impl MplusClient {
    /// `getStock` of one branch: all articles when `article_numbers` is empty; only stock changed since
    /// `since_stock_id` when given.
    pub async fn get_stock(
        &self,
        branch_number: i32,
        article_numbers: &[i64],
        since_stock_id: Option<i64>,
    ) -> Result<Vec<ArticleStock>, MplusError> {
        let request = GetStockRequest {
            branch_number,
            article_numbers: ArticleNumberList { article_numbers },
            stock_id: since_stock_id,
        };
        let response: GetStockResponse = self.call("getStock", &Request { request }).await?;
        Ok(response.article_stocks)
    }

    /// `getStockHistory` of one branch from `since_stock_id`, at most `limit` entries.
    pub async fn get_stock_history(
        &self,
        branch_number: i32,
        article_numbers: &[i64],
        since_stock_id: i64,
        limit: u32,
    ) -> Result<Vec<StockHistoryEntry>, MplusError> {
        let request = GetStockHistoryRequest {
            branch_number,
            article_numbers: ArticleNumberList { article_numbers },
            since_stock_id,
            since_stock_id_limit: limit,
        };
        let response: GetStockHistoryResponse = self.call("getStockHistory", &Request { request }).await?;
        Ok(response.article_stock_history)
    }

    /// `updateStock`: changes stock by `change.amount`; returns the new stock id.
    pub async fn update_stock(&self, change: &StockChange) -> Result<Option<i64>, MplusError> {
        let (amount_changed, decimal_places) = to_scaled(change.amount)?;
        let request = UpdateStockRequest {
            branch_number: change.branch_number,
            article_number: change.article_number,
            amount_changed,
            decimal_places,
            employee_number: change.employee_number,
            reference: change.reference.as_deref(),
        };
        let response: StockResponse = self.call("updateStock", &Request { request }).await?;
        MplusError::check("updateStock", &response.result, "UPDATE-STOCK-RESULT-OK", None)?;
        Ok(response.stock_id)
    }

    /// `setStock`: sets stock to `change.amount`; returns the new stock id.
    pub async fn set_stock(&self, change: &StockChange) -> Result<Option<i64>, MplusError> {
        let (amount, decimal_places) = to_scaled(change.amount)?;
        let request = SetStockRequest {
            branch_number: change.branch_number,
            article_number: change.article_number,
            amount,
            decimal_places,
            employee_number: change.employee_number,
            reference: change.reference.as_deref(),
        };
        let response: StockResponse = self.call("setStock", &Request { request }).await?;
        MplusError::check("setStock", &response.result, "SET-STOCK-RESULT-OK", None)?;
        Ok(response.stock_id)
    }
}
