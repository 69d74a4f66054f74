//! Runs: a list per flow, one run's live progress and records, "run now" and cancel.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use koppel_core::{FlowKind, TenantId};
use koppel_store::journal::{self, EntrySummary};
use koppel_store::runs::{self, Run, RunId};
use serde::Serialize;

use super::Layout;
use super::health::format_time;
use crate::api::flows::queue_run;
use crate::error::{AppError, AppResult};
use crate::retry::RetryNote;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// A run as the pages show it.
pub struct RunRow {
    pub id: RunId,
    /// For styling (`status-…`).
    pub status: &'static str,
    /// For reading.
    pub label: &'static str,
    /// When a stuck run last booked a record.
    pub stuck_since: Option<String>,
    /// Takeovers in a row after the process running it died.
    pub takeovers: i64,
    pub trigger: String,
    pub queued: String,
    pub duration: String,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
    pub done: i64,
    pub total: i64,
    pub error: Option<String>,
    pub finished: bool,
}

impl From<&Run> for RunRow {
    fn from(run: &Run) -> Self {
        let duration = match (run.started_at_ms, run.finished_at_ms) {
            (Some(start), Some(end)) => format!("{:.1} s", (end - start) as f64 / 1000.0),
            (Some(_), None) => "running".to_owned(),
            _ => "–".to_owned(),
        };
        Self {
            id: run.id,
            status: run.status.as_str(),
            label: run.status.label(),
            stuck_since: run.stuck_reported_at_ms.and(run.progress_at_ms).map(format_time),
            takeovers: run.takeovers,
            trigger: run.trigger_kind.clone(),
            queued: format_time(run.queued_at_ms),
            duration,
            created: run.created,
            updated: run.updated,
            skipped: run.skipped,
            failed: run.failed,
            done: run.done,
            total: run.total,
            error: run.error.clone(),
            finished: run.status.is_finished(),
        }
    }
}

pub struct FlowRuns {
    pub flow: FlowKind,
    pub runs: Vec<RunRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "runs.html")]
pub struct RunsPage {
    layout: Layout,
    tenant_id: TenantId,
    can_write: bool,
    flows: Vec<FlowRuns>,
    /// A run is queued or running: the page keeps itself current (`static/runs-live.js`).
    live: bool,
}

pub async fn list(State(state): State<AppState>, ctx: TenantContext) -> AppResult<RunsPage> {
    let mut flows = Vec::new();
    for flow in FlowKind::ALL {
        let runs = runs::recent(&state.db, &ctx.scope, flow, 10).await?;
        flows.push(FlowRuns {
            flow,
            runs: runs.iter().map(RunRow::from).collect(),
        });
    }
    let live = flows.iter().flat_map(|f| &f.runs).any(|run| !run.finished);
    Ok(RunsPage {
        layout: Layout::for_user(&state, &ctx.user, "Runs", Some(ctx.scope.tenant_id())).await?,
        tenant_id: ctx.scope.tenant_id(),
        can_write: ctx.scope.role().can_write(),
        flows,
        live,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "run.html")]
pub struct RunPage {
    layout: Layout,
    tenant_id: TenantId,
    can_write: bool,
    flow: FlowKind,
    run: RunRow,
    /// Each record with, when it failed, whether and when Koppel retries it by itself.
    entries: Vec<(EntrySummary, Option<RetryNote>)>,
    /// Booked sales this run read back with another total or VAT than the till's.
    differing: i64,
}

fn parse_run(id: &str) -> AppResult<RunId> {
    id.parse::<uuid::Uuid>().map(RunId).map_err(|_| AppError::NotFound)
}

async fn load(state: &AppState, ctx: &TenantContext, run_id: &str) -> AppResult<Run> {
    runs::get(&state.db, &ctx.scope, parse_run(run_id)?)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, run_id)): Path<(String, String)>,
) -> AppResult<RunPage> {
    let run = load(&state, &ctx, &run_id).await?;
    let entries = journal::entries_of_run(&state.db, &ctx.scope, run.id).await?;
    let differing = koppel_store::sales::differing_in_run(&state.db, &ctx.scope, run.id).await?;
    let mut notes = crate::retry::notes(&state, &ctx.scope, &entries).await?;
    let entries = entries
        .into_iter()
        .map(|entry| {
            let note = notes.remove(&entry.id);
            (entry, note)
        })
        .collect();
    Ok(RunPage {
        layout: Layout::for_user(&state, &ctx.user, "Run", Some(ctx.scope.tenant_id())).await?,
        tenant_id: ctx.scope.tenant_id(),
        can_write: ctx.scope.role().can_write(),
        flow: run.flow,
        run: RunRow::from(&run),
        entries,
        differing,
    })
}

