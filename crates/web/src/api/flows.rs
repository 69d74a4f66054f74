//! Flows and runs over JSON: switch flows on and off, schedule and configure them, start and follow runs.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use koppel_core::FlowKind;
use koppel_jobs::RunFlowJob;
use koppel_jobs::executor::{RESYNC, RESYNCABLE};
use koppel_jobs::scheduler::{self, next_run_after};
use koppel_store::flows::FlowConfig;
use koppel_store::runs::{self, Run, RunId};
use koppel_store::{StoreError, TenantScope};
use koppel_sync::settings::FlowSettings;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ErrorBody;
use super::accounts::ValidationErrorBody;
use crate::error::{AppError, AppResult};
use crate::forms::FieldErrors;
use crate::preflight;
use crate::state::AppState;
use crate::tenant::ApiTenant;

/// A flow as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlowBody {
    #[schema(value_type = String, example = "orders")]
    pub flow: FlowKind,
    pub enabled: bool,
    /// Cron expression with seconds (`sec min hour day month weekday`); default every 5 minutes.
    #[schema(example = "0 */5 * * * *")]
    pub schedule: String,
    /// The settings the flow runs with: the company-wide ones (shared by every flow) and its own.
    pub settings: FlowSettings,
    pub next_run_at: Option<DateTime<Utc>>,
}

/// `PUT /api/v1/flows/{flow}`: every field optional; what is left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FlowUpdate {
    pub enabled: Option<bool>,
    pub schedule: Option<String>,
    /// The flat settings document, merged over the stored one: every field left out (company-wide or the
    /// flow's own) keeps its value; a field named is replaced as a whole.
    #[schema(value_type = Option<FlowSettings>)]
    pub settings: Option<serde_json::Value>,
}

/// The flow a path names; an unknown name is 404.
pub(crate) fn parse_flow(flow: &str) -> AppResult<FlowKind> {
    flow.parse().map_err(|_| AppError::NotFound)
}

fn millis_to_time(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// The stored flow (its own settings only), or the defaults for one never configured.
pub async fn load_flow(state: &AppState, scope: &TenantScope, flow: FlowKind) -> AppResult<FlowConfig> {
    Ok(koppel_jobs::settings::flow_config(&state.db, scope, flow).await?)
}

/// The settings a flow runs with: the company-wide ones and the flow's own (the defaults before anything is
/// stored).
pub(crate) async fn load_settings(state: &AppState, scope: &TenantScope, flow: FlowKind) -> AppResult<FlowSettings> {
    Ok(koppel_jobs::settings::load(&state.db, scope, flow).await?)
}

async fn body(state: &AppState, scope: &TenantScope, config: FlowConfig) -> AppResult<FlowBody> {
    let settings = load_settings(state, scope, config.flow).await?;
    Ok(FlowBody {
        flow: config.flow,
        enabled: config.enabled,
        schedule: config.schedule,
        settings,
        next_run_at: config.next_run_at_ms.and_then(millis_to_time),
    })
}

/// A settings document sent for `flow`, merged over the settings it runs with: every field it names replaces
/// the stored value as a whole, every field it leaves out (company-wide or the flow's own) keeps its value.
fn settings_update(document: serde_json::Value, stored: &FlowSettings) -> Result<FlowSettings, String> {
    let serde_json::Value::Object(given) = document else {
        return Err("These settings are not valid: expected a JSON object".to_owned());
    };
    let mut merged = match serde_json::to_value(stored).map_err(|e| e.to_string())? {
        serde_json::Value::Object(fields) => fields,
        _ => serde_json::Map::new(),
    };
    merged.extend(given);
    serde_json::from_value(serde_json::Value::Object(merged)).map_err(|e| format!("These settings are not valid: {e}"))
}

/// A flow's state, schedule and settings.
#[utoipa::path(get, path = "/api/v1/flows/{flow}", tag = "flows", security(("bearer" = [])),
    params(("flow" = String, Path, description = "`orders`, `receipts`, `financial_journal`, `customers`, `products`, `stock`, `articles`, `debtors` or `order_status`"),
           ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 200, body = FlowBody), (status = 404, body = ErrorBody)))]
pub async fn get_flow(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(flow): Path<String>,
) -> AppResult<Json<FlowBody>> {
    let flow = parse_flow(&flow)?;
    let config = load_flow(&state, &ctx.scope, flow).await?;
    Ok(Json(body(&state, &ctx.scope, config).await?))
}

