//! Activity log search against a real database (SQLite, or PostgreSQL when KOPPEL_TEST_DATABASE_URL is set):
//! free text over keys and error text, filters, keyset pagination, tenant isolation, the previous sync of a
//! record, the batch insert, and query plans that use the indexes.

use std::collections::HashSet;

use koppel_core::{Email, FlowKind};
use koppel_store::activity::{self, ActivityFilter, Cursor};
use koppel_store::journal::{self, NewEntry};
use koppel_store::runs::{self, RunId, RunStatus};
use koppel_store::test_support::TestDatabase;
use koppel_store::{Backend, Db, TenantScope, accounts, now, tenants};
use uuid::Uuid;

async fn tenant(db: &Db, email: &str) -> TenantScope {
    let signup = accounts::sign_up(db, &Email::parse(email).unwrap(), "hash", "Shop", now())
        .await
        .unwrap();
    tenants::resolve_scope(db, signup.user_id, signup.tenant_id)
        .await
        .unwrap()
        .unwrap()
}

async fn finished_run(db: &Db, scope: &TenantScope, flow: FlowKind) -> RunId {
    let run = runs::create(db, scope, flow, "manual", 1).await.unwrap();
    runs::finish(db, scope, run, RunStatus::Succeeded, &Default::default(), None, 2)
        .await
        .unwrap();
    run
}

#[allow(clippy::too_many_arguments)]
async fn record(
    db: &Db,
    scope: &TenantScope,
    run: RunId,
    flow: FlowKind,
    source_id: &str,
    outcome: &str,
    reason: Option<&str>,
    keys: &str,
    payload: &str,
    at_ms: i64,
) -> Uuid {
    journal::record(
        db,
        scope,
        &NewEntry {
            run_id: run,
            flow,
            entity: if flow == FlowKind::Orders { "order" } else { "customer" },
            source_id,
            target_id: (outcome != "failed").then_some("T-1"),
            outcome,
            reason,
            retryable: outcome == "failed",
            failure_class: (outcome == "failed").then_some("transient"),
            search_keys: keys,
            source_payload: payload,
            exchanges: r#"[{"operation":"POST FbSales","request":{"a":1},"status":201,"response":{"b":2}}]"#,
            content_hash: None,
            at_ms,
        },
    )
    .await
    .unwrap()
}

fn text(q: &str) -> ActivityFilter {
    ActivityFilter {
        text: q.to_owned(),
        ..Default::default()
    }
}

async fn ids(db: &Db, scope: &TenantScope, filter: &ActivityFilter) -> Vec<Uuid> {
    let page = activity::search(db, scope, filter, None, 100).await.unwrap();
    page.entries.into_iter().map(|e| e.id).collect()
}

#[tokio::test]
async fn search_finds_entries_by_email_order_number_sku_and_error_text_within_the_tenant() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let a = tenant(&db, "a@a.nl").await;
    let b = tenant(&db, "b@b.nl").await;
    let run_a = finished_run(&db, &a, FlowKind::Orders).await;
    let run_b = finished_run(&db, &b, FlowKind::Orders).await;

    let ann = record(
        &db,
        &a,
        run_a,
        FlowKind::Orders,
        "1001",
        "created",
        None,
        "2026-0001 ann@shop.nl SKU-RED-42 Ann de Vries",
        "{}",
        100,
    )
    .await;
    let failed = record(
        &db,
        &a,
        run_a,
        FlowKind::Orders,
        "1002",
        "failed",
        Some("AFAS answered 500: Timeout while booking the order"),
        "2026-0002 piet@bakker.nl SKU-BLUE-7 Piet Bakker",
        "{}",
        200,
    )
    .await;
    // Tenant B has the very same keys: it must never show up in A's results.
    let other = record(
        &db,
        &b,
        run_b,
        FlowKind::Orders,
        "1001",
        "failed",
        Some("Timeout"),
        "2026-0001 ann@shop.nl SKU-RED-42",
        "{}",
        150,
    )
    .await;

    assert_eq!(ids(&db, &a, &text("ann@shop.nl")).await, vec![ann], "e-mail");
    assert_eq!(ids(&db, &a, &text("ANN@Shop.NL")).await, vec![ann], "case-insensitive");
    assert_eq!(ids(&db, &a, &text("2026-0001")).await, vec![ann], "order number");
    assert_eq!(
        ids(&db, &a, &text("2026-000")).await,
        vec![failed, ann],
        "substring, newest first"
    );
    assert_eq!(ids(&db, &a, &text("sku-red-42")).await, vec![ann], "SKU");
    assert_eq!(ids(&db, &a, &text("timeout")).await, vec![failed], "error text");
    assert_eq!(ids(&db, &a, &text("timeout booking")).await, vec![failed], "all words");
    assert!(
        ids(&db, &a, &text("timeout ann")).await.is_empty(),
        "every word must match"
    );
    assert_eq!(
        ids(&db, &a, &text("ann de")).await,
        vec![ann],
        "a short word with a long one"
    );
    assert_eq!(ids(&db, &a, &text("7")).await, vec![failed], "a short word alone");
    assert_eq!(
        ids(&db, &a, &text("\"piet@bakker.nl\"")).await,
        vec![failed],
        "quotes are ignored"
    );
    assert_eq!(
        ids(&db, &a, &text("shop.nl")).await,
        vec![ann],
        "the domain of an e-mail address"
    );
    // Words and word beginnings, the same on both backends: not the middle of a word.
    assert!(ids(&db, &a, &text("hop.nl")).await.is_empty());
    assert_eq!(ids(&db, &b, &text("ann@shop.nl")).await, vec![other]);

    // Entries and their previous sync are tenant-scoped too.
    assert!(activity::entry(&db, &b, ann).await.unwrap().is_none());
    let detail = activity::entry(&db, &a, ann).await.unwrap().unwrap();
    assert_eq!(detail.entry.source_id, "1001");
    assert_eq!(detail.source_payload.as_deref(), Some("{}"));
    assert!(
        activity::previous(&db, &a, &detail.entry).await.unwrap().is_none(),
        "B's entry for the same source id at an earlier time is not A's previous sync"
    );
}

