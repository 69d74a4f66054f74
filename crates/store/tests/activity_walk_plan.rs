//! The SQLite plan for common words (walk the time index, test each row) gives the same results as the
//! lookup through the FTS index. This file runs in its own process because it lowers the process-wide
//! threshold so that every word counts as common.

use koppel_core::{Email, FlowKind};
use koppel_store::activity::{self, ActivityFilter, Cursor};
use koppel_store::journal::{self, NewEntry};
use koppel_store::runs::{self, RunStatus};
use koppel_store::test_support::TestDatabase;
use koppel_store::{Backend, TenantScope, accounts, now, tenants};
use uuid::Uuid;

#[tokio::test]
async fn common_words_walk_the_time_index_with_the_same_results() {
    activity::set_common_word_threshold(1);
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let mut scopes: Vec<TenantScope> = Vec::new();
    for email in ["a@a.nl", "b@b.nl"] {
        let signup = accounts::sign_up(&db, &Email::parse(email).unwrap(), "hash", "Shop", now())
            .await
            .unwrap();
        scopes.push(
            tenants::resolve_scope(&db, signup.user_id, signup.tenant_id)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let mut ids: Vec<Vec<Uuid>> = Vec::new();
    for scope in &scopes {
        let run = runs::create(&db, scope, FlowKind::Orders, "manual", 1).await.unwrap();
        runs::finish(&db, scope, run, RunStatus::Succeeded, &Default::default(), None, 2)
            .await
            .unwrap();
        let keys: Vec<String> = (0..30)
            .map(|i| format!("2026-{i:04} koper{i}@winkel.nl SKU-{i}"))
            .collect();
        let sources: Vec<String> = (0..30).map(|i| format!("{i}")).collect();
        let entries: Vec<NewEntry> = (0..30)
            .map(|i| NewEntry {
                run_id: run,
                flow: FlowKind::Orders,
                entity: "order",
                source_id: &sources[i],
                target_id: None,
                outcome: if i % 3 == 0 { "failed" } else { "created" },
                reason: (i % 3 == 0).then_some("Timeout 50% of the time"),
                retryable: false,
                failure_class: None,
                search_keys: &keys[i],
                source_payload: "{}",
                exchanges: "[]",
                content_hash: None,
                at_ms: 1_000 + i as i64,
            })
            .collect();
        ids.push(
            journal::record_all(&db, scope, &entries, journal::IdMap::Leave)
                .await
                .unwrap(),
        );
    }
    let a = &scopes[0];
    let search = |text: &str| ActivityFilter {
        text: text.to_owned(),
        ..Default::default()
    };
    let found = |page: activity::Page| page.entries.into_iter().map(|e| e.id).collect::<Vec<_>>();

    let page = activity::search(&db, a, &search("KOPER7@winkel.nl"), None, 10)
        .await
        .unwrap();
    assert_eq!(found(page), vec![ids[0][7]]);
    // Punctuation only separates words (no wildcards): "50%" and "50_" both mean the word "50".
    for text in ["50%", "50_"] {
        let page = activity::search(&db, a, &search(text), None, 100).await.unwrap();
        assert_eq!(page.entries.len(), 10, "{text}");
    }

    // Pages of a common word: newest first, no duplicates or gaps, only this tenant.
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = activity::search(&db, a, &search("timeout"), cursor.as_ref(), 3)
            .await
            .unwrap();
        seen.extend(page.entries.iter().map(|e| e.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<Uuid> = (0..30).rev().filter(|i| i % 3 == 0).map(|i| ids[0][i]).collect();
    assert_eq!(seen, expected);

    // A word in every entry, with a first window (PostgreSQL: twice the threshold, 6 entries) too small for
    // a page of 10: the wider window fills it, with the same newest-first result.
    activity::set_common_word_threshold(3);
    let page = activity::search(&db, a, &search("winkel"), None, 10).await.unwrap();
    let newest: Vec<Uuid> = (20..30).rev().map(|i| ids[0][i]).collect();
    assert_eq!(found(page), newest);
    activity::set_common_word_threshold(1);

    if db.backend() == Backend::Sqlite {
        let plan = activity::explain_search(&db, a, &search("timeout"), 50)
            .await
            .unwrap()
            .join("\n");
        assert!(
            plan.contains("journal_by_tenant_time") && plan.contains("journal_fts"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "no sort: {plan}");
    }
}
