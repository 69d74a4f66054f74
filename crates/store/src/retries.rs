//! Automatic retries of failed records (`docs/retries.md`): the back-off schedule written with each failure,
//! which records a run retries, and what a person is told about each failed entry.
//!
//! A record whose latest attempt failed for a setting, missing master data or a transient cause waits in the
//! id map (`retry_pending`) until a run retries it: at once when the flow's settings were saved after the
//! failure, else once its back-off has passed (5 minutes after the first failure, doubling, at most a day),
//! for at most [`MAX_ATTEMPTS`] failed attempts in a row. A permanent failure is never retried by itself.

use std::collections::HashMap;

use koppel_core::FlowKind;
use uuid::Uuid;

use crate::db::on_pool;
use crate::journal::{EntrySummary, NewEntry};
use crate::{Db, Result, TenantScope};

/// The back-off after a record's first failure.
pub const FIRST_DELAY_MS: i64 = 5 * 60 * 1000;
/// The longest back-off.
pub const MAX_DELAY_MS: i64 = 24 * 60 * 60 * 1000;
/// Failed attempts in a row after which a record is no longer retried by itself (a settings change still
/// brings it back once; otherwise it needs a person).
pub const MAX_ATTEMPTS: i64 = 10;

/// When a run may retry a record whose `attempts`-th failure in a row happened at `failed_at_ms`; `None`
/// once [`MAX_ATTEMPTS`] have failed.
pub fn retry_at(attempts: i64, failed_at_ms: i64) -> Option<i64> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let doublings = attempts.clamp(1, 32) as u32 - 1;
    let delay = FIRST_DELAY_MS.saturating_mul(1_i64 << doublings).min(MAX_DELAY_MS);
    Some(failed_at_ms.saturating_add(delay))
}

/// What the id map keeps of an entry's retry.
pub(crate) struct Schedule {
    pub failed: bool,
    pub retry_pending: bool,
    /// Failed attempts in a row, this one included (0 after anything but a failure).
    pub attempts: i64,
    pub retry_at_ms: Option<i64>,
}

impl Schedule {
    /// The schedule after `entry`, given the failures in a row before it (by flow and source id).
    pub fn after(entry: &NewEntry<'_>, earlier: &HashMap<(String, String), i64>) -> Self {
        let failed = entry.outcome == "failed";
        if !failed {
            return Self {
                failed,
                retry_pending: false,
                attempts: 0,
                retry_at_ms: None,
            };
        }
        let key = (entry.flow.as_str().to_owned(), entry.source_id.to_owned());
        let attempts = earlier.get(&key).copied().unwrap_or(0) + 1;
        Self {
            failed,
            retry_pending: entry.retryable,
            attempts,
            retry_at_ms: retry_at(attempts, entry.at_ms).filter(|_| entry.retryable),
        }
    }
}

/// The failures in a row the id map holds for these records, by (flow, source id).
pub(crate) async fn failures_in_a_row(
    db: &Db,
    tenant: Uuid,
    entries: &[&NewEntry<'_>],
) -> Result<HashMap<(String, String), i64>> {
    let mut found = HashMap::new();
    // Chunked: both backends cap the number of bind parameters.
    for chunk in entries.chunks(500) {
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "SELECT flow, source_id, attempts FROM id_map WHERE tenant_id = $1 AND (flow, source_id) IN ({})",
            pairs.join(", ")
        );
        let rows: Vec<(String, String, i64)> = on_pool!(db, pool => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .persistent(false)
                .bind(tenant);
            for entry in chunk {
                query = query.bind(entry.flow.as_str()).bind(entry.source_id);
            }
            query.fetch_all(pool).await
        })?;
        found.extend(rows.into_iter().map(|(flow, id, attempts)| ((flow, id), attempts)));
    }
    Ok(found)
}

