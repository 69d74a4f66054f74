//! Trying failed records again, and giving up on them: shared by the pages and the JSON API.

use koppel_core::FlowKind;
use koppel_store::TenantScope;
use koppel_store::journal::{self, EntrySummary, NewEntry};
use koppel_store::runs::{self, RunId};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Queues a retry run for these records of `flow`; `Err(active)` when the flow has a run queued or running.
pub async fn retry(
    state: &AppState,
    scope: &TenantScope,
    flow: FlowKind,
    source_ids: &[String],
) -> AppResult<Result<RunId, RunId>> {
    let now = koppel_store::now().timestamp_millis();
    let created = runs::create_retry(&state.db, scope, flow, source_ids, now).await;
    let queued = crate::api::flows::enqueue_created(state, scope, flow, created).await?;
    if let Ok(run_id) = &queued {
        tracing::info!(tenant_id = %scope.tenant_id(), %flow, records = source_ids.len(), %run_id, "retry queued");
    }
    Ok(queued)
}

/// The entry, if it is this tenant's.
pub async fn entry(state: &AppState, scope: &TenantScope, entry_id: &str) -> AppResult<EntrySummary> {
    let id = entry_id.parse::<uuid::Uuid>().map_err(|_| AppError::NotFound)?;
    journal::entry(&state.db, scope, id).await?.ok_or(AppError::NotFound)
}

fn flow_of(entry: &EntrySummary) -> AppResult<FlowKind> {
    entry.flow.parse().map_err(|_| AppError::NotFound)
}

/// Retries the record an entry is about.
pub async fn retry_entry(state: &AppState, scope: &TenantScope, entry_id: &str) -> AppResult<Result<RunId, RunId>> {
    let entry = entry(state, scope, entry_id).await?;
    retry(state, scope, flow_of(&entry)?, &[entry.source_id]).await
}

/// The records that failed in a run (each once), with the run's flow.
pub async fn failed_in_run(
    state: &AppState,
    scope: &TenantScope,
    run_id: RunId,
) -> AppResult<(FlowKind, Vec<EntrySummary>)> {
    let run = runs::get(&state.db, scope, run_id).await?.ok_or(AppError::NotFound)?;
    let mut failed: Vec<EntrySummary> = journal::entries_of_run(&state.db, scope, run_id)
        .await?
        .into_iter()
        .filter(|entry| entry.outcome == "failed")
        .collect();
    failed.dedup_by(|a, b| a.source_id == b.source_id);
    Ok((run.flow, failed))
}

/// Marks a run's failed records as skipped by a person: journaled, and no longer retried automatically.
pub async fn skip_failed(state: &AppState, scope: &TenantScope, run_id: RunId, who: &str) -> AppResult<usize> {
    let (flow, failed) = failed_in_run(state, scope, run_id).await?;
    let reason = format!("Skipped by {who} after it failed.");
    for entry in &failed {
        journal::clear_retry(&state.db, scope, flow, &entry.source_id).await?;
        let skipped = NewEntry {
            run_id,
            flow,
            entity: &entry.entity,
            source_id: &entry.source_id,
            target_id: entry.target_id.as_deref(),
            outcome: "skipped",
            reason: Some(&reason),
            retryable: false,
            failure_class: None,
            search_keys: &entry.search_keys,
            source_payload: "null",
            exchanges: "[]",
            content_hash: None,
            at_ms: koppel_store::now().timestamp_millis(),
        };
        journal::record(&state.db, scope, &skipped).await?;
    }
    Ok(failed.len())
}
