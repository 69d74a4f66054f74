//! Executes one queued run: start it, open the tenant's connections, run the engine, record the end.
//!
//! Retries are ours, not apalis's: a transient stop (AFAS maintenance, a timeout) puts the run back in the
//! queue as a new delayed job, honouring `retry_after`, and the run row counts the attempts. A run's effect
//! is exactly-once however often its job is delivered, because the engine skips what the id map and the
//! target already hold.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use koppel_core::{FlowKind, TRIAL_DAYS};
use koppel_store::runs::{self, RunLease, RunStatus};
use koppel_store::{Db, TenantScope, tenants};
use koppel_sync::engine::{self, RunError};
use koppel_sync::ports::{ConnectorError, ErpTarget, PosSource};

use crate::alerts;
use crate::journal::{StopFlags, StopReason, StoreJournal};
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

    /// Opens them for a run held under `lease_owner` (what it creates is claimed under that lease, see
    /// `connect::CreateOnce`). By default the same as [`Connectors::open`].
    fn open_for_run(
        &self,
        db: &Db,
        scope: &TenantScope,
        lease_owner: &str,
    ) -> impl Future<Output = Result<(Self::Source, Self::Target), ConnectorError>> + Send {
        let _ = lease_owner;
        self.open(db, scope)
    }
}

/// After this many attempts a run that keeps stopping on transient errors is marked failed.
pub const MAX_RUN_ATTEMPTS: i64 = 8;

/// How runs are held, taken over and watched (see the module [`crate::recovery`]).
#[derive(Debug, Clone)]
pub struct RunPolicy {
    /// How long a holder keeps a run without renewing its lease; once it has passed, any live process takes
    /// the run over. This is the takeover time after a process dies.
    pub lease: Duration,
    /// How often a holder renews its lease: well within the lease, so a slow database call does not lose it.
    pub heartbeat: Duration,
    /// A held run that concluded no record for this long is reported stuck (health light and alert).
    pub stuck_after: Duration,
    /// A run taken over this many times in a row without concluding a record in between is given up: it is
    /// what kills its process (a poison record, a crash loop).
    pub max_takeovers: i64,
}

impl Default for RunPolicy {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            heartbeat: Duration::from_secs(15),
            stuck_after: Duration::from_secs(15 * 60),
            max_takeovers: 3,
        }
    }
}

impl RunPolicy {
    /// A policy with this lease, the heartbeat at a quarter of it.
    pub fn with_lease(lease: Duration) -> Self {
        Self {
            lease,
            heartbeat: lease / 4,
            ..Self::default()
        }
    }
}

pub struct Executor<C> {
    pub db: Db,
    pub queue: JobQueue,
    pub connectors: C,
    /// Delay before the first retry of a transient stop without `retry_after`; doubles per attempt.
    pub base_retry_delay: Duration,
    pub policy: RunPolicy,
    /// Who holds the runs this process starts, in their leases: unique per process.
    holder: String,
    /// Set when the process shuts down: held runs stop between records and go back to the queue.
    shutdown: Arc<AtomicBool>,
    /// Each execution in progress holds a read guard; a shutdown waits for the write lock, i.e. for all of them.
    executions: Arc<tokio::sync::RwLock<()>>,
}

/// The trigger of a full resync's run (`POST /api/v1/flows/{flow}/resync`): it reads its source from the start.
pub const RESYNC: &str = "resync";

/// The flows a full resync can be asked of: master data, which a second reading finds in the target and leaves
/// alone. Sales are never read again from the start (their cursors are how Koppel knows it booked them).
pub const RESYNCABLE: [FlowKind; 4] = [
    FlowKind::Articles,
    FlowKind::Debtors,
    FlowKind::Products,
    FlowKind::Customers,
];

/// How a delivery of a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Finished(RunStatus),
    /// Put back in the queue to try again after this delay.
    Requeued(Duration),
    /// The process is shutting down: the run went back to the queue for another process (or this one, restarted).
    HandedBack,
    /// The run was taken over by another process while this one held it (it stalled past its lease): this
    /// process stopped and wrote nothing more for it.
    Lost,
    /// The run was already finished, is held by a live process, or is gone: a duplicate delivery, nothing done.
    Ignored,
    /// The run waits for a run of a flow it runs after (`FlowKind::RUN_ORDER`); that run's end queues it again.
    Waiting,
}

