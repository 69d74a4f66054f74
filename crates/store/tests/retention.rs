//! Retention deletes what is due and nothing else; export and tenant deletion.

use koppel_core::{Email, FlowKind};
use koppel_store::health::DAY_MS;
use koppel_store::journal::{self, NewEntry};
use koppel_store::retention::{self, Retention};
use koppel_store::test_support::TestDatabase;
use koppel_store::{Db, TenantScope, accounts, now, runs, tenants};

async fn tenant(db: &Db, email: &str) -> TenantScope {
    let signup = accounts::sign_up(db, &Email::parse(email).unwrap(), "hash", "Shop", now())
        .await
        .unwrap();
    tenants::resolve_scope(db, signup.user_id, signup.tenant_id)
        .await
        .unwrap()
        .unwrap()
}

/// Journals one entry per age (days ago) and returns their source ids.
async fn entries_aged(db: &Db, scope: &TenantScope, now_ms: i64, ages: &[i64]) {
    let run = runs::create(db, scope, FlowKind::Orders, "manual", now_ms)
        .await
        .unwrap();
    for age in ages {
        let source_id = format!("age-{age}");
        let entry = NewEntry {
            run_id: run,
            flow: FlowKind::Orders,
            entity: "order",
            source_id: &source_id,
            target_id: None,
            outcome: "created",
            reason: None,
            retryable: false,
            failure_class: None,
            search_keys: "x",
            source_payload: r#"{"email":"ann@shop.nl"}"#,
            exchanges: "[]",
            content_hash: None,
            at_ms: now_ms - age * DAY_MS,
        };
        journal::record(db, scope, &entry).await.unwrap();
    }
    runs::finish(
        db,
        scope,
        run,
        runs::RunStatus::Succeeded,
        &runs::Counts::default(),
        None,
        now_ms,
    )
    .await
    .unwrap();
}

fn kept(entries: &[retention::ExportedEntry]) -> Vec<(String, bool)> {
    entries
        .iter()
        .map(|e| (e.source_id.clone(), e.source_payload.is_some()))
        .collect()
}

#[tokio::test]
async fn retention_deletes_what_is_due_and_nothing_else() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let now_ms = now().timestamp_millis();
    let standard = tenant(&db, "a@a.nl").await;
    let strict = tenant(&db, "b@b.nl").await;
    retention::set(
        &db,
        &strict,
        Retention {
            payload_days: 7,
            entry_days: 30,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        retention::get(&db, &standard).await.unwrap(),
        Retention {
            payload_days: 30,
            entry_days: 180
        }
    );
    entries_aged(&db, &standard, now_ms, &[1, 10, 40, 200]).await;
    entries_aged(&db, &strict, now_ms, &[1, 10, 40]).await;

    // A small batch size proves the batching loop finishes the job.
    let purged = retention::purge(&db, now_ms, 1).await.unwrap();
    // Payloads: standard 40 and 200 days, strict 10 and 40 days; entries: standard 200, strict 40.
    assert_eq!(
        purged,
        retention::Purged {
            payloads: 4,
            entries: 2
        }
    );

    let standard_left = kept(&retention::export_entries(&db, &standard).await.unwrap());
    assert_eq!(
        standard_left,
        vec![
            ("age-40".into(), false),
            ("age-10".into(), true),
            ("age-1".into(), true)
        ],
        "older than 30 days: payload gone; older than 180: entry gone"
    );
    let strict_left = kept(&retention::export_entries(&db, &strict).await.unwrap());
    assert_eq!(strict_left, vec![("age-10".into(), false), ("age-1".into(), true)]);

    // Nothing more is due.
    assert_eq!(
        retention::purge(&db, now_ms, 100).await.unwrap(),
        retention::Purged::default()
    );
}

#[tokio::test]
async fn deleting_a_tenant_removes_everything_in_it_and_nothing_else() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let now_ms = now().timestamp_millis();
    let gone = tenant(&db, "gone@a.nl").await;
    let stays = tenant(&db, "stays@b.nl").await;
    entries_aged(&db, &gone, now_ms, &[1, 2]).await;
    entries_aged(&db, &stays, now_ms, &[1]).await;
    let gone_tenant = gone.tenant_id();
    retention::delete_tenant(&db, gone).await.unwrap();
    let user = accounts::find_user_by_email(&db, &Email::parse("gone@a.nl").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        tenants::resolve_scope(&db, user.id, gone_tenant)
            .await
            .unwrap()
            .is_none()
    );
    assert!(tenants::memberships_of(&db, user.id).await.unwrap().is_empty());
    let orphans = retention::export_entries(&db, &TenantScope::for_background_job(gone_tenant))
        .await
        .unwrap();
    assert!(orphans.is_empty(), "the activity log went with the tenant");
    // The journal reaches its tenant through runs (PostgreSQL has no direct foreign key since 0009): no row of
    // either table may be left behind.
    for table in ["journal", "journal_payloads", "runs"] {
        let sql = format!("SELECT count(*) FROM {table} WHERE tenant_id = $1");
        let (left,): (i64,) = match &db {
            Db::Sqlite(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(gone_tenant.0)
                    .fetch_one(pool)
                    .await
            }
            Db::Postgres(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(gone_tenant.0)
                    .fetch_one(pool)
                    .await
            }
        }
        .unwrap();
        assert_eq!(left, 0, "{table}");
    }
    assert_eq!(retention::export_entries(&db, &stays).await.unwrap().len(), 1);
}
