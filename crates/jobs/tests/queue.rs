//! The job queue against a real database: scheduled runs execute through apalis workers, exactly once,
//! also with several workers, and transient stops are retried later.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use koppel_core::{Email, FlowKind};
use koppel_jobs::executor::{Connectors, Executor};
use koppel_jobs::worker::{self, WorkerOptions};
use koppel_jobs::{JobQueue, scheduler};
use koppel_store::flows::{self, FlowConfig};
use koppel_store::runs::{self, RunStatus};
use koppel_store::test_support::TestDatabase;
use koppel_store::{Db, TenantScope, accounts, tenants};
use koppel_sync::model::{PaymentStatus, SourceOrder};
use koppel_sync::ports::ConnectorError;
use koppel_sync::testing::{FakeErp, FakePos, FaultKind, Op, generated_order, stocked_erp, wizard_settings};

type Systems = (Arc<FakePos>, Arc<FakeErp>);

/// Every tenant gets its own fake MplusKASSA and AFAS.
#[derive(Default, Clone)]
struct FakeConnectors {
    systems: Arc<std::sync::Mutex<HashMap<koppel_core::TenantId, Systems>>>,
}

impl FakeConnectors {
    fn add(&self, scope: &TenantScope, orders: Vec<SourceOrder>) -> (Arc<FakePos>, Arc<FakeErp>) {
        let erp = stocked_erp();
        let pair = (Arc::new(FakePos::with_orders(orders)), Arc::new(erp));
        self.systems.lock().unwrap().insert(scope.tenant_id(), pair.clone());
        pair
    }
}

impl Connectors for FakeConnectors {
    type Source = Arc<FakePos>;
    type Target = Arc<FakeErp>;
    async fn open(&self, _db: &Db, scope: &TenantScope) -> Result<(Self::Source, Self::Target), ConnectorError> {
        self.systems
            .lock()
            .unwrap()
            .get(&scope.tenant_id())
            .cloned()
            .ok_or_else(|| ConnectorError::permanent("no connection configured"))
    }
}

async fn tenant(db: &Db, email: &str) -> TenantScope {
    let signup = accounts::sign_up(db, &Email::parse(email).unwrap(), "hash", "Shop", koppel_store::now())
        .await
        .unwrap();
    tenants::resolve_scope(db, signup.user_id, signup.tenant_id)
        .await
        .unwrap()
        .unwrap()
}

/// A schedule whose next slot never falls inside a test. With the default (every five minutes) a test that
/// happened to straddle a slot saw a second, rightly queued run and took it for a duplicate.
const ONCE_A_YEAR: &str = "0 0 0 1 1 *";

/// Switches the orders flow on, due now; the scheduler queues exactly one run for it.
async fn enable_orders(db: &Db, scope: &TenantScope) {
    let config = FlowConfig {
        flow: FlowKind::Orders,
        enabled: true,
        schedule: ONCE_A_YEAR.to_owned(),
        settings: serde_json::to_value(wizard_settings()).unwrap(),
        cursor: None,
        next_run_at_ms: Some(koppel_store::now().timestamp_millis() - 1_000),
    };
    flows::save(db, scope, &config, 0).await.unwrap();
}

fn orders(seed: u64, count: usize) -> Vec<SourceOrder> {
    (0..count).map(|i| generated_order(seed, i)).collect()
}

fn paid(orders: &[SourceOrder]) -> usize {
    orders
        .iter()
        .filter(|o| o.payment_status == PaymentStatus::Paid && !o.cancelled)
        .count()
}

fn options() -> WorkerOptions {
    WorkerOptions {
        concurrency: 2,
        poll_interval: Duration::from_millis(100),
        tick_interval: Duration::from_millis(200),
    }
}

async fn executor(db: &Db, connectors: FakeConnectors) -> Arc<Executor<FakeConnectors>> {
    let queue = JobQueue::connect(db).await.unwrap();
    Arc::new(Executor {
        db: db.clone(),
        queue,
        connectors,
        base_retry_delay: Duration::from_millis(200),
    })
}