#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error(transparent)]
    Store(#[from] koppel_store::StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Recovery(#[from] crate::recovery::RecoveryError),
}

/// Renews a run's lease until dropped; a renewal that finds the run taken sets the run's `lease_lost` flag.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(db: Db, scope: TenantScope, lease: RunLease, every: Duration, lost: Arc<AtomicBool>) -> Self {
        Self(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                match lease.renew(&db, &scope, koppel_store::now().timestamp_millis()).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(run_id = %lease.run, "the run was taken over by another process; stopping it here");
                        lost.store(true, Ordering::Relaxed);
                        return;
                    }
                    // The next beat tries again; the lease outlasts a few failed ones.
                    Err(error) => tracing::warn!(run_id = %lease.run, %error, "renewing a run's lease failed"),
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<C: Connectors> Executor<C> {
    pub fn new(db: Db, queue: JobQueue, connectors: C) -> Self {
        Self {
            db,
            queue,
            connectors,
            base_retry_delay: Duration::from_secs(30),
            policy: RunPolicy::default(),
            holder: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            shutdown: Arc::default(),
            executions: Arc::default(),
        }
    }

    /// Executes the job on its own task, so that whoever awaits it (the job queue's worker) cannot drop a run
    /// half-way: a run always ends by itself — finished, requeued, or handed back at the next record once the
    /// process stops. `None` once the process waits for its last executions ([`Executor::wait_idle`]).
    pub fn spawn_execution(
        self: Arc<Self>,
        job: RunFlowJob,
    ) -> Option<tokio::task::JoinHandle<Result<Delivery, ExecuteError>>> {
        let running = self.executions.clone().try_read_owned().ok()?;
        Some(tokio::spawn(async move {
            let outcome = self.execute(&job).await;
            drop(running);
            release_freed_memory();
            outcome
        }))
    }

    /// Waits until no execution is in progress, and lets none start after (the process is stopping).
    pub async fn wait_idle(&self) {
        self.shut_down();
        let all_ended = self.executions.clone().write_owned().await;
        // Kept for good: the process is stopping, and no execution may start after this.
        std::mem::forget(all_ended);
    }

    /// Stops every held run between records and hands it back to the queue (graceful shutdown).
    pub fn shut_down(&self) {
        self.shutdown.store(true, Ordering::Relaxed);
    }

    pub async fn execute(&self, job: &RunFlowJob) -> Result<Delivery, ExecuteError> {
        let scope = TenantScope::for_background_job(job.tenant_id);
        let delivery = self.deliver(job, &scope).await?;
        if matches!(delivery, Delivery::Finished(_)) {
            crate::recovery::wake_waiting(&self.db, &self.queue, &scope).await?;
        }
        Ok(delivery)
    }

    async fn deliver(&self, job: &RunFlowJob, scope: &TenantScope) -> Result<Delivery, ExecuteError> {
        let scope = scope.clone();
        let Some(run) = runs::get(&self.db, &scope, job.run_id).await? else {
            return Ok(Delivery::Ignored);
        };
        if run.status.is_finished() {
            return Ok(Delivery::Ignored);
        }
        if run.cancel_requested {
            let now = koppel_store::now().timestamp_millis();
            runs::finish(
                &self.db,
                &scope,
                job.run_id,
                RunStatus::Cancelled,
                &run.counts(),
                None,
                now,
            )
            .await?;
            return Ok(Delivery::Finished(RunStatus::Cancelled));
        }
        if self.shutdown.load(Ordering::Relaxed) {
            // Delivered while this process stops: leave the run queued for the next process.
            self.queue.push(job.clone(), None).await?;
            return Ok(Delivery::HandedBack);
        }
        let now = koppel_store::now().timestamp_millis();
        let lease_ms = self.policy.lease.as_millis() as i64;
        let Some(lease) = runs::acquire(&self.db, &scope, job.run_id, &self.holder, lease_ms, now).await? else {
            if runs::is_waiting(&self.db, &scope, job.run_id).await? {
                tracing::debug!(run_id = %job.run_id, flow = %job.flow, "run waits for an earlier flow's run");
                return Ok(Delivery::Waiting);
            }
            return Ok(Delivery::Ignored);
        };
        let stops = StopFlags {
            shutdown: self.shutdown.clone(),
            lease_lost: Arc::default(),
        };
        let _heartbeat = Heartbeat::start(
            self.db.clone(),
            scope.clone(),
            lease.clone(),
            self.policy.heartbeat,
            stops.lease_lost.clone(),
        );
        // Counts carry over from earlier attempts of the same run (it may have been requeued or taken over).
        let journal = StoreJournal::resume(self.db.clone(), scope.clone(), job.flow, lease, run.counts(), stops);
        let tenant = tenants::tenant(&self.db, &scope).await?;
        if tenant.trial_days_left(koppel_store::now()) == 0 {
            let message = format!("The {TRIAL_DAYS}-day trial has ended; flows are paused.");
            return self
                .finish(&scope, job, RunStatus::Failed, Some(&message), &journal)
                .await;
        }
        let settings = crate::settings::load(&self.db, &scope, job.flow).await?;
        let (source, target) = match self.connectors.open_for_run(&self.db, &scope, &self.holder).await {
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
        // A full resync starts its first attempt from the start; a later attempt goes on from where it stopped.
        // Here rather than where it is asked for, so that a run already going cannot write its cursor over it.
        if run.trigger_kind == RESYNC && run.attempts == 0 {
            koppel_store::flows::reset_cursor(&self.db, &scope, job.flow).await?;
        }
        let retry_ids = run.retry_ids();
        let result = match retry_ids.is_empty() {
            true => engine::run_flow(job.flow, &settings, &source, &target, &journal).await,
            false => engine::retry_records(job.flow, &settings, &source, &target, &journal, &retry_ids).await,
        };
        match result {
            _ if journal.stop_reason() == Some(StopReason::LeaseLost) => {
                tracing::warn!(run_id = %job.run_id, flow = %job.flow, "run lost to another process");
                Ok(Delivery::Lost)
            }
            Ok(report) if report.cancelled => match journal.stop_reason() {
                Some(StopReason::Shutdown) => self.hand_back(&scope, job, &journal).await,
                _ => self.finish(&scope, job, RunStatus::Cancelled, None, &journal).await,
            },
            Ok(report) => {
                let failed = koppel_store::journal::failed_in_run(&self.db, &scope, job.run_id).await?;
                let status = RunStatus::of_completed(&journal.counts(), failed);
                tracing::info!(run_id = %job.run_id, flow = %job.flow, ?status, counts = ?report.counts, "run finished");
                let error = (status == RunStatus::Failed).then(|| {
                    format!("No record was booked and {failed} failed: see the run's records for the reasons.")
                });
                self.finish(&scope, job, status, error.as_deref(), &journal).await
            }
            Err(error) => self.stopped(&scope, job, run.attempts + 1, error, &journal).await,
        }
    }

    /// A graceful shutdown: the run goes back to the queue at once, continuing from its cursor and journal.
    async fn hand_back(
        &self,
        scope: &TenantScope,
        job: &RunFlowJob,
        journal: &StoreJournal,
    ) -> Result<Delivery, ExecuteError> {
        let now = koppel_store::now().timestamp_millis();
        if !journal.lease().requeue(&self.db, scope, None, now).await? {
            return Ok(Delivery::Lost);
        }
        self.queue.push(job.clone(), None).await?;
        tracing::info!(run_id = %job.run_id, flow = %job.flow, "run handed back to the queue (shutting down)");
        Ok(Delivery::HandedBack)
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
                if !journal.lease().requeue(&self.db, scope, Some(&message), due_at).await? {
                    return Ok(Delivery::Lost);
                }
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

    /// Ends the held run and tells the owners what they need to know (a failure, or the recovery from one).
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
        if !journal
            .lease()
            .finish(&self.db, scope, status, &counts, error, now)
            .await?
        {
            return Ok(Delivery::Lost);
        }
        if let Err(error) = alerts::after_run(&self.db, scope, job.flow, job.run_id, status, &counts, error).await {
            // The run's end is recorded; a lost alert must not make the job run again.
            tracing::error!(run_id = %job.run_id, %error, "queueing the run's alert failed");
        }
        Ok(Delivery::Finished(status))
    }
}

/// Gives the memory a run freed back to the system. glibc keeps freed memory in its per-thread arenas for
/// reuse, so a process that ran a big sync would otherwise stay near its peak while idle, and each thread that
/// ran a part of a later run would add its own arena's share.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands free pages of the allocator's own arenas back to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
