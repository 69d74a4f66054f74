//! Executes one queued run: start it, open the tenant's connections, run the engine, record the end.
//!
//! Retries are ours, not apalis's: a transient stop (AFAS maintenance, a timeout) puts the run back in the
//! queue as a new delayed job, honouring `retry_after`, and the run row counts the attempts. A run's effect
//! is exactly-once however often its job is delivered, because the engine skips what the id map and the
//! target already hold.

use std::future::Future;
use std::time::Duration;

use koppel_core::TRIAL_DAYS;
use koppel_store::runs::{self, RunStatus};
use koppel_store::{Db, TenantScope, flows, tenants};
use koppel_sync::engine::{self, RunError};
use koppel_sync::ports::{ConnectorError, ErpTarget, PosSource};
use koppel_sync::settings::FlowSettings;

use crate::journal::StoreJournal;
use crate::queue::{JobQueue, QueueError, RunFlowJob};

/// Opens a tenant's source and target. The real implementation builds the MplusKASSA and AFAS clients from
/// the stored credentials; tests pass fakes or the sandbox.
pub trait Connectors: Send + Sync + 'static {
    type Source: PosSource + 'static;
    type Target: ErpTarget + 'static;
    fn open(
        &self,
        db: &Db,
        scope: &TenantScope,
    ) -> impl Future<Output = Result<(Self::Source, Self::Target), ConnectorError>> + Send;
}

/// After this many attempts a run that keeps stopping on transient errors is marked failed.
pub const MAX_RUN_ATTEMPTS: i64 = 8;

pub struct Executor<C> {
    pub db: Db,
    pub queue: JobQueue,
    pub connectors: C,
    /// Delay before the first retry of a transient stop without `retry_after`; doubles per attempt.
    pub base_retry_delay: Duration,
}

/// How a delivery of a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Finished(RunStatus),
    /// Put back in the queue to try again after this delay.
    Requeued(Duration),
    /// The run was already finished or is gone: a duplicate delivery, nothing done.
    Ignored,
}

#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error(transparent)]
    Store(#[from] koppel_store::StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl<C: Connectors> Executor<C> {
    pub async fn execute(&self, job: &RunFlowJob) -> Result<Delivery, ExecuteError> {
        let scope = TenantScope::for_background_job(job.tenant_id);
        let Some(run) = runs::get(&self.db, &scope, job.run_id).await? else {
            return Ok(Delivery::Ignored);
        };
        if run.status.is_finished() {
            return Ok(Delivery::Ignored);
        }
        // Counts carry over from earlier attempts of the same run (it may have been requeued).
        let journal = StoreJournal::resume(self.db.clone(), scope.clone(), job.flow, job.run_id, run.counts());
        if run.cancel_requested {
            return self.finish(&scope, job, RunStatus::Cancelled, None, &journal).await;
        }
        if !runs::start(&self.db, &scope, job.run_id, koppel_store::now().timestamp_millis()).await? {
            return Ok(Delivery::Ignored);
        }
        let tenant = tenants::tenant(&self.db, &scope).await?;
        if tenant.trial_days_left(koppel_store::now()) == 0 {
            let message = format!("The {TRIAL_DAYS}-day trial has ended; flows are paused.");
            return self
                .finish(&scope, job, RunStatus::Failed, Some(&message), &journal)
                .await;
        }
        let config = flows::get(&self.db, &scope, job.flow).await?;
        let settings: FlowSettings = config
            .map(|c| serde_json::from_value(c.settings).unwrap_or_default())
            .unwrap_or_default();
        let (source, target) = match self.connectors.open(&self.db, &scope).await {
            Ok(pair) => pair,
            Err(error) => {
                return self
                    .stopped(&scope, job, run.attempts + 1, RunError::from(error), &journal)
                    .await;
            }
        };
        // Settings that became unworkable stop the run here, once, rather than failing every record.
        if let Err(error) = crate::preflight::before_run(job.flow, &settings, &target).await {
            return self.stopped(&scope, job, run.attempts + 1, error, &journal).await;
        }
        let retry_ids = run.retry_ids();
        let result = match retry_ids.is_empty() {
            true => engine::run_flow(job.flow, &settings, &source, &target, &journal).await,
            false => retry_records(job, &settings, &source, &target, &journal, &retry_ids).await,
        };
        match result {
            Ok(report) => {
                let status = if report.cancelled {
                    RunStatus::Cancelled
                } else {
                    RunStatus::Succeeded
                };
                tracing::info!(run_id = %job.run_id, flow = %job.flow, ?status, counts = ?report.counts, "run finished");
                self.finish(&scope, job, status, None, &journal).await
            }
            Err(error) => self.stopped(&scope, job, run.attempts + 1, error, &journal).await,
        }
    }

    /// A run that stopped early: transient → try again later; anything else → failed, with the reason.
    async fn stopped(
        &self,
        scope: &TenantScope,
        job: &RunFlowJob,
        attempt: i64,
        error: RunError,
        journal: &StoreJournal,
    ) -> Result<Delivery, ExecuteError> {
        let message = error.to_string();
        let retry_after = match &error {
            RunError::Transient { retry_after, .. } => Some(*retry_after),
            RunError::Journal(_) => Some(None),
            RunError::Unauthorized { .. } | RunError::Refused { .. } => None,
        };
        match retry_after {
            Some(retry_after) if attempt < MAX_RUN_ATTEMPTS => {
                let delay = retry_after
                    .unwrap_or(self.backoff(attempt))
                    .max(self.backoff(attempt) / 2);
                tracing::warn!(run_id = %job.run_id, flow = %job.flow, attempt, ?delay, %message, "run stopped; retrying later");
                let due_at = koppel_store::now().timestamp_millis() + delay.as_millis() as i64;
                runs::requeue(&self.db, scope, job.run_id, &message, due_at).await?;
                self.queue.push(job.clone(), Some(delay)).await?;
                Ok(Delivery::Requeued(delay))
            }
            _ => {
                tracing::warn!(run_id = %job.run_id, flow = %job.flow, attempt, %message, "run failed");
                self.finish(scope, job, RunStatus::Failed, Some(&message), journal)
                    .await
            }
        }
    }

    /// Exponential back-off with ±25% jitter, so many tenants' retries do not arrive at AFAS together.
    fn backoff(&self, attempt: i64) -> Duration {
        let exponent = attempt.clamp(1, 10) as u32 - 1;
        let base = self.base_retry_delay.saturating_mul(2u32.saturating_pow(exponent));
        let jitter = 0.75 + rand::random::<f64>() * 0.5;
        base.mul_f64(jitter)
    }

    async fn finish(
        &self,
        scope: &TenantScope,
        job: &RunFlowJob,
        status: RunStatus,
        error: Option<&str>,
        journal: &StoreJournal,
    ) -> Result<Delivery, ExecuteError> {
        let now = koppel_store::now().timestamp_millis();
        let counts = journal.counts();
        runs::finish(&self.db, scope, job.run_id, status, &counts, error, now).await?;
        Ok(Delivery::Finished(status))
    }
}

/// A retry run: each listed record again, with fresh source data and the current settings.
async fn retry_records<S: PosSource, T: ErpTarget>(
    job: &RunFlowJob,
    settings: &FlowSettings,
    source: &S,
    target: &T,
    journal: &StoreJournal,
    source_ids: &[String],
) -> Result<engine::RunReport, RunError> {
    let mut report = engine::RunReport::default();
    for source_id in source_ids {
        let one = engine::retry_record(job.flow, settings, source, target, journal, source_id).await?;
        report.total_seen += one.total_seen;
    }
    Ok(report)
}
