//! Reading sales documents: orders (`getOrders`, `getOrder`, `findOrder`), invoices, proposals and till receipts
//! (`getReceipts`, `getReceiptsByCashCount`); delivering orders, whole (`deliverOrder`) or per line
//! (`deliverOrderV2`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Request, TextList, found};
use crate::model::{Invoice, Order, OrderType, Proposal, Receipt};
use crate::wire::{self, MplusDate};
use crate::{MplusClient, MplusError};

/// Filters for `getOrders`, `getInvoices` and `getProposals` besides the sync marker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentFilter {
    pub from_financial_date: Option<NaiveDate>,
    pub through_financial_date: Option<NaiveDate>,
    pub branch_numbers: Vec<i32>,
    pub relation_numbers: Vec<i64>,
    /// Orders only; empty means MplusKASSA's default (sales, repeat and external sales orders).
    pub order_types: Vec<OrderType>,
    /// Receipts only: just these receipts (`receiptIds`); empty means all.
    pub receipt_ids: Vec<String>,
    /// `false` is much faster when only headers are needed.
    pub include_lines: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderTypeList {
    order_type: Vec<OrderType>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetOrdersRequest {
    sync_marker: i64,
    sync_marker_limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_financial_date: Option<MplusDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    through_financial_date: Option<MplusDate>,
    branch_numbers: Vec<i32>,
    relation_numbers: Vec<i64>,
    article_plu_numbers: TextList,
    article_barcodes: TextList,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_type_list: Option<OrderTypeList>,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_line_list: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetInvoicesRequest {
    sync_marker: i64,
    sync_marker_limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_financial_date: Option<MplusDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    through_financial_date: Option<MplusDate>,
    branch_numbers: Vec<i32>,
    relation_numbers: Vec<i64>,
    article_plu_numbers: TextList,
    article_barcodes: TextList,
    /// `getReceipts` only (empty, it is not sent).
    receipt_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_line_list: Option<bool>,
}

/// `getProposals` has the same filter shape as `getInvoices` up to `includeLineList` (its text lists are
/// optional, sending them empty is valid).
type GetProposalsRequest = GetInvoicesRequest;

/// `getReceipts` too, with `receiptIds` in its place before `includeLineList`.
type GetReceiptsRequest = GetInvoicesRequest;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetReceiptsByCashCountRequest<'a> {
    cash_count_id: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GetReceiptsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    pub(super) receipt_list: Vec<Receipt>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetReceiptsByCashCountResponse {
    result: String,
    #[serde(default, deserialize_with = "wire::list")]
    pub(super) receipt_list: Vec<Receipt>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderId<'a> {
    order_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtOrderId<'a> {
    ext_order_id: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetOrdersResponse {
    #[serde(default, deserialize_with = "wire::list")]
    order_list: Vec<Order>,
}

#[derive(Deserialize)]
struct GetOrderResponse {
    result: String,
    #[serde(default)]
    order: Option<Order>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetInvoicesResponse {
    #[serde(default, deserialize_with = "wire::list")]
    invoice_list: Vec<Invoice>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetProposalsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    proposal_list: Vec<Proposal>,
}

/// The SOAP request `deliverOrder` sends (for previews: built, not sent).
pub fn deliver_order_request(order_id: &str) -> Result<String, MplusError> {
    crate::soap::envelope(
        "deliverOrder",
        &Request {
            request: OrderId { order_id },
        },
    )
}

/// `DeliverOrderResponse`, and `DeliverOrderV2Response` (the same shape, its `errorMessage` optional).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeliverOrderResponse {
    result: String,
    #[serde(default)]
    error_message: Option<String>,
}

/// `OrderDeliveryLine`: a quantity of one order line, as a long with `decimalPlaces`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderDeliveryLine<'a> {
    line_id: &'a str,
    quantity: i64,
    decimal_places: i32,
}

#[derive(Serialize)]
struct OrderDeliveryLineList<'a> {
    line: Vec<OrderDeliveryLine<'a>>,
}

/// `OrderDelivery` (without the optional `turnoverType`: MplusKASSA's default).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderDelivery<'a> {
    order_id: &'a str,
    line_list: OrderDeliveryLineList<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeliverOrderV2Request<'a> {
    order_delivery: OrderDelivery<'a>,
}

