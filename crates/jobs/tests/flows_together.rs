//! A company's flows working together against the sandbox, on a real database: runs at the same time never
//! create a debtor or an article twice (claims in the database), and flows queued together run in
//! `FlowKind::RUN_ORDER` through the real job queue, each first run ending with no failed record.

mod sandbox_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use koppel_core::FlowKind;
use koppel_jobs::connect::{AfasTarget, CreateOnce, MplusSource, afas_client, afas_environment, mplus_client};
use koppel_jobs::credentials::{AfasCredentials, MplusCredentials};
use koppel_jobs::worker::{self, WorkerOptions};
use koppel_jobs::{JobQueue, RunFlowJob};
use koppel_store::runs::{self, RunStatus};
use koppel_store::secrets::SecretBox;
use koppel_store::test_support::TestDatabase;
use koppel_sync::engine::run_flow;
use koppel_sync::ports::Outcome;
use koppel_sync::settings::{FlowSettings, QuotationsDirection};
use koppel_testkit::FakeJournal;
use sandbox_support::{System, World, sandbox_executor, save_flow, settings, store_credentials, tenant};
use serde_json::json;

/// How many rows of an AFAS GetConnector share each value of `field` more than once.
async fn duplicates(world: &World, connector: &str, key: &str, field: &str) -> BTreeMap<String, usize> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for row in world.rows(connector, key).await {
        if let Some(value) = row[field].as_str().filter(|v| !v.is_empty()) {
            *seen.entry(value.to_lowercase()).or_default() += 1;
        }
    }
    seen.retain(|_, count| *count > 1);
    seen
}

fn together_settings() -> FlowSettings {
    let mut settings = FlowSettings {
        create_missing_articles: true,
        ..settings()
    };
    // The seeded AFAS article groups on the seeded till's article discount groups: the debtors' discount groups
    // reach their relations too.
    settings.company.discount_group_map.table = [("100", "1"), ("200", "2"), ("300", "3")]
        .into_iter()
        .map(|(afas, till)| (afas.to_owned(), till.to_owned()))
        .collect();
    settings
}

#[tokio::test]
async fn runs_at_the_same_time_create_each_debtor_and_article_once() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db).await;
    let world = World::start(120).await;
    // Every call takes a moment, as over a network: look-ups and creates of parallel runs overlap.
    world.post_control(System::Afas, "latency", json!({"ms": 5})).await;
    let settings = together_settings();
    // Two of a kind stand for a run and the same flow's run in a stalled process taken over meanwhile; the
    // orders flow creates debtors and missing articles too. (Sales themselves are booked by one orders run at
    // a time: a company has one queued or running run per flow.)
    let flows = [
        FlowKind::Products,
        FlowKind::Products,
        FlowKind::Customers,
        FlowKind::Customers,
        FlowKind::Orders,
    ];
    let journals: Vec<FakeJournal> = flows.iter().map(|_| FakeJournal::default()).collect();
    let runs = flows.iter().zip(&journals).map(|(flow, journal)| {
        let (settings, world, db, scope) = (&settings, &world, db.clone(), scope.clone());
        async move {
            let target = world.target(settings).with_claims(CreateOnce::new(db, scope));
            run_flow(*flow, settings, &world.source(settings), &target, journal).await
        }
    });
    for (flow, result) in flows.iter().zip(futures::future::join_all(runs).await) {
        result.unwrap_or_else(|e| panic!("the {flow} run stopped: {e}"));
    }

    assert_eq!(
        duplicates(&world, "Profit_Debtor", "DebtorId", "Email").await,
        BTreeMap::new(),
        "one AFAS debtor per e-mail address"
    );
    assert_eq!(
        duplicates(&world, "Profit_Article", "ItemCode", "ItemCode").await,
        BTreeMap::new(),
        "one AFAS article per item code"
    );
    let failed: Vec<_> = journals
        .iter()
        .flat_map(FakeJournal::entries)
        .filter(|entry| entry.outcome == Outcome::Failed)
        .map(|entry| (entry.entity.clone(), entry.source_id.clone(), entry.reason.clone()))
        .collect();
    assert_eq!(failed, Vec::new(), "no record failed on another run's creation");
    let created = |flow: usize| journals[flow].count(Outcome::Created);
    assert!(
        created(0) + created(1) > 0 && created(2) + created(3) > 0,
        "the runs did create records"
    );
}

