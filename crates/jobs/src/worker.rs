//! The worker process: apalis workers that execute queued runs, and the scheduler loop beside them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{BackendExt, BoxDynError, Data, Strategy, WorkerBuilder, WorkerBuilderExt};

use crate::executor::{Connectors, Executor};
use crate::queue::{JobQueue, RunFlowJob};
use crate::{recovery, scheduler};

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Runs executed at once by this process. Each run is one tenant's flow, so a busy tenant occupies at
    /// most four slots and cannot starve the others.
    pub concurrency: usize,
    /// How often an idle worker looks for new jobs.
    pub poll_interval: Duration,
    /// How often the scheduler looks for due flows.
    pub tick_interval: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            poll_interval: Duration::from_millis(500),
            tick_interval: Duration::from_secs(5),
        }
    }
}

async fn handle<C: Connectors>(job: RunFlowJob, executor: Data<Arc<Executor<C>>>) -> Result<(), BoxDynError> {
    let execution = match Arc::clone(&executor).spawn_execution(job.clone()) {
        Some(execution) => execution,
        // The process is stopping: leave the job to the next process.
        None => return Err("the worker is shutting down".into()),
    };
    let outcome = execution.await.map_err(|error| Box::new(error) as BoxDynError)?;
    match outcome {
        Ok(delivery) => {
            tracing::debug!(run_id = %job.run_id, ?delivery, "job done");
            Ok(())
        }
        Err(error) => {
            // The store or the queue failed: let apalis deliver the job again.
            tracing::error!(run_id = %job.run_id, %error, "job failed");
            Err(Box::new(error))
        }
    }
}

/// How long a stopping process waits for its runs to stop between records and go back to the queue.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(60);
/// How long it waits for the scheduler's tick in progress (a few statements, each waiting at most the database's
/// busy timeout).
const SCHEDULER_GRACE: Duration = Duration::from_secs(20);

/// Runs workers and the scheduler until `shutdown` resolves; then every run in progress stops between records
/// and is handed back to the queue at once, for another process or this one restarted.
pub async fn run<C: Connectors>(
    executor: Arc<Executor<C>>,
    options: WorkerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let scheduler = tokio::spawn(scheduler_loop(executor.clone(), options.tick_interval, stop_rx.clone()));
    let name = format!("koppel-worker-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let strategy = Strategy::new()
        .stream(crate::queue::queued_here())
        .interval(options.poll_interval);
    let stopping = executor.clone();
    let signal = async move {
        shutdown.await;
        // Held runs stop between records and go back to the queue; apalis waits for their jobs to end.
        stopping.shut_down();
        let _ = stop_tx.send(true);
        Ok::<(), std::io::Error>(())
    };
    let result = match executor.queue.clone() {
        JobQueue::Sqlite(storage) => {
            WorkerBuilder::new(name)
                .backend(storage.poll_with_strategy(strategy))
                .data(executor.clone())
                .concurrency(options.concurrency)
                .build(handle::<C>)
                .run_until(signal)
                .await
        }
        JobQueue::Postgres(storage) => {
            WorkerBuilder::new(name)
                .backend(storage.poll_with_strategy(strategy))
                .data(executor.clone())
                .concurrency(options.concurrency)
                .build(handle::<C>)
                .run_until(signal)
                .await
        }
    };
    // The scheduler ends at its next sleep (told by `stop_tx`). Aborting it could drop a tick inside a transaction's
    // BEGIN, which leaves the connection holding SQLite's write lock with nobody to roll it back: every other write,
    // the runs still stopping included, then waits until it times out (seen once in the crash test's SIGTERMs).
    if tokio::time::timeout(SCHEDULER_GRACE, scheduler).await.is_err() {
        tracing::warn!("the scheduler did not stop within {SCHEDULER_GRACE:?}");
    }
    // The queue's worker may have let go of a run still stopping between records: wait for its hand-back.
    if tokio::time::timeout(SHUTDOWN_GRACE, executor.wait_idle())
        .await
        .is_err()
    {
        tracing::warn!("runs still in progress at shutdown: they are taken over once their lease has passed");
    }
    result.map_err(|e| anyhow::anyhow!("worker stopped: {e}"))
}

async fn scheduler_loop<C: Connectors>(
    executor: Arc<Executor<C>>,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match scheduler::tick(&executor.db, &executor.queue, koppel_store::now()).await {
            Ok(tick) if !tick.queued.is_empty() => tracing::info!(queued = tick.queued.len(), "scheduled runs"),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "scheduler tick failed"),
        }
        if let Err(error) = recovery::sweep(&executor.db, &executor.queue, &executor.policy, koppel_store::now()).await
        {
            tracing::error!(%error, "recovery sweep failed");
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
    }
}
