//! Runs: one execution of one flow for one tenant, with its state and counts.

use koppel_core::{FlowKind, TenantId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::on_pool;
use crate::{Db, Result, StoreError, TenantScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    /// Every record went through (created, updated or skipped).
    Succeeded,
    /// The run reached its end, but some records failed: the counts and the journal say which.
    SucceededWithFailures,
    /// The run stopped (a setup problem, a connection that stayed down, a run that kept dying), or every
    /// record it handled failed.
    Failed,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::SucceededWithFailures => "succeeded_with_failures",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    /// The status in words, for pages and e-mail.
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::SucceededWithFailures => "succeeded with failures",
            other => other.as_str(),
        }
    }

    pub fn is_finished(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }

    /// How a run that reached its end went: `failed` records ended failed (see
    /// [`crate::journal::failed_in_run`]); a run that booked nothing while records failed has not succeeded.
    pub fn of_completed(counts: &Counts, failed: i64) -> RunStatus {
        match failed {
            0 => RunStatus::Succeeded,
            _ if counts.created + counts.updated == 0 => RunStatus::Failed,
            _ => RunStatus::SucceededWithFailures,
        }
    }
}

impl TryFrom<String> for RunStatus {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, Self::Error> {
        [
            RunStatus::Queued,
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::SucceededWithFailures,
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
    /// The worker process holding a running run, and until when (its heartbeat renews it).
    pub lease_owner: Option<String>,
    pub lease_until_ms: Option<i64>,
    /// Takeovers from dead holders in a row without a record concluded in between, and the records concluded
    /// at the last one.
    pub takeovers: i64,
    pub takeover_mark: i64,
    /// When the run last concluded records (or started): the stuck-run watchdog's clock.
    pub progress_at_ms: Option<i64>,
    pub stuck_reported_at_ms: Option<i64>,
}

impl Run {
    /// The records a retry run tries again; empty for a normal run.
    pub fn retry_ids(&self) -> Vec<String> {
        self.retry_source_ids
            .as_deref()
            .and_then(|ids| serde_json::from_str(ids).ok())
            .unwrap_or_default()
    }

    /// Records the run has concluded other than skipping them (what a run that keeps dying does not add to).
    pub fn concluded(&self) -> i64 {
        self.created + self.updated + self.failed
    }

    /// The takeovers in a row this run will have counted once taken over now: a run that concluded records
    /// since its last takeover starts a new streak; one that dies again before concluding any adds to it.
    pub fn takeover_streak(&self) -> i64 {
        if self.concluded() > self.takeover_mark {
            1
        } else {
            self.takeovers + 1
        }
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
                       updated, skipped, failed, done, total, attempts, error, cancel_requested, retry_source_ids, \
                       lease_owner, lease_until_ms, takeovers, takeover_mark, progress_at_ms, stuck_reported_at_ms";

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

/// A worker process's hold on a running run. Only the holder may report progress on the run or end it, and
/// only while its lease lasts: every write below is fenced by the owner, so a worker that lost its run (it
/// stalled past the lease and another process took over) can no longer touch it.
#[derive(Debug, Clone)]
pub struct RunLease {
    pub run: RunId,
    /// Unique per worker process (and per run it starts).
    pub owner: String,
    /// How long the lease lasts after each renewal.
    pub duration_ms: i64,
}

/// At most this many runs of one company run at the same time; its further runs wait, queued, until one ends.
/// One company's flows then never take every worker, and one AFAS or MplusKASSA is not asked by all of its
/// flows at once.
pub const MAX_RUNNING_PER_COMPANY: i64 = 3;

/// SQL condition on a queued run in table `runs`: no run of a flow it runs after ([`FlowKind::runs_after`]) is
/// queued or running for the company since before it, and fewer than [`MAX_RUNNING_PER_COMPANY`] of the
/// company's runs are running. So flows queued together (Activate, a schedule where several are due at once)
/// run in [`FlowKind::RUN_ORDER`], each on what the earlier ones made, and a run queued later never waits behind
/// one queued earlier of a later flow (no deadlock: the order is fixed, and running runs wait for nothing).
fn waits_for_none() -> String {
    let mut cases = Vec::new();
    for flow in FlowKind::RUN_ORDER {
        let before = flow.runs_after();
        if before.is_empty() {
            continue;
        }
        let list: Vec<String> = before.iter().map(|f| format!("'{}'", f.as_str())).collect();
        cases.push(format!(
            "(runs.flow = '{}' AND earlier.flow IN ({}))",
            flow.as_str(),
            list.join(", ")
        ));
    }
    format!(
        "(NOT EXISTS (SELECT 1 FROM runs earlier WHERE earlier.tenant_id = runs.tenant_id
           AND earlier.status IN ('queued', 'running') AND earlier.queued_at_ms <= runs.queued_at_ms
           AND ({}))
         AND (SELECT COUNT(*) FROM runs busy WHERE busy.tenant_id = runs.tenant_id AND busy.status = 'running')
           < {MAX_RUNNING_PER_COMPANY})",
        cases.join(" OR ")
    )
}

/// Takes a queued run for `owner`. `None` otherwise: finished, running under a holder, gone (so a duplicate job
/// delivery does nothing), or waiting for an earlier flow's run ([`waits_for_none`]; [`is_waiting`] tells, and
/// [`ready_queued`] finds it once that run ended). A running run whose holder died is first put back in the
/// queue by [`release_abandoned`].
pub async fn acquire(
    db: &Db,
    scope: &TenantScope,
    id: RunId,
    owner: &str,
    duration_ms: i64,
    now_ms: i64,
) -> Result<Option<RunLease>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE runs SET status = 'running', started_at_ms = COALESCE(started_at_ms, $1), attempts = attempts + 1,
           lease_owner = $4, lease_until_ms = $5, progress_at_ms = $1, stuck_reported_at_ms = NULL
         WHERE id = $2 AND tenant_id = $3 AND status = 'queued' AND {}",
        waits_for_none()
    ));
    let changed = on_pool!(db, pool => sqlx::query(sql)
    .bind(now_ms)
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .bind(owner)
    .bind(now_ms + duration_ms)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok((changed == 1).then(|| RunLease {
        run: id,
        owner: owner.to_owned(),
        duration_ms,
    }))
}