/// Waits until every run of the flow is finished and at least `count` exist.
async fn wait_for_runs(db: &Db, scope: &TenantScope, count: usize) -> Vec<runs::Run> {
    for _ in 0..300 {
        let all = runs::recent(db, scope, FlowKind::Orders, 50).await.unwrap();
        if all.len() >= count && all.iter().all(|r| r.status.is_finished()) {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "runs did not finish: {:?}",
        runs::recent(db, scope, FlowKind::Orders, 50).await.unwrap()
    );
}

#[tokio::test]
async fn a_scheduled_run_books_exactly_the_paid_orders_once() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db, "owner@shop.nl").await;
    let connectors = FakeConnectors::default();
    let source_orders = orders(7, 40);
    let (_pos, erp) = connectors.add(&scope, source_orders.clone());
    enable_orders(&db, &scope).await;

    let executor = executor(&db, connectors).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = tokio::spawn(worker::run(executor.clone(), options(), async move {
        let _ = stopped.await;
    }));

    let finished = wait_for_runs(&db, &scope, 1).await;
    assert_eq!(finished[0].status, RunStatus::Succeeded, "{:?}", finished[0]);
    let booked = erp.snapshot().orders;
    let entries = koppel_store::journal::entries_of_run(&db, &scope, finished[0].id)
        .await
        .unwrap();
    let failures: Vec<_> = entries
        .iter()
        .filter(|e| e.outcome == "failed")
        .map(|e| e.reason.clone())
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(booked.len(), paid(&source_orders));
    let mut references: Vec<&str> = booked.iter().map(|(_, o)| o.reference.as_str()).collect();
    references.sort();
    references.dedup();
    assert_eq!(references.len(), booked.len(), "no order booked twice");
    assert_eq!(finished[0].created as usize, booked.len());

    // A manual second run writes nothing.
    let run = runs::create(
        &db,
        &scope,
        FlowKind::Orders,
        "manual",
        koppel_store::now().timestamp_millis(),
    )
    .await
    .unwrap();
    executor
        .queue
        .push(
            koppel_jobs::RunFlowJob {
                tenant_id: scope.tenant_id(),
                flow: FlowKind::Orders,
                run_id: run,
            },
            None,
        )
        .await
        .unwrap();
    let finished = wait_for_runs(&db, &scope, 2).await;
    assert!(finished.iter().all(|r| r.status == RunStatus::Succeeded));
    assert_eq!(
        erp.snapshot().orders.len(),
        paid(&source_orders),
        "the second run booked nothing"
    );
    let second = finished.iter().find(|r| r.id == run).unwrap();
    assert_eq!(second.created, 0);

    let _ = stop.send(());
    workers.await.unwrap().unwrap();
}

#[tokio::test]
async fn three_workers_execute_each_due_run_exactly_once() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let connectors = FakeConnectors::default();
    let mut shops = Vec::new();
    for i in 0..4 {
        let scope = tenant(&db, &format!("owner{i}@shop.nl")).await;
        let source_orders = orders(100 + i, 15);
        let (_, erp) = connectors.add(&scope, source_orders.clone());
        enable_orders(&db, &scope).await;
        shops.push((scope, erp, paid(&source_orders)));
    }

    let mut stops = Vec::new();
    let mut handles = Vec::new();
    for _ in 0..3 {
        let executor = executor(&db, connectors.clone()).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        stops.push(stop);
        handles.push(tokio::spawn(worker::run(executor, options(), async move {
            let _ = stopped.await;
        })));
    }

    for (scope, erp, paid) in &shops {
        let finished = wait_for_runs(&db, scope, 1).await;
        // Give the other schedulers time to (wrongly) queue a second run.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let all = runs::recent(&db, scope, FlowKind::Orders, 50).await.unwrap();
        assert_eq!(all.len(), 1, "one due run, one execution: {all:?}");
        assert_eq!(finished[0].status, RunStatus::Succeeded);
        assert_eq!(finished[0].attempts, 1);
        assert_eq!(erp.snapshot().orders.len(), *paid);
    }
    for stop in stops {
        let _ = stop.send(());
    }
    for handle in handles {
        handle.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_transient_stop_is_retried_later_and_completes() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db, "owner@maintenance.nl").await;
    let connectors = FakeConnectors::default();
    let source_orders = orders(11, 20);
    let (_, erp) = connectors.add(&scope, source_orders.clone());
    erp.switchboard.fail_times(
        Op::CreateOrder,
        FaultKind::Transient {
            retry_after: Some(Duration::from_millis(300)),
        },
        1,
    );
    enable_orders(&db, &scope).await;

    let executor = executor(&db, connectors).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = tokio::spawn(worker::run(executor, options(), async move {
        let _ = stopped.await;
    }));
    let finished = wait_for_runs(&db, &scope, 1).await;
    assert_eq!(finished[0].status, RunStatus::Succeeded, "{:?}", finished[0]);
    assert_eq!(
        finished[0].attempts, 2,
        "stopped once, then completed: {:?}",
        finished[0]
    );
    assert_eq!(erp.snapshot().orders.len(), paid(&source_orders));
    let _ = stop.send(());
    workers.await.unwrap().unwrap();
}

#[tokio::test]
async fn disabled_flows_and_expired_trials_get_no_runs() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db, "owner@quiet.nl").await;
    enable_orders(&db, &scope).await;
    let queue = JobQueue::connect(&db).await.unwrap();
    // Long after the 14-day trial.
    let later = koppel_store::now() + chrono::Duration::days(20);
    let tick = scheduler::tick(&db, &queue, later).await.unwrap();
    assert!(tick.queued.is_empty(), "{tick:?}");
    let mut config = flows::get(&db, &scope, FlowKind::Orders).await.unwrap().unwrap();
    config.enabled = false;
    config.next_run_at_ms = Some(0);
    flows::save(&db, &scope, &config, 0).await.unwrap();
    assert!(
        scheduler::tick(&db, &queue, koppel_store::now())
            .await
            .unwrap()
            .queued
            .is_empty()
    );
}
