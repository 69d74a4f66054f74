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
use koppel_testkit::{FakeErp, FakePos, FaultKind, Op, generated_order, stocked_erp, wizard_settings};

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
        settings: serde_json::Value::Null,
        cursor: None,
        next_run_at_ms: Some(koppel_store::now().timestamp_millis() - 1_000),
    };
    koppel_jobs::settings::save(db, scope, "test", config, &wizard_settings(), 0)
        .await
        .unwrap();
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
    let mut executor = Executor::new(db.clone(), queue, connectors);
    executor.base_retry_delay = Duration::from_millis(200);
    Arc::new(executor)
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

/// Runs the workers until `check` is done with the database, then stops them.
async fn with_workers<F: std::future::Future<Output = ()>>(
    executor: Arc<Executor<FakeConnectors>>,
    check: impl FnOnce() -> F,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = tokio::spawn(worker::run(executor, options(), async move {
        let _ = stopped.await;
    }));
    check().await;
    let _ = stop.send(());
    workers.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_run_whose_process_died_is_taken_over_and_books_the_rest_once() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db, "owner@crash.nl").await;
    let connectors = FakeConnectors::default();
    let source_orders = orders(13, 30);
    let (_, erp) = connectors.add(&scope, source_orders.clone());
    enable_orders(&db, &scope).await;
    // A process took the run and died: its lease ran out, and no job is left in the queue for it.
    let now = koppel_store::now().timestamp_millis();
    let run = runs::create(&db, &scope, FlowKind::Orders, "schedule", now)
        .await
        .unwrap();
    runs::acquire(&db, &scope, run, "4242-dead", 1, now - 10)
        .await
        .unwrap()
        .unwrap();

    let executor = executor(&db, connectors).await;
    with_workers(executor, || async {
        let finished = wait_for_runs(&db, &scope, 1).await;
        let run = &finished[0];
        assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
        assert_eq!((run.takeovers, run.attempts), (1, 2), "taken over once: {run:?}");
        assert_eq!(run.lease_owner, None, "a finished run has no holder");
    })
    .await;
    assert_eq!(erp.snapshot().orders.len(), paid(&source_orders));
}

#[tokio::test]
async fn a_run_that_keeps_dying_is_given_up_with_an_alert() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db, "owner@poison.nl").await;
    let queue = JobQueue::connect(&db).await.unwrap();
    let policy = koppel_jobs::RunPolicy::default();
    let now = koppel_store::now();
    let run = runs::create(&db, &scope, FlowKind::Orders, "manual", now.timestamp_millis())
        .await
        .unwrap();
    // Each time a process takes it, it dies before concluding a record (a poison record).
    for death in 1..=policy.max_takeovers + 1 {
        let at = now.timestamp_millis() - 10;
        runs::acquire(&db, &scope, run, &format!("{death}-dying"), 1, at)
            .await
            .unwrap()
            .unwrap();
        let sweep = koppel_jobs::recovery::sweep(&db, &queue, &policy, now).await.unwrap();
        let state = runs::get(&db, &scope, run).await.unwrap().unwrap();
        if death <= policy.max_takeovers {
            assert_eq!(sweep.taken_over, vec![run], "death {death}");
            assert_eq!((state.status, state.takeovers), (RunStatus::Queued, death));
        } else {
            assert_eq!(sweep.given_up, vec![run], "death {death}");
            assert_eq!(state.status, RunStatus::Failed);
            let error = state.error.unwrap();
            assert!(error.contains("stopped 4 times in a row"), "{error}");
        }
    }
    let problem = koppel_store::alerts::open_problem(&db, &scope, FlowKind::Orders)
        .await
        .unwrap();
    assert!(problem.is_some_and(|p| p.starts_with("The run failed: The run stopped 4 times")));
    // The flow takes a new run.
    runs::create(&db, &scope, FlowKind::Orders, "manual", now.timestamp_millis())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_held_run_without_progress_is_reported_stuck_once() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db, "owner@stuck.nl").await;
    let queue = JobQueue::connect(&db).await.unwrap();
    let policy = koppel_jobs::RunPolicy::default();
    let now = koppel_store::now();
    let twenty_minutes_ago = now.timestamp_millis() - 20 * 60_000;
    let run = runs::create(&db, &scope, FlowKind::Orders, "manual", twenty_minutes_ago)
        .await
        .unwrap();
    // Held by a live process (its lease runs for an hour more) that has concluded nothing for 20 minutes.
    runs::acquire(&db, &scope, run, "7-alive", 80 * 60_000, twenty_minutes_ago)
        .await
        .unwrap()
        .unwrap();

    let first = koppel_jobs::recovery::sweep(&db, &queue, &policy, now).await.unwrap();
    assert_eq!((first.reported_stuck, first.taken_over), (vec![run], vec![]));
    let again = koppel_jobs::recovery::sweep(&db, &queue, &policy, now).await.unwrap();
    assert!(again.reported_stuck.is_empty(), "reported once");
    let state = runs::get(&db, &scope, run).await.unwrap().unwrap();
    assert_eq!(state.status, RunStatus::Running, "a live holder keeps its run");
    assert_eq!(state.progress_at_ms, Some(twenty_minutes_ago));
    let problem = koppel_store::alerts::open_problem(&db, &scope, FlowKind::Orders)
        .await
        .unwrap();
    assert_eq!(
        problem.as_deref(),
        Some("A run is stuck: it has booked nothing for 20 minutes.")
    );
}

