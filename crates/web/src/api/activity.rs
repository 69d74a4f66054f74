//! The activity log over JSON: search with filters and keyset pages, and one entry with its payloads.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use koppel_core::TenantId;
use koppel_store::activity;
use koppel_store::journal::EntrySummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ErrorBody;
use crate::error::{AppError, AppResult};
use crate::pages::activity::ActivityParams;
use crate::state::AppState;
use crate::tenant::ApiTenant;

/// Entries per page unless `limit` says otherwise.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// `GET /api/v1/activity` parameters. All optional; together they narrow the result.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Free text: every word must occur (case-insensitive, anywhere) in the order number, e-mail address,
    /// SKU, customer name or error text.
    #[serde(default)]
    pub q: String,
    /// `orders`, `receipts`, `financial_journal`, `customers`, `products`, `stock`, `articles`, `debtors` or `order_status`.
    #[serde(default)]
    pub flow: String,
    /// `created`, `updated`, `skipped` or `failed`.
    #[serde(default)]
    pub outcome: String,
    /// Source record type: `order`, `invoice`, `quotation`, `receipt`, `customer`, `article`, `stock`.
    #[serde(default)]
    pub entity: String,
    /// From this time (inclusive): a date (`2026-11-29`, UTC), an RFC 3339 instant or unix milliseconds.
    #[serde(default)]
    pub from: String,
    /// Up to this time (inclusive; a date means the whole day, UTC).
    #[serde(default)]
    pub to: String,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: String,
    /// Entries per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Company id; default: your first company.
    #[allow(dead_code)] // read by the `ApiTenant` extractor; declared here for the OpenAPI document
    pub tenant: Option<String>,
}

/// One journal entry: one record in one run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityEntry {
    pub id: Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub tenant_id: TenantId,
    pub run_id: Uuid,
    /// `orders`, `receipts`, `financial_journal`, `customers`, `products`, `stock` (MplusKASSA → AFAS),
    /// `articles`, `debtors` or `order_status` (AFAS → MplusKASSA).
    pub flow: String,
    /// Source record type, e.g. `order`.
    pub entity: String,
    /// The record's id where it came from (MplusKASSA, or AFAS for the flows towards the till).
    pub source_id: String,
    /// The record's id where it was written (AFAS Profit, or MplusKASSA for the flows towards the till), when it
    /// got one.
    pub target_id: Option<String>,
    /// `created`, `updated`, `skipped` or `failed`.
    pub outcome: String,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
    /// A failure Koppel retries on the next run.
    pub retryable: bool,
    /// Order number, e-mail, SKU, customer name.
    pub search_keys: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_at_ms: i64,
}

impl ActivityEntry {
    fn new(tenant_id: TenantId, entry: EntrySummary) -> Self {
        Self {
            id: entry.id,
            tenant_id,
            run_id: entry.run_id,
            flow: entry.flow,
            entity: entry.entity,
            source_id: entry.source_id,
            target_id: entry.target_id,
            outcome: entry.outcome,
            reason: entry.reason,
            retryable: entry.retryable,
            search_keys: entry.search_keys.split_whitespace().map(str::to_owned).collect(),
            created_at: DateTime::from_timestamp_millis(entry.created_at_ms).unwrap_or_default(),
            created_at_ms: entry.created_at_ms,
        }
    }
}

/// A page of entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// An entry with what came from MplusKASSA, what was sent to AFAS and what AFAS answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDetail {
    #[serde(flatten)]
    pub entry: ActivityEntry,
    /// The source record as read from MplusKASSA (secrets redacted); null once retention removed it.
    #[schema(value_type = Option<Object>)]
    pub source_payload: Option<serde_json::Value>,
    /// `[{operation, request, status, response}]`: each request sent to AFAS and its answer; null once
    /// retention removed it.
    #[schema(value_type = Option<Vec<Object>>)]
    pub exchanges: Option<serde_json::Value>,
    /// The previous entry of the same record (flow and MplusKASSA id), to compare with.
    pub previous_entry_id: Option<Uuid>,
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(ErrorBody {
            error: "invalid_parameter".into(),
            message,
        }),
    )
        .into_response()
}

/// Search the activity log.
///
/// Newest first; keyset pages (`next_cursor`), stable while new entries arrive. A user in several companies
/// picks one with `tenant` (default: the first company they joined).
#[utoipa::path(get, path = "/api/v1/activity", tag = "activity", security(("bearer" = [])),
    params(ActivityQuery),
    responses(
        (status = 200, body = ActivityPage),
        (status = 400, description = "An unknown flow or outcome, an unreadable date or cursor", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not a member of `tenant`", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Query(query): Query<ActivityQuery>,
) -> AppResult<Response> {
    let params = ActivityParams {
        q: query.q,
        flow: query.flow,
        outcome: query.outcome,
        entity: query.entity,
        from: query.from,
        to: query.to,
        cursor: query.cursor,
    };
    let (filter, cursor) = match params.parse() {
        Ok(parsed) => parsed,
        Err(message) => return Ok(bad_request(message)),
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Ok(bad_request(format!("limit must be between 1 and {MAX_LIMIT}.")));
    }
    let page = activity::search(&state.db, &ctx.scope, &filter, cursor.as_ref(), limit).await?;
    let tenant_id = ctx.scope.tenant_id();
    Ok(Json(ActivityPage {
        entries: page
            .entries
            .into_iter()
            .map(|e| ActivityEntry::new(tenant_id, e))
            .collect(),
        next_cursor: page.next.map(|c| c.encode()),
    })
    .into_response())
}

/// One entry with its payloads. Another company's entry answers 404.
#[utoipa::path(get, path = "/api/v1/activity/{id}", tag = "activity", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The entry's id"),
        ("tenant" = Option<String>, Query, description = "Company id; default: your first company"),
    ),
    responses((status = 200, body = ActivityDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_entry(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(id): Path<String>,
) -> AppResult<Json<ActivityDetail>> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let detail = activity::entry(&state.db, &ctx.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let previous = activity::previous(&state.db, &ctx.scope, &detail.entry).await?;
    let parse = |text: Option<String>| text.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)));
    Ok(Json(ActivityDetail {
        entry: ActivityEntry::new(ctx.scope.tenant_id(), detail.entry),
        source_payload: parse(detail.source_payload),
        exchanges: parse(detail.exchanges),
        previous_entry_id: previous.map(|p| p.entry.id),
    }))
}
