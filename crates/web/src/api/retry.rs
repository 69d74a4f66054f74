//! Failed records over JSON: retry one entry's record, skip it, or retry every failed record of a flow.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::ErrorBody;
use super::flows::RunQueued;
use crate::error::AppResult;
use crate::state::AppState;
use crate::tenant::ApiTenant;

/// Queues a retry run for the entry's record: fresh source data, current settings, journaled as a new attempt.
#[utoipa::path(post, path = "/api/v1/activity/{id}/retry", tag = "activity", security(("bearer" = [])),
    params(("id" = String, Path, description = "The activity entry"),
           ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 202, description = "Retry queued", body = RunQueued),
              (status = 409, description = "The flow has a run queued or running; its id is returned", body = RunQueued),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retry_entry(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.require_write()?;
    Ok(match crate::retry::retry_entry(&state, &ctx.scope, &id).await? {
        Ok(run_id) => (StatusCode::ACCEPTED, Json(RunQueued { run_id })).into_response(),
        Err(active) => (StatusCode::CONFLICT, Json(RunQueued { run_id: active })).into_response(),
    })
}

/// Stops retrying the record of a failed entry: a skip naming you is journaled, and no run tries it again
/// by itself.
#[utoipa::path(post, path = "/api/v1/activity/{id}/skip", tag = "activity", security(("bearer" = [])),
    params(("id" = String, Path, description = "A failed activity entry"),
           ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 204, description = "Skipped"),
              (status = 409, description = "The entry did not fail", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn skip_entry(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.require_write()?;
    Ok(
        match crate::retry::skip_entry(&state, &ctx.scope, &id, &ctx.user.email).await? {
            true => StatusCode::NO_CONTENT.into_response(),
            false => ErrorBody::response(
                StatusCode::CONFLICT,
                "not_failed",
                "Only a failed entry can be skipped.",
            ),
        },
    )
}

/// Retry every record of the flow whose latest attempt failed (retryable or not), now, in one retry run.
#[utoipa::path(post, path = "/api/v1/flows/{flow}/retry-failed", tag = "flows", security(("bearer" = [])),
    params(("flow" = String, Path, description = "`orders`, `receipts`, `financial_journal`, `customers`, `products`, `stock`, `articles`, `debtors` or `order_status`"),
           ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 202, description = "Retry run queued", body = RunQueued),
              (status = 409, description = "A run of this flow is already queued or running; its id is returned", body = RunQueued),
              (status = 422, description = "No record of this flow has failed", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retry_flow_failures(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(flow): Path<String>,
) -> AppResult<Response> {
    let flow = super::flows::parse_flow(&flow)?;
    ctx.require_write()?;
    Ok(
        match crate::retry::retry_flow_failures(&state, &ctx.scope, flow).await? {
            Some(Ok(run_id)) => (StatusCode::ACCEPTED, Json(RunQueued { run_id })).into_response(),
            Some(Err(active)) => (StatusCode::CONFLICT, Json(RunQueued { run_id: active })).into_response(),
            None => ErrorBody::response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "nothing_to_retry",
                "No record of this flow has failed.",
            ),
        },
    )
}
