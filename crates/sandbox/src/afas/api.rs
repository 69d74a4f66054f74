//! The Profit endpoints under `/ProfitRestServices/`. Each request is first offered to the fault rules and
//! the token's connector allow-list, then served; the connector name goes into the journal.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde_json::{Value, json};

use super::error::AfasError;
use super::update::{self, Method};
use super::{AfasState, faults, get_connectors, metainfo};
use crate::control::{HasControl, JournalOperation};

/// The Profit version the simulator reports (that of the vendored OpenAPI specifications).
pub const PROFIT_VERSION: &str = "6.6.9";

pub fn routes() -> Router {
    Router::new()
        .route(
            "/ProfitRestServices/connectors/{name}",
            get(get_connector).post(post_update).put(put_update),
        )
        .route(
            "/ProfitRestServices/connectors/{name}/{sub_object}",
            axum::routing::post(post_sub_object).put(put_sub_object),
        )
        .route(
            "/ProfitRestServices/connectors/{name}/{object}/{key}/{value}",
            delete(delete_record),
        )
        .route("/ProfitRestServices/metainfo", get(metainfo_list))
        .route("/ProfitRestServices/MetaInfo", get(metainfo_list))
        .route("/ProfitRestServices/metainfo/{kind}/{name}", get(metainfo_of))
        .route("/ProfitRestServices/Metainfo/{kind}/{name}", get(metainfo_of))
        .route("/ProfitRestServices/ProfitVersion", get(profit_version))
        .route("/ProfitRestServices/profitversion", get(profit_version))
        .fallback(|| async { AfasError::not_found() })
}

/// Runs `work` unless a fault or the connector allow-list answers first; tags the response for the journal.
async fn serve(
    state: &AfasState,
    method: &str,
    operation: &str,
    work: impl FnOnce() -> Result<Response, AfasError>,
) -> Response {
    let mut response = match faults::injected(state.control(), method, operation).await {
        Some(response) => response,
        None if !connector_allowed(state, operation) => StatusCode::UNAUTHORIZED.into_response(),
        None => work().unwrap_or_else(IntoResponse::into_response),
    };
    response.extensions_mut().insert(JournalOperation(operation.to_owned()));
    response
}

fn connector_allowed(state: &AfasState, operation: &str) -> bool {
    match &state.access().allowed_connectors {
        Some(allowed) => allowed.contains(operation) || operation == "metainfo" || operation == "ProfitVersion",
        None => true,
    }
}

async fn get_connector(
    state: AfasState,
    Path(name): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    serve(&state, "GET", &name, || {
        let shuffle = state.access().shuffle_unsorted;
        let page = get_connectors::run(&state.store(), &name, &params, shuffle)?;
        Ok(Json(page).into_response())
    })
    .await
}

async fn post_update(state: AfasState, Path(name): Path<String>, body: Bytes) -> Response {
    write(&state, &name, None, Method::Post, &body).await
}

async fn put_update(state: AfasState, Path(name): Path<String>, body: Bytes) -> Response {
    write(&state, &name, None, Method::Put, &body).await
}

async fn post_sub_object(state: AfasState, Path((name, sub_object)): Path<(String, String)>, body: Bytes) -> Response {
    write(&state, &name, Some(&sub_object), Method::Post, &body).await
}

async fn put_sub_object(state: AfasState, Path((name, sub_object)): Path<(String, String)>, body: Bytes) -> Response {
    write(&state, &name, Some(&sub_object), Method::Put, &body).await
}

async fn write(state: &AfasState, name: &str, sub_object: Option<&str>, method: Method, body: &[u8]) -> Response {
    let method_name = if method == Method::Post { "POST" } else { "PUT" };
    serve(state, method_name, name, || {
        if !update::is_update_connector(name) {
            return Err(AfasError::query(format!(
                "UpdateConnector '{name}' not supported for this app or the user is not authorized"
            )));
        }
        let body: Value = serde_json::from_slice(body).map_err(|_| AfasError::Bare(StatusCode::BAD_REQUEST))?;
        let (status, results) = update::execute(&mut state.store_mut(), name, sub_object, method, &body)?;
        Ok(match results {
            Some(results) => (status, Json(results)).into_response(),
            None => status.into_response(),
        })
    })
    .await
}

async fn delete_record(
    state: AfasState,
    Path((name, object, key, value)): Path<(String, String, String, String)>,
) -> Response {
    serve(&state, "DELETE", &name, || {
        update::delete(&mut state.store_mut(), &name, &object, &key, &value)?;
        Ok(StatusCode::OK.into_response())
    })
    .await
}

async fn metainfo_list(state: AfasState) -> Response {
    serve(&state, "GET", "metainfo", || {
        Ok(Json(metainfo::list(&state.store())).into_response())
    })
    .await
}

async fn metainfo_of(state: AfasState, Path((kind, name)): Path<(String, String)>) -> Response {
    serve(&state, "GET", "metainfo", || {
        let info = match kind.to_ascii_lowercase().as_str() {
            "get" => metainfo::get_connector(&state.store(), &name)?,
            "update" => metainfo::update_connector(&name)?,
            _ => return Err(AfasError::not_found()),
        };
        Ok(Json(info).into_response())
    })
    .await
}

async fn profit_version(state: AfasState) -> Response {
    serve(&state, "GET", "ProfitVersion", || {
        Ok(Json(json!({ "version": PROFIT_VERSION })).into_response())
    })
    .await
}
