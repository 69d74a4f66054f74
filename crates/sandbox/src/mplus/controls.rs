//! Data controls under `/_sandbox/` for tests, demos and benchmarks: reseed, new orders arriving, an order
//! changing state, a price change, a relation change and a stock change. Each change takes sync markers (and
//! stockIds) exactly as the same change made in the shop would.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::{RELATION_TEXT_FIELDS, StockHistoryType};
use super::orders::{self, OrderSummary};
use super::seed::OrderState;
use super::state::{MplusState, Store};
use super::stock::{StockChangeKind, StockMutation};
use super::sync::SyncMarkers;

fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message.into() }))).into_response()
}

fn not_found(message: impl Into<String>) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": message.into() }))).into_response()
}

/// `POST /_sandbox/reset` body (optional): reseed with another seed or size.
#[derive(Debug, Default, Deserialize)]
pub struct ResetRequest {
    pub seed: Option<u64>,
    pub orders: Option<usize>,
}

pub async fn reset(state: MplusState, body: Option<Json<ResetRequest>>) -> StatusCode {
    let request = body.map(|Json(r)| r).unwrap_or_default();
    state.reset(request.seed, request.orders);
    StatusCode::NO_CONTENT
}

/// `GET /_sandbox/summary`: the seed, sizes and current sync markers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub seed: u64,
    pub seeded_orders: u64,
    pub relations: usize,
    pub products: usize,
    pub markers: SyncMarkers,
    pub operations: Vec<&'static str>,
}

pub async fn summary(state: MplusState) -> Json<Summary> {
    let store = state.read();
    Json(Summary {
        seed: store.shop.seed,
        seeded_orders: store.shop.order_count(),
        relations: store.relations.count(),
        products: store.shop.products.len(),
        markers: store.markers.clone(),
        operations: super::dispatch::operation_names().collect(),
    })
}

/// `POST /_sandbox/orders`: `{"count": 5, "state": "paid"}` adds new orders (state optional: `delivered`,
/// `paid`, `partly_paid`, `unpaid`, `delivered_unpaid`, `cancelled`).
#[derive(Debug, Deserialize)]
pub struct NewOrders {
    pub count: usize,
    pub state: Option<OrderState>,
}

pub async fn add_orders(state: MplusState, Json(request): Json<NewOrders>) -> Response {
    if request.count == 0 || request.count > 100_000 {
        return bad_request("count must be between 1 and 100000");
    }
    let created: Vec<OrderSummary> = orders::add_orders(&mut state.write(), request.count, request.state);
    (StatusCode::CREATED, Json(created)).into_response()
}

/// `POST /_sandbox/order-state`: `{"orderId": "...", "state": "paid"}` moves an order to a state.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderStateChange {
    pub order_id: String,
    pub state: OrderState,
}

pub async fn order_state(state: MplusState, Json(request): Json<OrderStateChange>) -> Response {
    match orders::set_order_state(&mut state.write(), &request.order_id, request.state) {
        Some(summary) => Json(summary).into_response(),
        None => not_found(format!("order {} not found", request.order_id)),
    }
}

/// `POST /_sandbox/receipt-paid`: `{"receiptId": "..."}` pays a parked (or partly paid) receipt in full; it
/// moves to the next receipt sync marker.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPaid {
    pub receipt_id: String,
}

pub async fn receipt_paid(state: MplusState, Json(request): Json<ReceiptPaid>) -> Response {
    let mut store = state.write();
    let Store {
        shop,
        receipts,
        markers,
        ..
    } = &mut *store;
    match receipts.pay(shop, &request.receipt_id, &mut markers.receipt) {
        Ok(receipt) => Json(json!({
            "receiptId": receipt.receipt_id,
            "state": receipt.state.wire(),
            "syncMarker": receipt.sync_marker,
        }))
        .into_response(),
        Err(message) if message.ends_with("not found") => not_found(message),
        Err(message) => bad_request(message),
    }
}

/// `POST /_sandbox/price`: `{"articleNumber": 100001, "priceIncl": 2995}` changes an article's price.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceChange {
    pub article_number: i64,
    pub price_incl: i64,
}

pub async fn price(state: MplusState, Json(request): Json<PriceChange>) -> Response {
    if request.price_incl < 0 {
        return bad_request("priceIncl must not be negative");
    }
    let mut store = state.write();
    let Store { catalogue, markers, .. } = &mut *store;
    match catalogue.change_price(request.article_number, request.price_incl, &mut markers.article) {
        Some(article) => Json(json!({
            "articleNumber": article.number,
            "priceIncl": article.price_incl,
            "priceExcl": article.price_excl,
            "syncMarker": article.sync_marker,
        }))
        .into_response(),
        None => not_found(format!("article {} not found", request.article_number)),
    }
}

/// `POST /_sandbox/relation`: `{"relationNumber": 1001, "fields": {"email": "a@b.nl", "address": "Meir 45/2"}}`
/// changes a relation's text fields (wire names; an empty string clears a field).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationChange {
    pub relation_number: i64,
    pub fields: serde_json::Map<String, Value>,
}

pub async fn relation(state: MplusState, Json(request): Json<RelationChange>) -> Response {
    let mut store = state.write();
    let Some(mut relation) = store.relations.get(request.relation_number).cloned() else {
        return not_found(format!("relation {} not found", request.relation_number));
    };
    for (field, value) in &request.fields {
        let Some(text) = value.as_str() else {
            return bad_request(format!("field {field} must be a string"));
        };
        if !RELATION_TEXT_FIELDS.contains(&field.as_str()) {
            return bad_request(format!(
                "unknown relation field {field}; use one of {RELATION_TEXT_FIELDS:?}"
            ));
        }
        relation.set_text_field(field, text);
    }
    let Store { relations, markers, .. } = &mut *store;
    let saved = relations.save(relation, &mut markers.relation);
    Json(json!({ "relationNumber": saved.number, "syncMarker": saved.sync_marker })).into_response()
}

/// `POST /_sandbox/stock`: `{"branchNumber": 1, "articleNumber": 100001, "amount": 12}` sets the amount on hand,
/// or `"change": -2` changes it, as a stock count in the shop would (history type CORRECTION).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockChange {
    pub branch_number: i32,
    pub article_number: i64,
    pub amount: Option<i64>,
    pub change: Option<i64>,
}

pub async fn stock(state: MplusState, Json(request): Json<StockChange>) -> Response {
    let change = match (request.amount, request.change) {
        (Some(amount), None) => StockChangeKind::Absolute(amount),
        (None, Some(change)) => StockChangeKind::Relative(change),
        _ => return bad_request("give exactly one of amount and change"),
    };
    let mut store = state.write();
    let Store {
        shop,
        markers,
        catalogue,
        stock,
        ..
    } = &mut *store;
    let mutation = StockMutation {
        branch_number: request.branch_number,
        article_number: request.article_number,
        change,
        kind: StockHistoryType::Correction,
        order_id: None,
    };
    match stock.change(
        shop,
        catalogue.article(request.article_number),
        mutation,
        &mut markers.stock_id,
    ) {
        Ok(stock_id) => {
            let level = stock.level(request.branch_number, request.article_number);
            Json(json!({
                "stockId": stock_id,
                "onHand": level.map(|l| l.on_hand),
                "reserved": level.map(|l| l.reserved),
                "amountFree": level.map(|l| l.free()),
            }))
            .into_response()
        }
        Err(refusal) => bad_request(format!("stock change refused: {refusal:?}")),
    }
}