/// Switch a flow on or off, set its schedule and settings.
///
/// `settings` is the flat document `GET` shows: the company-wide fields in it (administration, debtor ledger,
/// payment terms, default debtor, currency, VAT duty, warehouse, stock branch, the payment, VAT, revenue,
/// article group and VAT group mappings, numeric item codes, variant mode) change them for every flow (see
/// `PUT /api/v1/settings`). The document is merged over the stored settings: every field it leaves out,
/// company-wide or the flow's own, keeps its value; a field it names (a mapping too) is replaced as a whole.
/// Every change is in the audit log with who made it and the values before and after. Settings that cannot work together (e.g. `order_types` orders and invoices) are refused.
///
/// A flow that ends up switched on (`enabled: true`, or new settings for a flow that is on) is checked first
/// (the preflight): the settings it needs must be set and the AFAS codes they name (administration,
/// warehouse, default debtor, payment terms, mapped payment methods and VAT codes) must exist in the live
/// AFAS. Other flows that are on are checked too when a company-wide setting changes. Otherwise nothing is
/// saved and the answer is 422 naming each setting; `connection` when AFAS is not connected or could not be
/// asked. Switching off, and settings of a flow that is off, are not checked.
#[utoipa::path(put, path = "/api/v1/flows/{flow}", tag = "flows", security(("bearer" = [])),
    params(("flow" = String, Path, description = "`orders`, `receipts`, `financial_journal`, `customers`, `products`, `stock`, `articles`, `debtors` or `order_status`"),
           ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    request_body = FlowUpdate,
    responses((status = 200, body = FlowBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationErrorBody,
               description = "Invalid input, settings that cannot work together, or the preflight refused to \
                              switch a flow on: messages per setting (its JSON name, e.g. `warehouse`, \
                              `order_types`; `connection` for AFAS itself)",
               example = json!({"errors": {"warehouse": ["not set: stock is written per AFAS warehouse"]}}))))]
pub async fn put_flow(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(flow): Path<String>,
    Json(update): Json<FlowUpdate>,
) -> AppResult<Response> {
    let flow = parse_flow(&flow)?;
    ctx.require_write()?;
    let mut config = load_flow(&state, &ctx.scope, flow).await?;
    let stored = load_settings(&state, &ctx.scope, flow).await?;
    let mut settings = stored.clone();
    let mut errors = FieldErrors::default();
    if let Some(schedule) = update.schedule {
        match scheduler::validate_schedule(schedule.trim()) {
            Ok(()) => config.schedule = schedule.trim().to_owned(),
            Err(error) => errors.add_message("schedule", error.to_string()),
        }
    }
    let settings_given = update.settings.is_some();
    if let Some(document) = update.settings {
        for problem in koppel_sync::validation::withdrawn_values(&document) {
            errors.add_message(problem.setting, problem.message);
        }
        match settings_update(document, &stored) {
            Ok(given) => {
                // Rules that parse but cannot work (an unknown target or source field, a bad date format) are
                // refused here as on the settings page, not discovered record by record in a run.
                for problem in given.field_map.problems(flow) {
                    errors.add_message("field_map", problem);
                }
                for problem in given.validate() {
                    errors.add_message(problem.setting, problem.message);
                }
                settings = given;
            }
            Err(message) => errors.add_message("settings", message),
        }
    }
    if !errors.is_empty() {
        return Ok(ValidationErrorBody::response(errors));
    }
    if let Some(enabled) = update.enabled {
        config.enabled = enabled;
    }
    // Switched on, or on with new settings: only a flow that can work is saved (off, anything goes); a
    // company-wide change must leave the other flows that are on working.
    let mut problems = Vec::new();
    if config.enabled && (update.enabled == Some(true) || settings_given) {
        problems = preflight::check(&state, &ctx.scope, flow, &settings).await?;
    }
    problems.extend(preflight::check_others(&state, &ctx.scope, Some(flow), &stored.company, &settings.company).await?);
    if !problems.is_empty() {
        let errors = preflight::api_errors(&problems);
        return Ok(ValidationErrorBody::response(errors));
    }
    let now = koppel_store::now();
    // A flow switched on runs at its next scheduled time; one switched off has none.
    config.next_run_at_ms = match config.enabled {
        true => next_run_after(&config.schedule, now).ok().map(|t| t.timestamp_millis()),
        false => None,
    };
    let config = koppel_jobs::settings::save(
        &state.db,
        &ctx.scope,
        &ctx.user.email,
        config,
        &settings,
        now.timestamp_millis(),
    )
    .await?;
    tracing::info!(tenant_id = %ctx.scope.tenant_id(), %flow, enabled = config.enabled, "flow saved");
    Ok(Json(body(&state, &ctx.scope, config).await?).into_response())
}