impl RunLease {
    /// Renews the lease (the holder's heartbeat). False: the run is no longer this holder's.
    pub async fn renew(&self, db: &Db, scope: &TenantScope, now_ms: i64) -> Result<bool> {
        let changed = on_pool!(db, pool => sqlx::query(
            "UPDATE runs SET lease_until_ms = $1
             WHERE id = $2 AND tenant_id = $3 AND lease_owner = $4 AND status = 'running'",
        )
        .bind(now_ms + self.duration_ms)
        .bind(self.run.0)
        .bind(scope.tenant_id().0)
        .bind(&self.owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }

    /// Records progress (records concluded so far). False: the run is no longer this holder's.
    pub async fn progress(
        &self,
        db: &Db,
        scope: &TenantScope,
        done: i64,
        total: i64,
        counts: &Counts,
        now_ms: i64,
    ) -> Result<bool> {
        let changed = on_pool!(db, pool => sqlx::query(
            "UPDATE runs SET done = $1, total = $2, created = $3, updated = $4, skipped = $5, failed = $6,
               progress_at_ms = $9, stuck_reported_at_ms = NULL
             WHERE id = $7 AND tenant_id = $8 AND lease_owner = $10 AND status = 'running'",
        )
        .bind(done)
        .bind(total)
        .bind(counts.created)
        .bind(counts.updated)
        .bind(counts.skipped)
        .bind(counts.failed)
        .bind(self.run.0)
        .bind(scope.tenant_id().0)
        .bind(now_ms)
        .bind(&self.owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }

    /// Ends the run. False: it was no longer this holder's, and nothing was written.
    pub async fn finish(
        &self,
        db: &Db,
        scope: &TenantScope,
        status: RunStatus,
        counts: &Counts,
        error: Option<&str>,
        now_ms: i64,
    ) -> Result<bool> {
        finish_run(db, scope, self.run, Some(&self.owner), status, counts, error, now_ms).await
    }

    /// Puts the run back in the queue, due again at `due_at_ms` (a transient stop, or a graceful shutdown
    /// handing it to another process): from then on it counts as queued, so the stale-run recovery does not
    /// start it before it is due. False: it was no longer this holder's.
    pub async fn requeue(&self, db: &Db, scope: &TenantScope, error: Option<&str>, due_at_ms: i64) -> Result<bool> {
        let changed = on_pool!(db, pool => sqlx::query(
            "UPDATE runs SET status = 'queued', error = COALESCE($1, error), lease_owner = NULL, lease_until_ms = NULL,
               queued_at_ms = $4
             WHERE id = $2 AND tenant_id = $3 AND status = 'running' AND lease_owner = $5",
        )
        .bind(error)
        .bind(self.run.0)
        .bind(scope.tenant_id().0)
        .bind(due_at_ms)
        .bind(&self.owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }
}

/// Ends a run whoever holds it (benchmarks, tests, and a run given up by the recovery).
pub async fn finish(
    db: &Db,
    scope: &TenantScope,
    id: RunId,
    status: RunStatus,
    counts: &Counts,
    error: Option<&str>,
    now_ms: i64,
) -> Result<()> {
    finish_run(db, scope, id, None, status, counts, error, now_ms).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn finish_run(
    db: &Db,
    scope: &TenantScope,
    id: RunId,
    owner: Option<&str>,
    status: RunStatus,
    counts: &Counts,
    error: Option<&str>,
    now_ms: i64,
) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET status = $1, created = $2, updated = $3, skipped = $4, failed = $5, error = $6,
           finished_at_ms = $7, lease_owner = NULL, lease_until_ms = NULL
         WHERE id = $8 AND tenant_id = $9 AND ($10 IS NULL OR lease_owner = $10)",
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
    .bind(owner)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Queued runs nobody has started for `older_than_ms` though nothing holds them back (their job was lost):
/// candidates to queue again.
pub async fn stale_queued(db: &Db, now_ms: i64, older_than_ms: i64) -> Result<Vec<Run>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM runs WHERE status = 'queued' AND queued_at_ms < $1 AND {}
         ORDER BY queued_at_ms LIMIT 100",
        waits_for_none()
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Run>(sql).bind(now_ms - older_than_ms).fetch_all(pool).await)?)
}

/// The company's queued runs due by `now_ms` that nothing holds back any more (after a run ended, the ones that
/// waited for it). A run put back after a transient stop is due only at its retry time, so it is not among them.
pub async fn ready_queued(db: &Db, scope: &TenantScope, now_ms: i64) -> Result<Vec<Run>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM runs WHERE tenant_id = $1 AND status = 'queued' AND queued_at_ms <= $2 AND {}
         ORDER BY queued_at_ms",
        waits_for_none()
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Run>(sql)
        .bind(scope.tenant_id().0)
        .bind(now_ms)
        .fetch_all(pool)
        .await)?)
}

/// Whether a queued run waits for an earlier flow's run or for a free place among the company's running runs
/// (see [`waits_for_none`]).
pub async fn is_waiting(db: &Db, scope: &TenantScope, id: RunId) -> Result<bool> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM runs WHERE id = $1 AND tenant_id = $2 AND status = 'queued' AND NOT {}",
        waits_for_none()
    ));
    let waiting: i64 = on_pool!(db, pool => sqlx::query_scalar(sql)
        .bind(id.0)
        .bind(scope.tenant_id().0)
        .fetch_one(pool)
        .await)?;
    Ok(waiting > 0)
}

