//! Flows, runs, the journal and the id map against a real database (SQLite, or PostgreSQL when
//! KOPPEL_TEST_DATABASE_URL is set).

use koppel_core::FlowKind;
use koppel_store::journal::{self, NewEntry};
use koppel_store::runs::{self, Counts, RunStatus};
use koppel_store::test_support::{TestDatabase, company};
use koppel_store::{Db, StoreError, flows, now};

fn entry<'a>(
    run: runs::RunId,
    source_id: &'a str,
    outcome: &'a str,
    retryable: bool,
    hash: Option<&'a str>,
) -> NewEntry<'a> {
    NewEntry {
        run_id: run,
        flow: FlowKind::Orders,
        entity: "order",
        source_id,
        target_id: if outcome == "failed" { None } else { Some("OR-1") },
        outcome,
        reason: None,
        retryable,
        failure_class: (outcome == "failed").then_some(if retryable { "transient" } else { "permanent" }),
        search_keys: "2026-0001 ann@shop.nl",
        source_payload: "{}",
        exchanges: "[]",
        content_hash: hash,
        at_ms: 1,
    }
}

#[tokio::test]
async fn one_active_run_per_flow_and_runs_are_tenant_scoped() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let a = company(&db, "a@a.nl").await;
    let b = company(&db, "b@b.nl").await;
    let run = runs::create(&db, &a, FlowKind::Orders, "manual", 1).await.unwrap();
    assert!(matches!(
        runs::create(&db, &a, FlowKind::Orders, "manual", 2).await,
        Err(StoreError::Conflict)
    ));
    runs::create(&db, &a, FlowKind::Stock, "manual", 2)
        .await
        .expect("another flow may run");
    runs::create(&db, &b, FlowKind::Orders, "manual", 2)
        .await
        .expect("another tenant may run");
    assert!(
        runs::get(&db, &b, run).await.unwrap().is_none(),
        "another tenant's run is invisible"
    );

    assert!(
        runs::acquire(&db, &a, run, "worker-1", 60_000, 10)
            .await
            .unwrap()
            .is_some()
    );
    let counts = Counts {
        created: 3,
        updated: 1,
        skipped: 2,
        failed: 1,
    };
    runs::finish(&db, &a, run, RunStatus::Succeeded, &counts, None, 20)
        .await
        .unwrap();
    let finished = runs::get(&db, &a, run).await.unwrap().unwrap();
    assert_eq!(finished.status, RunStatus::Succeeded);
    assert_eq!(finished.counts(), counts);
    assert!(
        runs::acquire(&db, &a, run, "worker-2", 60_000, 30)
            .await
            .unwrap()
            .is_none(),
        "a finished run does not start again"
    );
    runs::create(&db, &a, FlowKind::Orders, "schedule", 40)
        .await
        .expect("a new run once the last one finished");
}

