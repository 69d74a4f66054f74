//! `POST /api/v1/activity/{id}/retry`: try the record of an activity entry again.

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
