//! Forgetting what a company synced (cursors and id map) against a real database (SQLite, or PostgreSQL when
//! KOPPEL_TEST_DATABASE_URL is set): only that company's, and its activity log stays.

use koppel_core::{Email, FlowKind};
use koppel_store::journal::{self, NewEntry};
use koppel_store::test_support::TestDatabase;
use koppel_store::{Db, TenantScope, accounts, flows, now, runs, sync_state, tenants};

async fn tenant(db: &Db, email: &str) -> TenantScope {
    let signup = accounts::sign_up(db, &Email::parse(email).unwrap(), "hash", "Shop", now())
        .await
        .unwrap();
    tenants::resolve_scope(db, signup.user_id, signup.tenant_id)
        .await
        .unwrap()
        .unwrap()
}

/// A company that synced one order in a finished run, its orders cursor at 42.
async fn synced(db: &Db, email: &str) -> (TenantScope, runs::RunId) {
    let scope = tenant(db, email).await;
    let config = flows::FlowConfig {
        flow: FlowKind::Orders,
        enabled: true,
        schedule: flows::DEFAULT_SCHEDULE.into(),
        settings: serde_json::json!({}),
        cursor: None,
        next_run_at_ms: None,
    };
    flows::save(db, &scope, &config, 1).await.unwrap();
    flows::set_cursor(db, &scope, FlowKind::Orders, 42).await.unwrap();
    let run = runs::create(db, &scope, FlowKind::Orders, "manual", 1).await.unwrap();
    let entry = NewEntry {
        run_id: run,
        flow: FlowKind::Orders,
        entity: "order",
        source_id: "o-1",
        target_id: Some("OR-1"),
        outcome: "created",
        reason: None,
        retryable: false,
        failure_class: None,
        search_keys: "ORD-2026-000001",
        source_payload: "{}",
        exchanges: "[]",
        content_hash: Some("h1"),
        at_ms: 1,
    };
    journal::record(db, &scope, &entry).await.unwrap();
    (scope, run)
}

async fn known(db: &Db, scope: &TenantScope) -> usize {
    journal::id_map(db, scope, FlowKind::Orders, &["o-1".to_owned()])
        .await
        .unwrap()
        .len()
}

async fn cursor(db: &Db, scope: &TenantScope) -> Option<i64> {
    flows::get(db, scope, FlowKind::Orders).await.unwrap().unwrap().cursor
}

#[tokio::test]
async fn forgetting_clears_one_companys_cursors_and_id_map_and_keeps_its_log() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let (a, run_a) = synced(&db, "a@a.nl").await;
    let (b, _) = synced(&db, "b@b.nl").await;
    assert_eq!(
        sync_state::active_runs(&db, &a).await.unwrap(),
        1,
        "the run is still queued"
    );

    let forgotten = sync_state::forget(&db, &a).await.unwrap();
    assert_eq!(forgotten, sync_state::Forgotten { cursors: 1, records: 1 });
    assert_eq!(cursor(&db, &a).await, None);
    assert_eq!(known(&db, &a).await, 0);
    assert_eq!(
        journal::entries_of_run(&db, &a, run_a).await.unwrap().len(),
        1,
        "the activity log is kept"
    );
    assert_eq!(cursor(&db, &b).await, Some(42), "another company is untouched");
    assert_eq!(known(&db, &b).await, 1);

    let again = sync_state::forget(&db, &a).await.unwrap();
    assert_eq!(again, sync_state::Forgotten { cursors: 0, records: 0 });
}
