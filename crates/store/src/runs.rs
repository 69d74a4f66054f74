//! Runs: one execution of one flow for one tenant, with its state and counts.

use koppel_core::{FlowKind, TenantId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::on_pool;
use crate::{Db, Result, StoreError, TenantScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled)
    }
}

impl TryFrom<String> for RunStatus {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, Self::Error> {
        [
            RunStatus::Queued,
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Failed,
            RunStatus::Cancelled,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
        .ok_or(s)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Run {
    #[sqlx(try_from = "Uuid")]
    pub id: RunId,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "String")]
    pub flow: FlowKind,
    #[sqlx(try_from = "String")]
    pub status: RunStatus,
    pub trigger_kind: String,
    pub queued_at_ms: i64,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
    pub done: i64,
    pub total: i64,
    pub attempts: i64,
    pub error: Option<String>,
    pub cancel_requested: bool,
    /// For a retry run: the source records to try again (JSON array of ids).
    pub retry_source_ids: Option<String>,
}

impl Run {
    /// The records a retry run tries again; empty for a normal run.
    pub fn retry_ids(&self) -> Vec<String> {
        self.retry_source_ids
            .as_deref()
            .and_then(|ids| serde_json::from_str(ids).ok())
            .unwrap_or_default()
    }

    pub fn counts(&self) -> Counts {
        Counts {
            created: self.created,
            updated: self.updated,
            skipped: self.skipped,
            failed: self.failed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub Uuid);

impl From<Uuid> for RunId {
    fn from(id: Uuid) -> Self {
        RunId(id)
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

const COLUMNS: &str = "id, tenant_id, flow, status, trigger_kind, queued_at_ms, started_at_ms, finished_at_ms, created, \
                       updated, skipped, failed, done, total, attempts, error, cancel_requested, retry_source_ids";

/// Queues a run that tries these records again. [`StoreError::Conflict`] when the flow has an active run.
pub async fn create_retry(
    db: &Db,
    scope: &TenantScope,
    flow: FlowKind,
    source_ids: &[String],
    now_ms: i64,
) -> Result<RunId> {
    let id = RunId(Uuid::now_v7());
    let ids = serde_json::to_string(source_ids).expect("strings serialise");
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO runs (id, tenant_id, flow, status, trigger_kind, queued_at_ms, retry_source_ids)
         VALUES ($1, $2, $3, 'queued', 'retry', $4, $5)",
    )
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .bind(now_ms)
    .bind(ids)
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_write)?;
    Ok(id)
}

/// Queues a run. [`StoreError::Conflict`] when the flow already has a queued or running run.
pub async fn create(db: &Db, scope: &TenantScope, flow: FlowKind, trigger: &str, now_ms: i64) -> Result<RunId> {
    let id = RunId(Uuid::now_v7());
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO runs (id, tenant_id, flow, status, trigger_kind, queued_at_ms) VALUES ($1, $2, $3, 'queued', $4, $5)",
    )
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .bind(trigger)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_write)?;
    Ok(id)
}

pub async fn get(db: &Db, scope: &TenantScope, id: RunId) -> Result<Option<Run>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM runs WHERE id = $1 AND tenant_id = $2"));
    Ok(
        on_pool!(db, pool => sqlx::query_as::<_, Run>(sql).bind(id.0).bind(scope.tenant_id().0).fetch_optional(pool).await)?,
    )
}

/// The most recent runs of a flow, newest first.
pub async fn recent(db: &Db, scope: &TenantScope, flow: FlowKind, limit: i64) -> Result<Vec<Run>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM runs WHERE tenant_id = $1 AND flow = $2 ORDER BY queued_at_ms DESC, id DESC LIMIT $3"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Run>(sql)
        .bind(scope.tenant_id().0)
        .bind(flow.as_str())
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// How long a worker holds a running run without reporting progress before another may take it over.
pub const LEASE_MS: i64 = 120_000;

/// Takes the run for this worker: a queued run, or a running one whose worker stopped renewing its lease
/// (it crashed). Returns false otherwise (finished, or another worker holds it), so a duplicate job
/// delivery does nothing.
pub async fn start(db: &Db, scope: &TenantScope, id: RunId, now_ms: i64) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET status = 'running', started_at_ms = COALESCE(started_at_ms, $1), attempts = attempts + 1,
           lease_until_ms = $4
         WHERE id = $2 AND tenant_id = $3
           AND (status = 'queued' OR (status = 'running' AND (lease_until_ms IS NULL OR lease_until_ms < $1)))",
    )
    .bind(now_ms)
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .bind(now_ms + LEASE_MS)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Queued runs nobody has started for `older_than_ms` (their job was lost): candidates to queue again.
pub async fn stale_queued(db: &Db, now_ms: i64, older_than_ms: i64) -> Result<Vec<Run>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM runs WHERE status = 'queued' AND queued_at_ms < $1 ORDER BY queued_at_ms LIMIT 100"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Run>(sql).bind(now_ms - older_than_ms).fetch_all(pool).await)?)
}

/// Puts a started run back in the queue (a transient failure), due again at `due_at_ms`: from then on it
/// counts as queued, so the stale-run recovery does not start it before its retry is due.
pub async fn requeue(db: &Db, scope: &TenantScope, id: RunId, error: &str, due_at_ms: i64) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET status = 'queued', error = $1, lease_until_ms = NULL, queued_at_ms = $4
         WHERE id = $2 AND tenant_id = $3 AND status = 'running'",
    )
    .bind(error)
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .bind(due_at_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn finish(
    db: &Db,
    scope: &TenantScope,
    id: RunId,
    status: RunStatus,
    counts: &Counts,
    error: Option<&str>,
    now_ms: i64,
) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET status = $1, created = $2, updated = $3, skipped = $4, failed = $5, error = $6,
           finished_at_ms = $7 WHERE id = $8 AND tenant_id = $9",
    )
    .bind(status.as_str())
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.skipped)
    .bind(counts.failed)
    .bind(error)
    .bind(now_ms)
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records progress and renews the worker's lease on the run.
pub async fn progress(db: &Db, scope: &TenantScope, id: RunId, done: i64, total: i64, counts: &Counts) -> Result<()> {
    let lease_until = crate::now().timestamp_millis() + LEASE_MS;
    on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET done = $1, total = $2, created = $3, updated = $4, skipped = $5, failed = $6,
           lease_until_ms = $9
         WHERE id = $7 AND tenant_id = $8",
    )
    .bind(done)
    .bind(total)
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.skipped)
    .bind(counts.failed)
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .bind(lease_until)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Asks a queued or running run to stop; a queued one is cancelled at once.
pub async fn request_cancel(db: &Db, scope: &TenantScope, id: RunId, now_ms: i64) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET cancel_requested = TRUE,
           status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
           finished_at_ms = CASE WHEN status = 'queued' THEN $1 ELSE finished_at_ms END
         WHERE id = $2 AND tenant_id = $3 AND status IN ('queued', 'running')",
    )
    .bind(now_ms)
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

pub async fn cancel_requested(db: &Db, scope: &TenantScope, id: RunId) -> Result<bool> {
    let row: Option<(bool,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT cancel_requested FROM runs WHERE id = $1 AND tenant_id = $2",
    )
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .fetch_optional(pool)
    .await)?;
    Ok(row.is_some_and(|(cancelled,)| cancelled))
}