/// Runs the job queue's workers until `check` is done, then stops them.
async fn with_workers<C, F>(executor: Arc<koppel_jobs::Executor<C>>, check: impl FnOnce() -> F)
where
    C: koppel_jobs::executor::Connectors,
    F: std::future::Future<Output = ()>,
{
    let options = WorkerOptions {
        concurrency: 4,
        poll_interval: Duration::from_millis(50),
        ..WorkerOptions::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let workers = tokio::spawn(worker::run(executor, options, async move {
        let _ = stopped.await;
    }));
    check().await;
    let _ = stop.send(());
    workers.await.unwrap().unwrap();
}

#[tokio::test]
async fn flows_queued_together_run_in_order_and_their_first_runs_fail_nothing() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db).await;
    let world = World::start(120).await;
    let secrets = SecretBox::new(&[7u8; 32]).unwrap();
    store_credentials(&db, &secrets, &scope, &world.sandbox).await;
    let settings = together_settings();
    for flow in FlowKind::ALL {
        save_flow(&db, &scope, flow, &settings).await;
    }
    let queue = JobQueue::connect(&db).await.unwrap();
    let queued = run_all_together(&db, &scope, &queue).await;
    let mut previous_end = i64::MIN;
    for flow in FlowKind::RUN_ORDER {
        let (_, run_id) = queued.iter().find(|(f, _)| *f == flow).unwrap();
        let run = runs::get(&db, &scope, *run_id).await.unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Succeeded, "{flow}: {run:?}");
        assert_eq!(run.failed, 0, "{flow}: {run:?}");
        let started = run.started_at_ms.unwrap();
        assert!(
            started >= previous_end,
            "{flow} started before the flow it runs after ended"
        );
        previous_end = run.finished_at_ms.unwrap();
    }
    assert_eq!(
        duplicates(&world, "Profit_Debtor", "DebtorId", "Email").await,
        BTreeMap::new()
    );
    assert_eq!(
        duplicates(&world, "Profit_Article", "ItemCode", "ItemCode").await,
        BTreeMap::new()
    );

    // Every flow of both directions on: a second round may align what the first made on each side (the
    // debtors flow links the relations the customers flow made debtors of); a third writes nothing anywhere.
    run_all_together(&db, &scope, &queue).await;
    world.clear_journal(System::Afas).await;
    world.clear_journal(System::Mplus).await;
    for (flow, run_id) in run_all_together(&db, &scope, &queue).await {
        let run = runs::get(&db, &scope, run_id).await.unwrap().unwrap();
        assert_eq!((run.status, run.failed), (RunStatus::Succeeded, 0), "{flow}: {run:?}");
    }
    let afas_writes: Vec<_> = world
        .journal(System::Afas)
        .await
        .into_iter()
        .filter(|entry| entry.method != "GET")
        .map(|entry| entry.path)
        .collect();
    assert!(afas_writes.is_empty(), "the third round wrote to AFAS: {afas_writes:?}");
    let till_writes: Vec<_> = world
        .journal(System::Mplus)
        .await
        .into_iter()
        .filter_map(|entry| entry.operation)
        .filter(|operation| {
            ["create", "update", "set", "save", "deliver", "pay"]
                .iter()
                .any(|write| operation.starts_with(write))
        })
        .collect();
    assert!(
        till_writes.is_empty(),
        "the third round wrote to the till: {till_writes:?}"
    );

    // The quotations flow turned the other way (its cursor forgotten): AFAS's own quotations become proposals,
    // the ones it booked from the till's proposals are not sent back, and the round after writes nothing.
    let to_till = FlowSettings {
        quotations_direction: QuotationsDirection::AfasToMplus,
        ..settings.clone()
    };
    save_flow(&db, &scope, FlowKind::Quotations, &to_till).await;
    for (flow, run_id) in run_all_together(&db, &scope, &queue).await {
        let run = runs::get(&db, &scope, run_id).await.unwrap().unwrap();
        assert_eq!((run.status, run.failed), (RunStatus::Succeeded, 0), "{flow}: {run:?}");
        if flow == FlowKind::Quotations {
            assert_eq!(run.created, 2, "the two quotations made in AFAS: {run:?}");
        }
    }
    world.clear_journal(System::Mplus).await;
    run_all_together(&db, &scope, &queue).await;
    assert_eq!(
        world.till_calls("saveProposal").await,
        0,
        "the round after wrote proposals"
    );
}

