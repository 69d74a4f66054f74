//! Trying failed records again, giving up on them, and saying what Koppel will do with them by itself: shared
//! by the pages and the JSON API.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use koppel_core::FlowKind;
use koppel_store::TenantScope;
use koppel_store::journal::{self, EntrySummary, NewEntry};
use koppel_store::retries::{self, Plan};
use koppel_store::runs::{self, RunId};
use koppel_sync::ports::FailureClass;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Queues a retry run for these records of `flow`; `Err(active)` when the flow has a run queued or running.
pub async fn retry(
    state: &AppState,
    scope: &TenantScope,
    flow: FlowKind,
    source_ids: &[String],
) -> AppResult<Result<RunId, RunId>> {
    let run = crate::api::flows::NewRun::Retry { source_ids };
    let queued = crate::api::flows::create_and_enqueue(state, scope, flow, run).await?;
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
    for entry in &failed {
        skip(state, scope, flow, entry, who).await?;
    }
    Ok(failed.len())
}

/// Skips the record of one failed entry; `Ok(false)` when the entry did not fail.
pub async fn skip_entry(state: &AppState, scope: &TenantScope, entry_id: &str, who: &str) -> AppResult<bool> {
    let entry = entry(state, scope, entry_id).await?;
    if entry.outcome != "failed" {
        return Ok(false);
    }
    skip(state, scope, flow_of(&entry)?, &entry, who).await?;
    tracing::info!(tenant_id = %scope.tenant_id(), entry_id = %entry.id, who, "failed record skipped");
    Ok(true)
}

/// A person gives up on a failed record: its retry is cleared and a skip naming them is journaled (in the
/// failed entry's run), which is the audit trail.
async fn skip(state: &AppState, scope: &TenantScope, flow: FlowKind, entry: &EntrySummary, who: &str) -> AppResult<()> {
    let reason = format!("Skipped by {who} after it failed.");
    journal::clear_retry(&state.db, scope, flow, &entry.source_id).await?;
    let skipped = NewEntry {
        run_id: RunId(entry.run_id),
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
    Ok(())
}

/// Queues a retry run of every record of the flow whose latest attempt failed, retryable or not; `None`
/// when there is none.
pub async fn retry_flow_failures(
    state: &AppState,
    scope: &TenantScope,
    flow: FlowKind,
) -> AppResult<Option<Result<RunId, RunId>>> {
    let failed = retries::failed_records(&state.db, scope, flow).await?;
    if failed.is_empty() {
        return Ok(None);
    }
    retry(state, scope, flow, &failed).await.map(Some)
}

/// What will happen to a failed entry's record, in words: a CSS class and a sentence.
#[derive(Debug, Clone)]
pub struct RetryNote {
    /// `retry-due` (Koppel retries it by itself) or `retry-never` (a person must act).
    pub kind: &'static str,
    pub text: String,
}

/// The note for each failed entry among these (times in UTC, like the rest of the pages).
pub async fn notes(
    state: &AppState,
    scope: &TenantScope,
    entries: &[EntrySummary],
) -> AppResult<HashMap<Uuid, RetryNote>> {
    let plans = retries::plans(&state.db, scope, entries).await?;
    let now = koppel_store::now();
    Ok(entries
        .iter()
        .filter_map(|entry| {
            let plan = plans.get(&entry.id)?;
            let class = entry.failure_class.as_deref().and_then(FailureClass::parse);
            Some((entry.id, note(*plan, class, now)))
        })
        .collect())
}

fn note(plan: Plan, class: Option<FailureClass>, now: DateTime<Utc>) -> RetryNote {
    let due = |text: String| RetryNote {
        kind: "retry-due",
        text,
    };
    let never = |text: String| RetryNote {
        kind: "retry-never",
        text,
    };
    match plan {
        Plan::AfterSettingsChange => {
            due("Retried on the next run: the flow's settings changed after it failed.".into())
        }
        Plan::At(at) if at <= now.timestamp_millis() => due("Retried automatically on the next run.".into()),
        Plan::At(at) => due(format!("Retried automatically at {}.", time_of_day(at, now))),
        Plan::NextRun => due("Retried on the next run: stock compares every article on every run.".into()),
        Plan::NotRetried => never(format!(
            "Will not be retried automatically: {}",
            match class {
                Some(FailureClass::Permanent) => {
                    "the record cannot succeed as it is. Correct it at the source, or retry or skip it."
                }
                _ => "retry or skip it.",
            }
        )),
        Plan::GaveUp(attempts) => never(format!(
            "Will not be retried automatically: {attempts} attempts failed in a row. Change the settings, or retry or skip it."
        )),
        Plan::Superseded => RetryNote {
            kind: "retry-done",
            text: "Tried again or skipped since: see the record's later entries.".into(),
        },
    }
}

/// `14:05 UTC` today, else `2 Dec 14:05 UTC`.
fn time_of_day(ms: i64, now: DateTime<Utc>) -> String {
    let Some(at) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return ms.to_string();
    };
    match at.date_naive() == now.date_naive() {
        true => at.format("%H:%M UTC").to_string(),
        false => at.format("%-d %b %H:%M UTC").to_string(),
    }
}