/// Every flow of the company.
#[utoipa::path(get, path = "/api/v1/flows", tag = "flows", security(("bearer" = [])),
    params(("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 200, body = Vec<FlowBody>)))]
pub async fn list_flows(State(state): State<AppState>, ApiTenant(ctx): ApiTenant) -> AppResult<Json<Vec<FlowBody>>> {
    let mut all = Vec::new();
    for flow in FlowKind::ALL {
        let config = load_flow(&state, &ctx.scope, flow).await?;
        all.push(body(&state, &ctx.scope, config).await?);
    }
    Ok(Json(all))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunQueued {
    #[schema(value_type = String, format = Uuid)]
    pub run_id: RunId,
}

/// Queues a run now (the flow need not be switched on).
pub async fn queue_run(
    state: &AppState,
    scope: &TenantScope,
    flow: FlowKind,
    trigger: &str,
) -> AppResult<Result<RunId, RunId>> {
    create_and_enqueue(state, scope, flow, NewRun::Now { trigger }).await
}

/// A run to create.
pub enum NewRun<'a> {
    /// Of every record due, started by `trigger`.
    Now { trigger: &'a str },
    /// Of these records only.
    Retry { source_ids: &'a [String] },
}

/// Creates the run and pushes its job; when the flow already has an active run (the create
/// refused), returns that run's id as `Err`. A run that ended between the refusal and the look-up (a retry of
/// one record starts and ends within milliseconds) leaves room for this one: it is created again.
pub async fn create_and_enqueue(
    state: &AppState,
    scope: &TenantScope,
    flow: FlowKind,
    run: NewRun<'_>,
) -> AppResult<Result<RunId, RunId>> {
    for _ in 0..3 {
        let now = koppel_store::now().timestamp_millis();
        let created = match run {
            NewRun::Now { trigger } => runs::create(&state.db, scope, flow, trigger, now).await,
            NewRun::Retry { source_ids } => runs::create_retry(&state.db, scope, flow, source_ids, now).await,
        };
        match created {
            Ok(run_id) => {
                let job = RunFlowJob {
                    tenant_id: scope.tenant_id(),
                    flow,
                    run_id,
                };
                state.queue.push(job, None).await.map_err(anyhow::Error::from)?;
                return Ok(Ok(run_id));
            }
            Err(StoreError::Conflict) => {
                let active = runs::recent(&state.db, scope, flow, 5)
                    .await?
                    .into_iter()
                    .find(|run| !run.status.is_finished());
                if let Some(active) = active {
                    return Ok(Err(active.id));
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(anyhow::anyhow!("the flow's runs kept ending and starting while this one was queued").into())
}

/// Start a run of the flow now.
#[utoipa::path(post, path = "/api/v1/flows/{flow}/runs", tag = "flows", security(("bearer" = [])),
    params(("flow" = String, Path, description = "`orders`, `receipts`, `financial_journal`, `customers`, `products`, `stock`, `articles`, `debtors` or `order_status`"),
           ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 202, description = "Queued", body = RunQueued),
              (status = 409, description = "A run of this flow is already queued or running; its id is returned", body = RunQueued),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn post_run(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(flow): Path<String>,
) -> AppResult<Response> {
    let flow = parse_flow(&flow)?;
    ctx.require_write()?;
    Ok(match queue_run(&state, &ctx.scope, flow, "manual").await? {
        Ok(run_id) => (StatusCode::ACCEPTED, Json(RunQueued { run_id })).into_response(),
        Err(active) => (StatusCode::CONFLICT, Json(RunQueued { run_id: active })).into_response(),
    })
}

/// Read the flow's source again from the start (a full resync): queues a run that forgets the cursor when it
/// starts. Records the target already has as they are are left alone; what differs is written. For the master
/// data flows only (`articles`, `debtors`, `products`, `customers`): sales are never read again from the start.
#[utoipa::path(post, path = "/api/v1/flows/{flow}/resync", tag = "flows", security(("bearer" = [])),
    params(("flow" = String, Path, description = "`articles`, `debtors`, `products` or `customers`"),
           ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 202, description = "Queued", body = RunQueued),
              (status = 409, description = "A run of this flow is already queued or running (its id is returned): ask again when it ended", body = RunQueued),
              (status = 422, description = "The flow reads sales, which are never read again from the start", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn post_resync(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(flow): Path<String>,
) -> AppResult<Response> {
    let flow = parse_flow(&flow)?;
    ctx.require_write()?;
    Ok(match queue_resync(&state, &ctx.scope, flow).await? {
        Resync::Queued(run_id) => (StatusCode::ACCEPTED, Json(RunQueued { run_id })).into_response(),
        Resync::Busy(active) => (StatusCode::CONFLICT, Json(RunQueued { run_id: active })).into_response(),
        Resync::NotForSales => ErrorBody::response(StatusCode::UNPROCESSABLE_ENTITY, "not_resyncable", NOT_FOR_SALES),
    })
}

const NOT_FOR_SALES: &str =
    "Only the articles, debtors, products and customers flows can be read again from the start: sales never are.";

/// What asking for a full resync did.
pub enum Resync {
    Queued(RunId),
    /// A run of the flow is queued or running (its id).
    Busy(RunId),
    NotForSales,
}

/// Queues a full resync of the flow (the API and the flow's settings page).
pub async fn queue_resync(state: &AppState, scope: &TenantScope, flow: FlowKind) -> AppResult<Resync> {
    if !RESYNCABLE.contains(&flow) {
        return Ok(Resync::NotForSales);
    }
    Ok(match queue_run(state, scope, flow, RESYNC).await? {
        Ok(run_id) => Resync::Queued(run_id),
        Err(active) => Resync::Busy(active),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunCounts {
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
}

/// A run. `status` is `queued`, `running`, `succeeded` (every record went through), `succeeded_with_failures`
/// (the run reached its end but some records failed: `counts.failed` and the activity log say which), `failed`
/// (the run stopped with `error`, or every record it handled failed) or `cancelled`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunBody {
    #[schema(value_type = String, format = Uuid)]
    pub run_id: RunId,
    #[schema(value_type = String, example = "orders")]
    pub flow: FlowKind,
    #[schema(
        example = "succeeded",
        pattern = "^(queued|running|succeeded|succeeded_with_failures|failed|cancelled)$"
    )]
    pub status: String,
    pub counts: RunCounts,
    /// Records handled so far and in total, for progress.
    pub done: i64,
    pub total: i64,
    pub queued_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why the run failed or was retried, in plain words.
    pub error: Option<String>,
    pub attempts: i64,
    /// Times a live process took the run over after the process running it died, in a row.
    pub takeovers: i64,
    /// For a running run the watchdog reported stuck: when it last booked a record.
    pub stuck_since: Option<DateTime<Utc>>,
}

impl From<Run> for RunBody {
    fn from(run: Run) -> Self {
        Self {
            run_id: run.id,
            flow: run.flow,
            status: run.status.as_str().to_owned(),
            counts: RunCounts {
                created: run.created,
                updated: run.updated,
                skipped: run.skipped,
                failed: run.failed,
            },
            done: run.done,
            total: run.total,
            queued_at: millis_to_time(run.queued_at_ms),
            started_at: run.started_at_ms.and_then(millis_to_time),
            finished_at: run.finished_at_ms.and_then(millis_to_time),
            error: run.error,
            attempts: run.attempts,
            takeovers: run.takeovers,
            stuck_since: run
                .stuck_reported_at_ms
                .and(run.progress_at_ms)
                .and_then(millis_to_time),
        }
    }
}

fn parse_run_id(id: &str) -> AppResult<RunId> {
    id.parse::<uuid::Uuid>().map(RunId).map_err(|_| AppError::NotFound)
}

/// A run's state and counts.
#[utoipa::path(get, path = "/api/v1/runs/{run_id}", tag = "flows", security(("bearer" = [])),
    params(("run_id" = String, Path), ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 200, body = RunBody), (status = 404, body = ErrorBody)))]
pub async fn get_run(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(run_id): Path<String>,
) -> AppResult<Json<RunBody>> {
    let run = runs::get(&state.db, &ctx.scope, parse_run_id(&run_id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(run.into()))
}

/// Cancel a queued or running run; a running one stops between records.
#[utoipa::path(post, path = "/api/v1/runs/{run_id}/cancel", tag = "flows", security(("bearer" = [])),
    params(("run_id" = String, Path), ("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 202, description = "Cancellation requested", body = RunBody), (status = 404, body = ErrorBody),
              (status = 409, description = "The run has finished already", body = RunBody)))]
pub async fn cancel_run(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Path(run_id): Path<String>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let run_id = parse_run_id(&run_id)?;
    let requested = runs::request_cancel(&state.db, &ctx.scope, run_id, koppel_store::now().timestamp_millis()).await?;
    let run = runs::get(&state.db, &ctx.scope, run_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = if requested {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CONFLICT
    };
    Ok((status, Json(RunBody::from(run))).into_response())
}