#[tokio::test]
async fn a_run_tells_whether_records_failed() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let connectors = FakeConnectors::default();
    let some = tenant(&db, "owner@some.nl").await;
    let all = tenant(&db, "owner@all.nl").await;
    let source_orders = orders(17, 30);
    let (_, some_erp) = connectors.add(&some, source_orders.clone());
    let (_, all_erp) = connectors.add(&all, source_orders.clone());
    let first_paid = source_orders
        .iter()
        .find(|o| o.payment_status == PaymentStatus::Paid && !o.cancelled)
        .unwrap();
    some_erp
        .switchboard
        .fail_key(Op::CreateOrder, &first_paid.number, FaultKind::Permanent, None);
    all_erp.switchboard.fail(Op::CreateOrder, FaultKind::Permanent);
    enable_orders(&db, &some).await;
    enable_orders(&db, &all).await;

    with_workers(executor(&db, connectors).await, || async {
        let partly = &wait_for_runs(&db, &some, 1).await[0];
        assert_eq!(partly.status, RunStatus::SucceededWithFailures, "{partly:?}");
        assert_eq!(partly.failed, 1);
        let failed = &wait_for_runs(&db, &all, 1).await[0];
        assert_eq!(failed.status, RunStatus::Failed, "{failed:?}");
        assert!(
            failed
                .error
                .as_deref()
                .unwrap()
                .starts_with("No record was booked and 15 failed")
        );
    })
    .await;
    // Both owners hear of it: the run's end queues the alert.
    for scope in [&some, &all] {
        let problem = koppel_store::alerts::open_problem(&db, scope, FlowKind::Orders)
            .await
            .unwrap();
        assert!(problem.is_some(), "an alert is open");
    }
}

#[tokio::test]
async fn a_run_queued_by_this_process_starts_at_once_not_at_the_next_poll() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db, "nudge@shop.nl").await;
    let connectors = FakeConnectors::default();
    connectors.add(&scope, orders(3, 10));
    let executor = executor(&db, connectors).await;
    // An idle worker that would look at the queue again only after a minute.
    let slow_poll = WorkerOptions {
        poll_interval: Duration::from_secs(60),
        tick_interval: Duration::from_secs(60),
        ..options()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = tokio::spawn(worker::run(executor.clone(), slow_poll, async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(500)).await;

    // As `POST /api/v1/flows/{flow}/runs` does: the run, then its job.
    let now = koppel_store::now().timestamp_millis();
    let run_id = runs::create(&db, &scope, FlowKind::Orders, "manual", now)
        .await
        .unwrap();
    let job = koppel_jobs::RunFlowJob {
        tenant_id: scope.tenant_id(),
        flow: FlowKind::Orders,
        run_id,
    };
    executor.queue.push(job, None).await.unwrap();
    // Without the nudge the run would wait for the next poll, a minute after the worker's first (just before
    // the push). The bounds leave room for a machine busy with other tests: the run ends within 55 s and waited
    // under half the poll interval, either of which the next poll could never give.
    let finished = tokio::time::timeout(Duration::from_secs(55), wait_for_runs(&db, &scope, 1))
        .await
        .expect("the run ended before the next poll");
    let run = &finished[0];
    let waited = run.started_at_ms.unwrap() - run.queued_at_ms;
    assert!(waited < 30_000, "queued for {waited} ms");
    stop.send(()).unwrap();
    workers.await.unwrap().unwrap();
}