#[tokio::test]
async fn the_journal_keeps_the_id_map_and_pending_retries() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = company(&db, "c@c.nl").await;
    let run = runs::create(&db, &scope, FlowKind::Orders, "manual", 1).await.unwrap();

    journal::record(&db, &scope, &entry(run, "o-1", "created", false, Some("h1")))
        .await
        .unwrap();
    journal::record(&db, &scope, &entry(run, "o-2", "failed", true, Some("h2")))
        .await
        .unwrap();
    journal::record(&db, &scope, &entry(run, "o-3", "failed", false, None))
        .await
        .unwrap();

    let ids: Vec<String> = ["o-1", "o-2", "o-3", "o-4"].map(String::from).to_vec();
    let map = journal::id_map(&db, &scope, FlowKind::Orders, &ids).await.unwrap();
    assert_eq!(map["o-1"].target_id.as_deref(), Some("OR-1"));
    assert_eq!(map["o-1"].content_hash.as_deref(), Some("h1"));
    assert_eq!(
        map["o-2"].content_hash, None,
        "a failure records no hash: it must not be skipped as unchanged"
    );
    assert!(!map.contains_key("o-4"));
    assert_eq!(
        journal::pending_retries(&db, &scope, FlowKind::Orders, 10)
            .await
            .unwrap(),
        vec!["o-2".to_owned()]
    );

    // The retry succeeds: no longer pending; a later failure keeps the target id it had.
    journal::record(&db, &scope, &entry(run, "o-2", "created", false, Some("h2")))
        .await
        .unwrap();
    journal::record(&db, &scope, &entry(run, "o-1", "failed", true, None))
        .await
        .unwrap();
    let map = journal::id_map(&db, &scope, FlowKind::Orders, &ids).await.unwrap();
    assert_eq!(map["o-1"].target_id.as_deref(), Some("OR-1"));
    assert!(map["o-1"].retry_pending);
    assert_eq!(
        journal::pending_retries(&db, &scope, FlowKind::Orders, 10)
            .await
            .unwrap(),
        vec!["o-1".to_owned()]
    );
    assert_eq!(journal::entries_of_run(&db, &scope, run).await.unwrap().len(), 5);

    // Another tenant sees none of it.
    let other = company(&db, "d@d.nl").await;
    assert!(
        journal::id_map(&db, &other, FlowKind::Orders, &ids)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(journal::entries_of_run(&db, &other, run).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_due_flow_is_claimed_by_exactly_one_scheduler() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = company(&db, "e@e.nl").await;
    let settings = serde_json::json!({"administration": "1"});
    flows::save(&db, &scope, &config(FlowKind::Orders, true, &settings), 1)
        .await
        .unwrap();
    flows::save(&db, &scope, &config(FlowKind::Stock, false, &settings), 1)
        .await
        .unwrap();

    let due = flows::due(&db, 2_000, 10).await.unwrap();
    assert_eq!(due.len(), 1, "disabled flows are never due");
    assert_eq!(due[0].flow, FlowKind::Orders);

    // Three schedulers race for the same due flow: one wins.
    let claims = futures_claims(&db, &due[0]).await;
    assert_eq!(claims.iter().filter(|won| **won).count(), 1, "{claims:?}");
    assert!(flows::due(&db, 2_000, 10).await.unwrap().is_empty());

    let config = flows::get(&db, &scope, FlowKind::Orders).await.unwrap().unwrap();
    assert_eq!(config.settings, settings);
    flows::set_cursor(&db, &scope, FlowKind::Orders, 42).await.unwrap();
    assert_eq!(
        flows::get(&db, &scope, FlowKind::Orders).await.unwrap().unwrap().cursor,
        Some(42)
    );
}

fn config(flow: FlowKind, enabled: bool, settings: &serde_json::Value) -> flows::FlowConfig {
    flows::FlowConfig {
        flow,
        enabled,
        schedule: flows::DEFAULT_SCHEDULE.to_owned(),
        settings: settings.clone(),
        cursor: None,
        next_run_at_ms: Some(1_000),
    }
}

async fn futures_claims(db: &Db, due: &flows::DueFlow) -> Vec<bool> {
    let mut handles = Vec::new();
    for _ in 0..3 {
        let db = db.clone();
        let due = due.clone();
        handles.push(tokio::spawn(async move {
            flows::claim(
                &db,
                due.tenant_id,
                due.flow,
                due.next_run_at_ms,
                Some(due.next_run_at_ms + 300_000),
            )
            .await
            .unwrap()
        }));
    }
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

#[tokio::test]
async fn a_crashed_workers_run_is_taken_over_only_after_its_lease() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = company(&db, "lease@a.nl").await;
    let run = runs::create(&db, &scope, FlowKind::Orders, "manual", 1).await.unwrap();
    let t0 = now().timestamp_millis();
    let lease = runs::acquire(&db, &scope, run, "worker-1", 60_000, t0).await.unwrap();
    let lease = lease.expect("the first worker takes it");
    assert!(
        runs::acquire(&db, &scope, run, "worker-2", 60_000, t0 + 1_000)
            .await
            .unwrap()
            .is_none(),
        "a duplicate delivery does not run it twice"
    );
    assert!(
        runs::abandoned(&db, t0 + 59_000).await.unwrap().is_empty(),
        "held within its lease"
    );
    assert!(
        lease.renew(&db, &scope, t0 + 30_000).await.unwrap(),
        "the heartbeat renews it"
    );
    // The first worker dies: nothing renews the lease any more.
    let abandoned = runs::abandoned(&db, t0 + 90_001).await.unwrap();
    assert_eq!(abandoned.iter().map(|r| r.id).collect::<Vec<_>>(), vec![run]);
    assert!(
        runs::release_abandoned(&db, &scope, &abandoned[0], t0 + 90_001)
            .await
            .unwrap()
    );
    assert!(
        !runs::release_abandoned(&db, &scope, &abandoned[0], t0 + 90_002)
            .await
            .unwrap(),
        "taken over once, whoever else swept it"
    );
    let taken = runs::acquire(&db, &scope, run, "worker-2", 60_000, t0 + 90_100)
        .await
        .unwrap();
    assert!(taken.is_some(), "taken over after the lease");
    // The first worker wakes up: it may no longer touch the run.
    assert!(!lease.renew(&db, &scope, t0 + 90_200).await.unwrap());
    let counts = Counts::default();
    assert!(!lease.progress(&db, &scope, 1, 2, &counts, t0 + 90_200).await.unwrap());
    assert!(
        !lease
            .finish(&db, &scope, RunStatus::Succeeded, &counts, None, t0 + 90_200)
            .await
            .unwrap()
    );
    let state = runs::get(&db, &scope, run).await.unwrap().unwrap();
    assert_eq!(
        (state.status, state.attempts, state.takeovers),
        (RunStatus::Running, 2, 1)
    );
    assert_eq!(state.lease_owner.as_deref(), Some("worker-2"));
}
