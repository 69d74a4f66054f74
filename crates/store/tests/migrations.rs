//! Migrations over a database that already holds data: 0010 rebuilds SQLite's `runs` table (SQLite cannot change
//! a CHECK constraint in place), and the journal must stay attached to its runs.

use std::path::Path;

use koppel_store::Db;
use uuid::Uuid;

/// A migrator of the SQLite migrations numbered below `before`, as an installation of that age applied them.
async fn migrations_before(before: u32, dir: &Path) -> sqlx::migrate::Migrator {
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite");
    for entry in std::fs::read_dir(all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let number: u32 = name[..4].parse().unwrap();
        if number < before {
            std::fs::copy(&path, dir.join(&name)).unwrap();
        }
    }
    sqlx::migrate::Migrator::new(dir).await.unwrap()
}

#[tokio::test]
async fn the_run_table_rebuild_keeps_runs_and_their_journal() {
    let folder = tempfile::tempdir().unwrap();
    let old = folder.path().join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    let url = format!("sqlite://{}/koppel.db", folder.path().display());
    let db = Db::connect(&url).await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!() };
    migrations_before(10, &old).await.run(pool).await.unwrap();

    let (tenant, run, entry) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    sqlx::query("INSERT INTO tenants (id, name, created_at, trial_ends_at) VALUES ($1, 'Shop', 'x', 'y')")
        .bind(tenant)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO runs (id, tenant_id, flow, status, trigger_kind, queued_at_ms, started_at_ms, finished_at_ms,
           created, failed, attempts, lease_until_ms)
         VALUES ($1, $2, 'orders', 'succeeded', 'schedule', 1, 2, 3, 5, 1, 1, 99)",
    )
    .bind(run)
    .bind(tenant)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO journal (id, tenant_id, run_id, flow, entity, source_id, outcome, retryable, search_keys,
           created_at_ms) VALUES ($1, $2, $3, 'orders', 'order', 'o-1', 'created', 0, 'ORD-1', 4)",
    )
    .bind(entry)
    .bind(tenant)
    .bind(run)
    .execute(pool)
    .await
    .unwrap();

    db.migrate().await.unwrap();

    let (status, created, failed, progress_at): (String, i64, i64, Option<i64>) =
        sqlx::query_as("SELECT status, created, failed, progress_at_ms FROM runs WHERE id = $1")
            .bind(run)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), created, failed, progress_at),
        ("succeeded", 5, 1, Some(2))
    );
    let violations: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    let journaled: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM journal WHERE run_id = $1")
        .bind(run)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(journaled.0, 1, "the journal keeps its entry");
    // The new state is allowed, and the journal still follows its run: deleting the company deletes both.
    sqlx::query("UPDATE runs SET status = 'succeeded_with_failures' WHERE id = $1")
        .bind(run)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM tenants WHERE id = $1")
        .bind(tenant)
        .execute(pool)
        .await
        .unwrap();
    let left: (i64, i64) = sqlx::query_as("SELECT (SELECT COUNT(*) FROM runs), (SELECT COUNT(*) FROM journal)")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        left,
        (0, 0),
        "the cascade from tenants through runs to the journal holds"
    );
}