/// What the progress script polls.
#[derive(Serialize)]
pub struct Progress {
    status: &'static str,
    finished: bool,
    done: i64,
    total: i64,
    created: i64,
    updated: i64,
    skipped: i64,
    failed: i64,
}

pub async fn progress(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, run_id)): Path<(String, String)>,
) -> AppResult<Json<Progress>> {
    let run = RunRow::from(&load(&state, &ctx, &run_id).await?);
    Ok(Json(Progress {
        status: run.label,
        finished: run.finished,
        done: run.done,
        total: run.total,
        created: run.created,
        updated: run.updated,
        skipped: run.skipped,
        failed: run.failed,
    }))
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((tenant_id, run_id)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let run = load(&state, &ctx, &run_id).await?;
    runs::request_cancel(&state.db, &ctx.scope, run.id, koppel_store::now().timestamp_millis()).await?;
    Ok(Redirect::to(&format!("/t/{tenant_id}/runs/{}", run.id)).into_response())
}

/// "Run now": queues a run (or shows the one already queued or running).
pub async fn run_now(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((tenant_id, flow)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let flow: FlowKind = flow.parse().map_err(|_| AppError::NotFound)?;
    let run_id = match queue_run(&state, &ctx.scope, flow, "manual").await? {
        Ok(id) | Err(id) => id,
    };
    Ok(Redirect::to(&format!("/t/{tenant_id}/runs/{run_id}")).into_response())
}

/// "Retry all failed in this run".
pub async fn retry_failed(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((tenant_id, run_id)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let run_id = parse_run(&run_id)?;
    let (flow, failed) = crate::retry::failed_in_run(&state, &ctx.scope, run_id).await?;
    if failed.is_empty() {
        return Ok(Redirect::to(&format!("/t/{tenant_id}/runs/{run_id}")).into_response());
    }
    let ids: Vec<String> = failed.into_iter().map(|entry| entry.source_id).collect();
    let target = match crate::retry::retry(&state, &ctx.scope, flow, &ids).await? {
        Ok(id) | Err(id) => id,
    };
    Ok(Redirect::to(&format!("/t/{tenant_id}/runs/{target}")).into_response())
}

/// "Skip all failed in this run".
pub async fn skip_failed(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((tenant_id, run_id)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let run_id = parse_run(&run_id)?;
    crate::retry::skip_failed(&state, &ctx.scope, run_id, &ctx.user.email).await?;
    Ok(Redirect::to(&format!("/t/{tenant_id}/runs/{run_id}")).into_response())
}

/// "Skip this record" from a failed entry's detail page.
pub async fn skip_entry(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((tenant_id, entry_id)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.require_write()?;
    crate::retry::skip_entry(&state, &ctx.scope, &entry_id, &ctx.user.email).await?;
    Ok(Redirect::to(&format!("/t/{tenant_id}/activity/{entry_id}")).into_response())
}

/// "Retry this record" from an entry's detail page.
pub async fn retry_entry(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((tenant_id, entry_id)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let run_id = match crate::retry::retry_entry(&state, &ctx.scope, &entry_id).await? {
        Ok(id) | Err(id) => id,
    };
    Ok(Redirect::to(&format!("/t/{tenant_id}/runs/{run_id}")).into_response())
}