/// Queues a run of every flow at one moment, jobs pushed in the worst order (the last flow first), and waits
/// until a worker (a process of its own: an executor stops for good with its workers) ended them all; returns
/// the runs.
async fn run_all_together(
    db: &koppel_store::Db,
    scope: &koppel_store::TenantScope,
    queue: &JobQueue,
) -> Vec<(FlowKind, koppel_store::runs::RunId)> {
    let secrets = SecretBox::new(&[7u8; 32]).unwrap();
    let executor = Arc::new(sandbox_executor(db, secrets).await);
    let now = koppel_store::now().timestamp_millis();
    let mut queued = Vec::new();
    for flow in FlowKind::RUN_ORDER.iter().rev() {
        let run_id = runs::create(db, scope, *flow, "setup", now).await.unwrap();
        let job = RunFlowJob {
            tenant_id: scope.tenant_id(),
            flow: *flow,
            run_id,
        };
        queue.push(job, None).await.unwrap();
        queued.push((*flow, run_id));
    }
    with_workers(executor, || async {
        for _ in 0..600 {
            let mut finished = 0;
            for (_, run_id) in &queued {
                let run = runs::get(db, scope, *run_id).await.unwrap().unwrap();
                finished += usize::from(run.status.is_finished());
            }
            if finished == queued.len() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the runs did not finish in a minute");
    })
    .await;
    queued
}

#[tokio::test]
async fn two_companies_on_one_afas_environment_run_their_orders_at_once_to_the_end() {
    // Every trial company's sandbox shop is one AFAS environment (one base URL), so their runs share its
    // 8 permits: a run that held permits in requests it did not poll while it prepared the next sale made the
    // other wait forever (and itself).
    let world = World::start(150).await;
    world.post_control(System::Afas, "latency", json!({"ms": 3})).await;
    let settings = together_settings();
    let options = sandbox_support::test_options();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let shop = koppel_sandbox::ShopId::random();
        let credentials = world.sandbox.shops.credentials(&shop);
        let afas = AfasCredentials {
            token: credentials.afas_token_xml(),
            ..sandbox_support::afas_credentials(&world.sandbox)
        };
        let mplus = MplusCredentials {
            ident: credentials.mplus_ident.clone(),
            secret: credentials.mplus_secret.clone(),
            ..sandbox_support::mplus_credentials(&world.sandbox)
        };
        let afas = afas_client(afas_environment(&afas).unwrap(), &afas, &options).unwrap();
        let target = AfasTarget::new(Arc::new(afas));
        let source = MplusSource::for_settings(Arc::new(mplus_client(&mplus, &options).unwrap()), &settings);
        runs.push((source, target, FakeJournal::default()));
    }
    let both = futures::future::join_all(
        runs.iter()
            .map(|(source, target, journal)| run_flow(FlowKind::Orders, &settings, source, target, journal)),
    );
    let results = tokio::time::timeout(Duration::from_secs(120), both)
        .await
        .expect("both runs end: neither waits for the other's permits");
    for ((_, _, journal), result) in runs.iter().zip(results) {
        let report = result.expect("the run ends");
        assert!(report.counts.created > 0, "{:?}", report.counts);
        assert_eq!(journal.count(Outcome::Failed), 0);
    }
}
