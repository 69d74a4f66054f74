//! A job executor whose runs book through in-memory fakes of MplusKASSA and AFAS, on the app's real database.

use std::sync::Arc;
use std::time::Duration;

use koppel_core::FlowKind;
use koppel_jobs::executor::{Connectors, Executor};
use koppel_jobs::{JobQueue, RunFlowJob};
use koppel_store::runs::{self, RunId};
use koppel_store::{Db, TenantScope, flows};
use koppel_sync::ports::ConnectorError;
use koppel_testkit::{FakeErp, FakePos, wizard_settings};

/// Hands every run the same two fakes.
#[derive(Clone)]
pub struct Fakes(pub Arc<FakePos>, pub Arc<FakeErp>);

impl Connectors for Fakes {
    type Source = Arc<FakePos>;
    type Target = Arc<FakeErp>;
    async fn open(&self, _: &Db, _: &TenantScope) -> Result<(Self::Source, Self::Target), ConnectorError> {
        Ok((self.0.clone(), self.1.clone()))
    }
}

/// An executor over the fakes, retrying failed records after 100 ms.
pub async fn executor(db: &Db, fakes: &Fakes) -> Executor<Fakes> {
    let mut executor = Executor::new(db.clone(), JobQueue::connect(db).await.unwrap(), fakes.clone());
    executor.base_retry_delay = Duration::from_millis(100);
    executor
}

/// Runs the orders run `run_id` to its end in this task.
pub async fn execute(executor: &Executor<Fakes>, scope: &TenantScope, run_id: RunId) {
    let job = RunFlowJob {
        tenant_id: scope.tenant_id(),
        flow: FlowKind::Orders,
        run_id,
    };
    executor.execute(&job).await.unwrap();
}

/// Creates a manual orders run and runs it to its end; returns its id.
pub async fn run_orders(executor: &Executor<Fakes>, db: &Db, scope: &TenantScope) -> RunId {
    let now = koppel_store::now().timestamp_millis();
    let run = runs::create(db, scope, FlowKind::Orders, "manual", now).await.unwrap();
    execute(executor, scope, run).await;
    run
}

/// Saves the company's orders flow (switched off, so no schedule runs it) with the wizard's settings.
pub async fn save_orders_flow(db: &Db, scope: &TenantScope) {
    let config = flows::FlowConfig {
        flow: FlowKind::Orders,
        enabled: false,
        schedule: flows::DEFAULT_SCHEDULE.into(),
        settings: serde_json::Value::Null,
        cursor: None,
        next_run_at_ms: None,
    };
    koppel_jobs::settings::save(db, scope, "test", config, &wizard_settings(), 0)
        .await
        .unwrap();
}
