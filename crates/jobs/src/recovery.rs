//! Run recovery: a run is never left `running` without a live holder.
//!
//! A worker holds each run it executes under a lease in the database, renewed by a heartbeat (see
//! [`crate::executor::RunPolicy`]). Every scheduler tick, in every process, sweeps the runs whose lease has
//! passed — their process died (SIGKILL, OOM, power) or stalled — and puts them back in the queue for any live
//! worker, which continues from the cursor and the journal: the engine skips what the id map and AFAS already
//! hold, so no order is sent twice and none is skipped. Each takeover is one atomic compare-and-set, so with
//! many processes on one database a run is taken over once. A run taken over `max_takeovers` times in a row
//! without concluding a record in between is what kills its process: it fails with the reason and an alert.
//!
//! A run that waits for an earlier flow's run of its company (`FlowKind::RUN_ORDER`) is queued again when that
//! run ends ([`wake_waiting`]), whichever way it ends.
//!
//! The same sweep is the watchdog: a held run that concluded no record for `stuck_after` is reported once
//! (the flow's health light turns red and the owners are alerted).

use chrono::{DateTime, Utc};
use koppel_store::runs::{self, RunId, RunStatus};
use koppel_store::{Db, StoreError, TenantScope};

use crate::alerts;
use crate::executor::RunPolicy;
use crate::queue::{JobQueue, QueueError, RunFlowJob};

#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Runs put back in the queue after their holder died.
    pub taken_over: Vec<RunId>,
    /// Runs given up after dying too often in a row.
    pub given_up: Vec<RunId>,
    /// Held runs newly reported stuck.
    pub reported_stuck: Vec<RunId>,
}

/// Queues a job for each of the company's runs that waited for a run that just ended (a duplicate job for a
/// run is harmless: only one delivery acquires it).
pub async fn wake_waiting(db: &Db, queue: &JobQueue, scope: &TenantScope) -> Result<(), RecoveryError> {
    for run in runs::ready_queued(db, scope, koppel_store::now().timestamp_millis()).await? {
        let job = RunFlowJob {
            tenant_id: run.tenant_id,
            flow: run.flow,
            run_id: run.id,
        };
        queue.push(job, None).await?;
    }
    Ok(())
}

/// Takes over abandoned runs and reports stuck ones.
pub async fn sweep(db: &Db, queue: &JobQueue, policy: &RunPolicy, now: DateTime<Utc>) -> Result<Sweep, RecoveryError> {
    let now_ms = now.timestamp_millis();
    let mut result = Sweep::default();
    for run in runs::abandoned(db, now_ms).await? {
        let scope = TenantScope::for_background_job(run.tenant_id);
        if run.takeover_streak() > policy.max_takeovers {
            let error = format!(
                "The run stopped {} times in a row without booking anything: the process running it died each time \
                 (last at record {} of {}). Koppel gave it up so the flow can go on; the next run starts from the \
                 last record booked.",
                run.takeovers + 1,
                run.done,
                run.total
            );
            if runs::fail_abandoned(db, &scope, run.id, &error, now_ms).await? {
                tracing::error!(run_id = %run.id, flow = %run.flow, "run given up after dying repeatedly");
                alerts::after_run(
                    db,
                    &scope,
                    run.flow,
                    run.id,
                    RunStatus::Failed,
                    &run.counts(),
                    Some(&error),
                )
                .await?;
                wake_waiting(db, queue, &scope).await?;
                result.given_up.push(run.id);
            }
            continue;
        }
        if runs::release_abandoned(db, &scope, &run, now_ms).await? {
            let job = RunFlowJob {
                tenant_id: run.tenant_id,
                flow: run.flow,
                run_id: run.id,
            };
            // Should this push be lost (a crash right here), the queued run is queued again as stale.
            queue.push(job, None).await?;
            tracing::warn!(run_id = %run.id, flow = %run.flow, holder = ?run.lease_owner, "run taken over from a holder that stopped renewing its lease");
            result.taken_over.push(run.id);
        }
    }
    let stuck_before = now_ms - policy.stuck_after.as_millis() as i64;
    for run in runs::stuck_unreported(db, stuck_before).await? {
        let scope = TenantScope::for_background_job(run.tenant_id);
        if runs::mark_stuck_reported(db, &scope, run.id, now_ms).await? {
            let minutes = (now_ms - run.progress_at_ms.unwrap_or(now_ms)) / 60_000;
            tracing::warn!(run_id = %run.id, flow = %run.flow, minutes, "run is stuck");
            alerts::run_stuck(db, &scope, run.flow, run.id, minutes).await?;
            result.reported_stuck.push(run.id);
        }
    }
    Ok(result)
}