/// Running runs whose holder stopped renewing its lease before `now_ms` (the process died): to be taken over.
/// All tenants: the recovery is background work.
pub async fn abandoned(db: &Db, now_ms: i64) -> Result<Vec<Run>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM runs WHERE status = 'running' AND (lease_until_ms IS NULL OR lease_until_ms < $1)
         ORDER BY lease_until_ms LIMIT 100"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Run>(sql).bind(now_ms).fetch_all(pool).await)?)
}

/// Puts an abandoned run back in the queue for any live worker, counting the takeover (see
/// [`Run::takeover_streak`]). False when another process got to it first (or its holder came back and renewed
/// the lease).
pub async fn release_abandoned(db: &Db, scope: &TenantScope, run: &Run, now_ms: i64) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET status = 'queued', lease_owner = NULL, lease_until_ms = NULL, queued_at_ms = $1,
           takeovers = $4, takeover_mark = $5
         WHERE id = $2 AND tenant_id = $3 AND status = 'running' AND (lease_until_ms IS NULL OR lease_until_ms < $1)",
    )
    .bind(now_ms)
    .bind(run.id.0)
    .bind(scope.tenant_id().0)
    .bind(run.takeover_streak())
    .bind(run.concluded())
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Gives up an abandoned run that keeps dying: failed, with the reason. False when another process got to it
/// first.
pub async fn fail_abandoned(db: &Db, scope: &TenantScope, id: RunId, error: &str, now_ms: i64) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET status = 'failed', error = $1, finished_at_ms = $2, lease_owner = NULL, lease_until_ms = NULL
         WHERE id = $3 AND tenant_id = $4 AND status = 'running' AND (lease_until_ms IS NULL OR lease_until_ms < $2)",
    )
    .bind(error)
    .bind(now_ms)
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Running runs with a live holder that concluded no record since `progress_before_ms` and were not reported
/// yet: the watchdog's finds. All tenants.
pub async fn stuck_unreported(db: &Db, progress_before_ms: i64) -> Result<Vec<Run>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM runs WHERE status = 'running' AND progress_at_ms < $1 AND stuck_reported_at_ms IS NULL
         ORDER BY progress_at_ms LIMIT 100"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Run>(sql).bind(progress_before_ms).fetch_all(pool).await)?)
}

/// Marks a stuck run as reported; false when another process reported it already.
pub async fn mark_stuck_reported(db: &Db, scope: &TenantScope, id: RunId, now_ms: i64) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE runs SET stuck_reported_at_ms = $1
         WHERE id = $2 AND tenant_id = $3 AND status = 'running' AND stuck_reported_at_ms IS NULL",
    )
    .bind(now_ms)
    .bind(id.0)
    .bind(scope.tenant_id().0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
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