/// Source ids of the flow whose automatic retry is due at `now_ms`, longest waiting first: their latest
/// attempt failed retryably and either the flow's settings or the company-wide ones were saved since, or the
/// back-off has passed.
pub async fn due(db: &Db, scope: &TenantScope, flow: FlowKind, now_ms: i64, limit: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT m.source_id FROM id_map m
           LEFT JOIN flows f ON f.tenant_id = m.tenant_id AND f.flow = m.flow
           LEFT JOIN company_settings c ON c.tenant_id = m.tenant_id
         WHERE m.tenant_id = $1 AND m.flow = $2 AND m.retry_pending = TRUE
           AND (m.retry_at_ms <= $3 OR m.updated_at_ms < f.updated_at_ms OR m.updated_at_ms < c.updated_at_ms)
         ORDER BY m.updated_at_ms LIMIT $4",
    )
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .bind(now_ms)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Source ids of the flow whose latest attempt failed, retryably or not (what "retry all failed" retries).
pub async fn failed_records(db: &Db, scope: &TenantScope, flow: FlowKind) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT source_id FROM id_map WHERE tenant_id = $1 AND flow = $2 AND failure_class IS NOT NULL
         ORDER BY updated_at_ms, source_id",
    )
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// What will happen to a failed entry's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// The next run retries it: the flow's (or the company-wide) settings were saved after it failed.
    AfterSettingsChange,
    /// The first run at or after this time (unix ms) retries it.
    At(i64),
    /// The next run meets it again anyway (stock compares every article on every run).
    NextRun,
    /// Not retried automatically: the failure is permanent.
    NotRetried,
    /// Not retried automatically any more: this many attempts failed in a row.
    GaveUp(i64),
    /// The record was tried again or skipped after this entry; the later entry tells.
    Superseded,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct StateRow {
    flow: String,
    source_id: String,
    last_entry_id: Option<Uuid>,
    retry_pending: bool,
    attempts: i64,
    retry_at_ms: Option<i64>,
    updated_at_ms: i64,
    settings_saved_at_ms: Option<i64>,
    company_saved_at_ms: Option<i64>,
}

/// The plan for each failed entry among these (entries that did not fail have none).
pub async fn plans(db: &Db, scope: &TenantScope, entries: &[EntrySummary]) -> Result<HashMap<Uuid, Plan>> {
    let failed: Vec<&EntrySummary> = entries.iter().filter(|e| e.outcome == "failed").collect();
    let mut states: HashMap<(String, String), StateRow> = HashMap::new();
    for chunk in failed.chunks(500) {
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "SELECT m.flow, m.source_id, m.last_entry_id, m.retry_pending, m.attempts, m.retry_at_ms,
               m.updated_at_ms, f.updated_at_ms AS settings_saved_at_ms, c.updated_at_ms AS company_saved_at_ms
             FROM id_map m LEFT JOIN flows f ON f.tenant_id = m.tenant_id AND f.flow = m.flow
               LEFT JOIN company_settings c ON c.tenant_id = m.tenant_id
             WHERE m.tenant_id = $1 AND (m.flow, m.source_id) IN ({})",
            pairs.join(", ")
        );
        let rows: Vec<StateRow> = on_pool!(db, pool => {
            let mut query = sqlx::query_as::<_, StateRow>(sqlx::AssertSqlSafe(sql.clone()))
                .persistent(false)
                .bind(scope.tenant_id().0);
            for entry in chunk {
                query = query.bind(&entry.flow).bind(&entry.source_id);
            }
            query.fetch_all(pool).await
        })?;
        states.extend(
            rows.into_iter()
                .map(|row| ((row.flow.clone(), row.source_id.clone()), row)),
        );
    }
    Ok(failed
        .into_iter()
        .filter_map(|entry| {
            let state = states.get(&(entry.flow.clone(), entry.source_id.clone()));
            plan(entry, state).map(|plan| (entry.id, plan))
        })
        .collect())
}

/// The plan for one failed entry, given its record's id-map row.
fn plan(entry: &EntrySummary, state: Option<&StateRow>) -> Option<Plan> {
    let Some(state) = state.filter(|s| s.last_entry_id.is_some()) else {
        // Entries without a retry state (written before retries were scheduled, or bulk-loaded).
        return (!entry.retryable).then_some(Plan::NotRetried);
    };
    if state.last_entry_id != Some(entry.id) {
        return Some(Plan::Superseded);
    }
    if !entry.retryable {
        return Some(Plan::NotRetried);
    }
    if !state.retry_pending {
        return Some(Plan::Superseded);
    }
    if [state.settings_saved_at_ms, state.company_saved_at_ms]
        .into_iter()
        .flatten()
        .any(|saved| state.updated_at_ms < saved)
    {
        return Some(Plan::AfterSettingsChange);
    }
    if [FlowKind::Stock, FlowKind::Prices]
        .iter()
        .any(|flow| entry.flow == flow.as_str())
    {
        return Some(Plan::NextRun);
    }
    Some(match state.retry_at_ms {
        Some(at) => Plan::At(at),
        None => Plan::GaveUp(state.attempts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_starts_at_five_minutes_doubles_and_stops_at_a_day_and_ten_attempts() {
        let minutes = |attempts| retry_at(attempts, 0).map(|at| at / 60_000);
        assert_eq!(minutes(1), Some(5));
        assert_eq!(minutes(2), Some(10));
        assert_eq!(minutes(5), Some(80));
        assert_eq!(minutes(9), Some(5 << 8));
        assert_eq!(minutes(MAX_ATTEMPTS), None);
    }
}
