//! The MplusKASSA ("MplusQapi") simulator: SOAP 1.1 document/literal over `POST /`, with `ident` and `secret`
//! as query parameters, dispatching on the Body's first child element; `GET /?wsdl` serves the official WSDL.
//!
//! - Requests are checked against the WSDL's schema (namespace, element names, simple values) and answered
//!   with the WSDL's response elements in schema order ([`schema`]).
//! - Business outcomes are `result` + `errorMessage`; protocol problems are SOAP Faults over HTTP 500.
//! - Every entity type has its own sync marker, stock its own `stockId` ([`sync`]).
//! - The shop comes from the deterministic generator ([`seed`]); orders are generated on demand and only a
//!   sync-marker index is kept, so a million orders start in about a second and page as fast as ten.
//! - Controls under `/_sandbox/`: the shared journal, faults and latency ([`crate::control`]), plus reset and
//!   data changes (module `controls`).

mod article_groups;
mod controls;
mod custom_fields;
mod dispatch;
mod financial_journal;
pub mod model;
mod orders;
mod products;
mod receipts;
mod reference;
mod relations;
pub mod schema;
pub mod seed;
mod soap;
mod state;
mod stock;
pub mod sync;
pub mod xml;

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::control::{self, journal_layer};
use crate::shops::{self, Shops};
pub use dispatch::operation_names;
pub(crate) use state::MplusState;

/// The official MplusQapi WSDL (API version 67.1.3), served at `GET /?wsdl`.
pub const WSDL: &str = include_str!("../../specs/mplusqapi-v67.1.3.wsdl");

async fn wsdl(Query(query): Query<HashMap<String, String>>) -> Response {
    if query.contains_key("wsdl") {
        soap::wsdl_response(WSDL)
    } else {
        (
            StatusCode::BAD_REQUEST,
            "MplusQapi: POST SOAP 1.1 requests here, or GET /?wsdl",
        )
            .into_response()
    }
}

/// The simulator's routes: SOAP in the shop the secret reaches, the controls of the default shop or the one
/// named by `?shop=`.
pub fn router(shops: &Shops) -> Router {
    let soap_endpoint = dispatch::soap_endpoint
        .layer(from_fn(journal_layer::<MplusState>))
        .layer(from_fn_with_state(shops.clone(), shops::by_mplus_secret));
    let controls = Router::new()
        .route("/_sandbox/reset", post(controls::reset))
        .route("/_sandbox/summary", get(controls::summary))
        .route("/_sandbox/orders", post(controls::add_orders))
        .route("/_sandbox/order-state", post(controls::order_state))
        .route("/_sandbox/receipt-paid", post(controls::receipt_paid))
        .route("/_sandbox/price", post(controls::price))
        .route("/_sandbox/relation", post(controls::relation))
        .route("/_sandbox/stock", post(controls::stock))
        .merge(control::routes::<MplusState>())
        .layer(from_fn_with_state(shops.clone(), shops::by_shop_parameter));
    Router::new().route("/", get(wsdl).post(soap_endpoint)).merge(controls)
}
