//! The job queue: apalis storage in the same database as everything else (SQLite or PostgreSQL).

use std::time::Duration;

use apalis::prelude::{TaskBuilder, TaskSink};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use koppel_core::{FlowKind, TenantId};
use koppel_store::Db;
use koppel_store::runs::RunId;
use serde::{Deserialize, Serialize};

/// The queue's name: set explicitly so renaming the job type never orphans queued jobs.
pub const RUN_FLOW_QUEUE: &str = "koppel.run_flow";

/// One run of one flow for one tenant. The run row holds its state; the job only says which run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFlowJob {
    pub tenant_id: TenantId,
    pub flow: FlowKind,
    pub run_id: RunId,
}

/// Attempts per job before apalis gives up on it (transient failures: maintenance, timeouts).
pub const MAX_ATTEMPTS: usize = 8;

#[derive(Clone)]
pub enum JobQueue {
    Sqlite(SqliteStorage<RunFlowJob>),
    Postgres(PostgresStorage<RunFlowJob>),
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("setting up the job queue: {0}")]
    Setup(String),
    #[error("queueing a job: {0}")]
    Push(String),
}

impl JobQueue {
    /// Creates the queue's tables if needed and returns a handle.
    pub async fn connect(db: &Db) -> Result<Self, QueueError> {
        match db {
            Db::Sqlite(pool) => {
                // Not `SqliteStorage::setup`: it would switch the pool to synchronous=OFF, and it shares
                // `_sqlx_migrations` with ours, so each side must tolerate the other's migrations.
                let mut migrator = SqliteStorage::migrations();
                migrator.set_ignore_missing(true);
                koppel_store::run_sqlite_migrations(&migrator, pool)
                    .await
                    .map_err(|e| QueueError::Setup(e.to_string()))?;
                let config = apalis_sqlite::Config::default().queue(RUN_FLOW_QUEUE);
                Ok(JobQueue::Sqlite(SqliteStorage::new(pool).with_config(config)))
            }
            Db::Postgres(pool) => {
                PostgresStorage::setup(pool)
                    .await
                    .map_err(|e| QueueError::Setup(e.to_string()))?;
                let config = apalis_postgres::Config::default().queue(RUN_FLOW_QUEUE);
                Ok(JobQueue::Postgres(PostgresStorage::new(pool).with_config(config)))
            }
        }
    }

    /// Queues a run, to start at once or after `delay`. A run to start at once wakes this process's idle
    /// worker ([`queued_here`]).
    pub async fn push(&self, job: RunFlowJob, delay: Option<Duration>) -> Result<(), QueueError> {
        let mut builder = TaskBuilder::new(job).max_attempts(MAX_ATTEMPTS);
        if let Some(delay) = delay {
            builder = builder.run_after(delay);
        }
        let task = builder.build();
        let pushed = self.push_task(task).await;
        if pushed.is_ok() && delay.is_none() {
            QUEUED_HERE.notify_one();
        }
        pushed
    }

    async fn push_task(&self, task: apalis::prelude::Task<RunFlowJob>) -> Result<(), QueueError> {
        match self.clone() {
            JobQueue::Sqlite(mut storage) => storage
                .push_task(task)
                .await
                .map_err(|e| QueueError::Push(e.to_string())),
            JobQueue::Postgres(mut storage) => storage
                .push_task(task)
                .await
                .map_err(|e| QueueError::Push(e.to_string())),
        }
    }
}

/// Told when this process queues a run to start at once.
static QUEUED_HERE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// A signal each time this process queues a run to start at once (a manual run, a retry): the worker polls the
/// queue then instead of at its next interval, so a run queued by `koppel serve`'s own API starts within
/// milliseconds. Runs queued by another process wait for the poll interval.
pub fn queued_here() -> impl futures::Stream<Item = ()> + Unpin + Send + Sync + 'static {
    Box::pin(futures::stream::unfold((), |()| async {
        QUEUED_HERE.notified().await;
        Some(((), ()))
    }))
}