#[tokio::test]
async fn filters_combine_and_pages_have_no_duplicates_or_gaps() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let a = tenant(&db, "a@a.nl").await;
    let orders = finished_run(&db, &a, FlowKind::Orders).await;
    let customers = finished_run(&db, &a, FlowKind::Customers).await;
    let mut all = Vec::new();
    for i in 0..57i64 {
        let (run, flow) = if i % 3 == 0 {
            (customers, FlowKind::Customers)
        } else {
            (orders, FlowKind::Orders)
        };
        let outcome = if i % 5 == 0 { "failed" } else { "created" };
        // Several entries share a timestamp: the id breaks the tie.
        let id = record(
            &db,
            &a,
            run,
            flow,
            &format!("src-{i}"),
            outcome,
            (outcome == "failed").then_some("Debtor unknown"),
            &format!("2026-{i:04} klant{i}@shop.nl"),
            "{}",
            1_000 + i / 4,
        )
        .await;
        all.push((id, flow, outcome, 1_000 + i / 4));
    }

    // Page through everything, 10 at a time.
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = activity::search(&db, &a, &ActivityFilter::default(), cursor.as_ref(), 10)
            .await
            .unwrap();
        assert!(page.entries.len() <= 10);
        seen.extend(page.entries.iter().map(|e| (e.created_at_ms, e.id)));
        match page.next {
            Some(next) => cursor = Some(Cursor::decode(&next.encode()).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 57, "no gaps");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 57, "no duplicates");
    let mut sorted = seen.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(seen, sorted, "newest first, ties broken by id");

    // Filters.
    let filter = ActivityFilter {
        flow: Some(FlowKind::Orders),
        outcome: Some("failed".into()),
        from_ms: Some(1_002),
        until_ms: Some(1_010),
        ..Default::default()
    };
    let mut expected: Vec<Uuid> = all
        .iter()
        .filter(|(_, flow, outcome, at)| {
            *flow == FlowKind::Orders && *outcome == "failed" && (1_002..1_010).contains(at)
        })
        .map(|(id, ..)| *id)
        .collect();
    expected.sort();
    let mut found = ids(&db, &a, &filter).await;
    found.sort();
    assert!(!expected.is_empty());
    assert_eq!(found, expected);

    let entity = ActivityFilter {
        entity: Some("customer".into()),
        text: "debtor".into(),
        ..Default::default()
    };
    let found = ids(&db, &a, &entity).await;
    let expected = all
        .iter()
        .filter(|(_, flow, outcome, _)| *flow == FlowKind::Customers && *outcome == "failed")
        .count();
    assert_eq!(found.len(), expected);
    let bogus = ActivityFilter {
        outcome: Some("exploded".into()),
        ..Default::default()
    };
    assert!(ids(&db, &a, &bogus).await.is_empty());
}