/// The request of `deliverOrderV2`: each quantity exactly as a long with `decimalPlaces`.
fn order_delivery<'a>(
    order_id: &'a str,
    lines: &'a [(String, Decimal)],
) -> Result<Request<DeliverOrderV2Request<'a>>, MplusError> {
    let line = lines
        .iter()
        .map(|(line_id, quantity)| {
            let (quantity, decimal_places) = wire::to_scaled(*quantity)?;
            Ok(OrderDeliveryLine {
                line_id,
                quantity,
                decimal_places,
            })
        })
        .collect::<Result<Vec<_>, MplusError>>()?;
    Ok(Request {
        request: DeliverOrderV2Request {
            order_delivery: OrderDelivery {
                order_id,
                line_list: OrderDeliveryLineList { line },
            },
        },
    })
}

/// The SOAP request `deliverOrderV2` sends for these `(line id, quantity)` pairs (for previews: built, not
/// sent).
pub fn deliver_order_v2_request(order_id: &str, lines: &[(String, Decimal)]) -> Result<String, MplusError> {
    crate::soap::envelope("deliverOrderV2", &order_delivery(order_id, lines)?)
}

impl MplusClient {
    /// `getOrders` from `sync_marker` (inclusive), at most `limit` orders, ascending by marker.
    pub async fn get_orders(
        &self,
        filter: &DocumentFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Order>, MplusError> {
        let request = GetOrdersRequest {
            sync_marker,
            sync_marker_limit: limit,
            from_financial_date: filter.from_financial_date.map(MplusDate::from),
            through_financial_date: filter.through_financial_date.map(MplusDate::from),
            branch_numbers: filter.branch_numbers.clone(),
            relation_numbers: filter.relation_numbers.clone(),
            article_plu_numbers: TextList::default(),
            article_barcodes: TextList::default(),
            order_type_list: (!filter.order_types.is_empty()).then(|| OrderTypeList {
                order_type: filter.order_types.clone(),
            }),
            include_line_list: filter.include_lines,
        };
        let response: GetOrdersResponse = self.call("getOrders", &Request { request }).await?;
        Ok(response.order_list)
    }

    /// `getOrder` by MplusKASSA's order id; `None` when it does not exist.
    pub async fn get_order(&self, order_id: &str) -> Result<Option<Order>, MplusError> {
        let response: GetOrderResponse = self.call("getOrder", &OrderId { order_id }).await?;
        found("getOrder", response.result, "GET-ORDER-RESULT-OK", response.order)
    }

    /// `deliverOrder`: delivers what is open of the order. `Ok(false)` when it was delivered before
    /// (`DELIVER-ORDER-RESULT-ALREADY-DELIVERED`): asking twice changes nothing.
    pub async fn deliver_order(&self, order_id: &str) -> Result<bool, MplusError> {
        let request = Request {
            request: OrderId { order_id },
        };
        let response: DeliverOrderResponse = self.call("deliverOrder", &request).await?;
        if response.result == "DELIVER-ORDER-RESULT-ALREADY-DELIVERED" {
            return Ok(false);
        }
        MplusError::check(
            "deliverOrder",
            &response.result,
            "DELIVER-ORDER-RESULT-OK",
            response.error_message,
        )?;
        Ok(true)
    }

    /// `deliverOrderV2`: delivers `quantity` of each order line `(line id, quantity)`, a partial delivery
    /// (quantities exact, as a long with `decimalPlaces`). `Ok(false)` when the order has nothing open
    /// (`DELIVER-ORDER-V2-RESULT-ALREADY-DELIVERED`); a refusal (`…-FAILED`: an unknown line, a quantity of 0 or
    /// less, more than a line has open) is an error and delivers nothing.
    pub async fn deliver_order_lines(&self, order_id: &str, lines: &[(String, Decimal)]) -> Result<bool, MplusError> {
        let request = order_delivery(order_id, lines)?;
        let response: DeliverOrderResponse = self.call("deliverOrderV2", &request).await?;
        if response.result == "DELIVER-ORDER-V2-RESULT-ALREADY-DELIVERED" {
            return Ok(false);
        }
        MplusError::check(
            "deliverOrderV2",
            &response.result,
            "DELIVER-ORDER-V2-RESULT-OK",
            response.error_message,
        )?;
        Ok(true)
    }

    /// `findOrder` by the external order id we sent; `None` when it does not exist.
    pub async fn find_order(&self, ext_order_id: &str) -> Result<Option<Order>, MplusError> {
        let response: GetOrderResponse = self.call("findOrder", &ExtOrderId { ext_order_id }).await?;
        found("findOrder", response.result, "GET-ORDER-RESULT-OK", response.order)
    }

    /// `getInvoices` from `sync_marker`, at most `limit`.
    pub async fn get_invoices(
        &self,
        filter: &DocumentFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Invoice>, MplusError> {
        let request = invoices_request(filter, sync_marker, limit);
        let response: GetInvoicesResponse = self.call("getInvoices", &Request { request }).await?;
        Ok(response.invoice_list)
    }

    /// `getProposals` (quotations) from `sync_marker`, at most `limit`.
    pub async fn get_proposals(
        &self,
        filter: &DocumentFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Proposal>, MplusError> {
        let request: GetProposalsRequest = invoices_request(filter, sync_marker, limit);
        let response: GetProposalsResponse = self.call("getProposals", &Request { request }).await?;
        Ok(response.proposal_list)
    }
}

impl MplusClient {
    /// `getReceipts` (till receipts) from `sync_marker` (inclusive), at most `limit`, ascending by marker.
    /// `DocumentFilter::order_types` does not apply.
    pub async fn get_receipts(
        &self,
        filter: &DocumentFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Receipt>, MplusError> {
        let request = GetReceiptsRequest {
            receipt_ids: filter.receipt_ids.clone(),
            ..invoices_request(filter, sync_marker, limit)
        };
        let response: GetReceiptsResponse = self.call("getReceipts", &Request { request }).await?;
        Ok(response.receipt_list)
    }

    /// `getReceiptsByCashCount`: the receipts (with lines) of one cash count; `None` when MplusKASSA does not
    /// know the cash count.
    pub async fn get_receipts_by_cash_count(&self, cash_count_id: &str) -> Result<Option<Vec<Receipt>>, MplusError> {
        let request = GetReceiptsByCashCountRequest { cash_count_id };
        let response: GetReceiptsByCashCountResponse =
            self.call("getReceiptsByCashCount", &Request { request }).await?;
        found(
            "getReceiptsByCashCount",
            response.result,
            "GET-RECEIPTS-BY-CASH-COUNT-RESULT-OK",
            Some(response.receipt_list),
        )
    }
}

fn invoices_request(filter: &DocumentFilter, sync_marker: i64, limit: u32) -> GetInvoicesRequest {
    GetInvoicesRequest {
        sync_marker,
        sync_marker_limit: limit,
        from_financial_date: filter.from_financial_date.map(MplusDate::from),
        through_financial_date: filter.through_financial_date.map(MplusDate::from),
        branch_numbers: filter.branch_numbers.clone(),
        relation_numbers: filter.relation_numbers.clone(),
        article_plu_numbers: TextList::default(),
        article_barcodes: TextList::default(),
        receipt_ids: Vec::new(),
        include_line_list: filter.include_lines,
    }
}