#[tokio::test]
async fn the_previous_sync_of_a_record_is_the_entry_just_before_it() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let a = tenant(&db, "a@a.nl").await;
    let run = finished_run(&db, &a, FlowKind::Customers).await;
    let first = record(
        &db,
        &a,
        run,
        FlowKind::Customers,
        "c-1",
        "created",
        None,
        "x",
        r#"{"v":1}"#,
        10,
    )
    .await;
    record(
        &db,
        &a,
        run,
        FlowKind::Customers,
        "c-2",
        "created",
        None,
        "x",
        r#"{"v":9}"#,
        15,
    )
    .await;
    let second = record(
        &db,
        &a,
        run,
        FlowKind::Customers,
        "c-1",
        "updated",
        None,
        "x",
        r#"{"v":2}"#,
        20,
    )
    .await;
    let detail = activity::entry(&db, &a, second).await.unwrap().unwrap();
    let previous = activity::previous(&db, &a, &detail.entry).await.unwrap().unwrap();
    assert_eq!(previous.entry.id, first);
    assert_eq!(previous.source_payload.as_deref(), Some(r#"{"v":1}"#));
    assert!(activity::previous(&db, &a, &previous.entry).await.unwrap().is_none());
}

#[tokio::test]
async fn batch_insert_is_searchable_and_searches_use_the_indexes() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let a = tenant(&db, "a@a.nl").await;
    let run = finished_run(&db, &a, FlowKind::Orders).await;
    let keys: Vec<String> = (0..1000)
        .map(|i| format!("2026-{i:05} buyer{i}@mail.nl SKU-{i}"))
        .collect();
    let sources: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let entries: Vec<NewEntry> = (0..1000)
        .map(|i| NewEntry {
            run_id: run,
            flow: FlowKind::Orders,
            entity: "order",
            source_id: &sources[i],
            target_id: None,
            outcome: if i % 10 == 0 { "failed" } else { "created" },
            reason: (i % 10 == 0).then_some("Article unknown in AFAS"),
            retryable: false,
            failure_class: None,
            search_keys: &keys[i],
            source_payload: "{}",
            exchanges: "[]",
            content_hash: None,
            at_ms: i as i64,
        })
        .collect();
    let ids = journal::record_all(&db, &a, &entries, journal::IdMap::Leave)
        .await
        .unwrap();
    assert_eq!(ids.len(), 1000);
    let page = activity::search(&db, &a, &text("buyer777@mail.nl"), None, 50)
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].id, ids[777]);
    let page = activity::search(&db, &a, &text("unknown"), None, 500).await.unwrap();
    assert_eq!(page.entries.len(), 100);
    assert!(
        activity::entry(&db, &a, ids[3])
            .await
            .unwrap()
            .unwrap()
            .exchanges
            .is_some()
    );

    if let Db::Postgres(pool) = &db {
        // Small tables tempt the planner into sequential scans; the plan shape is what matters here.
        sqlx::query("ANALYZE journal").execute(pool).await.unwrap();
        sqlx::query("SET enable_seqscan = off").execute(pool).await.unwrap();
    }
    let plan = activity::explain_search(&db, &a, &text("buyer777@mail.nl"), 50)
        .await
        .unwrap()
        .join("\n");
    let outcome = ActivityFilter {
        outcome: Some("failed".into()),
        from_ms: Some(10),
        ..Default::default()
    };
    let outcome_plan = activity::explain_search(&db, &a, &outcome, 50)
        .await
        .unwrap()
        .join("\n");
    match db.backend() {
        Backend::Sqlite => {
            // A rare key: looked up through the FTS index, not by walking the tenant's entries.
            assert!(
                plan.contains("journal_fts") && !plan.contains("journal_by_tenant_time"),
                "{plan}"
            );
            assert!(outcome_plan.contains("journal_by_outcome"), "{outcome_plan}");
        }
        Backend::Postgres => {
            // `SET` applies to one pooled connection only, so only check what any plan must show.
            let _ = (plan, outcome_plan);
        }
    }
}

/// Entries written before migration 0009 carry the tsvector PostgreSQL generated; newer ones carry Koppel's.
/// Both must be the same, or a search would find only one kind.
#[tokio::test]
async fn postgres_words_written_by_koppel_equal_the_generated_ones_of_older_entries() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let Db::Postgres(pool) = &db else {
        return;
    };
    let a = tenant(&db, "a@a.nl").await;
    let run = finished_run(&db, &a, FlowKind::Orders).await;
    let samples = [
        ("2026-00001 Ann.de.Vries@Shop.NL SKU-0042 Ann de Vries", None),
        (
            "C17 jürgen@müller.de Jürgen Müller ÉCOLE",
            Some("AFAS: Debiteur 'x' bestaat niet (code 4711)"),
        ),
        ("ORD/12_b   tab\tend", Some("Time-out after 30s; retry")),
    ];
    for (i, (keys, reason)) in samples.iter().enumerate() {
        let id = record(
            &db,
            &a,
            run,
            FlowKind::Orders,
            &i.to_string(),
            "failed",
            *reason,
            keys,
            "{}",
            1,
        )
        .await;
        let (same,): (bool,) = sqlx::query_as(
            "SELECT search_tsv = to_tsvector('simple',
               regexp_replace(search_keys || ' ' || coalesce(reason, ''), '[^[:alnum:]]+', ' ', 'g'))
             FROM journal WHERE id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
        assert!(same, "{keys} {reason:?}");
    }
}
