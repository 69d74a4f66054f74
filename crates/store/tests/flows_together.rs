//! What lets a company's flows work together, against a real database (SQLite, or PostgreSQL when
//! KOPPEL_TEST_DATABASE_URL is set): master-data claims and the order runs queued together start in.

use koppel_core::FlowKind;
use koppel_store::claims::{self, Claim, ClaimKind, Holder};
use koppel_store::runs::{self, Counts, RunStatus};
use koppel_store::test_support::{TestDatabase, company};
use koppel_store::{TenantScope, now};

#[tokio::test]
async fn a_key_is_claimed_by_one_holder_at_a_time_and_names_its_record_after() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let shop = company(&db, "owner@claims.nl").await;
    let other_shop = company(&db, "owner@other.nl").await;
    let (debtor, key) = (ClaimKind::Debtor, "ann@shop.nl");
    let holder = |name| Holder {
        name,
        lease_owner: None,
        hold_ms: 1_000,
    };
    let claim = |scope: &TenantScope, name: &'static str, at: i64| {
        let (db, scope) = (db.clone(), scope.clone());
        async move {
            claims::claim(&db, &scope, debtor, key, &holder(name), at)
                .await
                .unwrap()
        }
    };

    assert_eq!(claim(&shop, "a", 10_000).await, Claim::Won { fresh: true });
    assert_eq!(claim(&shop, "b", 10_100).await, Claim::Busy, "held by a");
    assert_eq!(
        claim(&shop, "a", 10_100).await,
        Claim::Busy,
        "not twice, even by its holder"
    );
    assert_eq!(
        claim(&other_shop, "b", 10_100).await,
        Claim::Won { fresh: true },
        "claims are per company"
    );
    assert_eq!(
        claims::claim(&db, &shop, ClaimKind::Article, key, &holder("b"), 10_100)
            .await
            .unwrap(),
        Claim::Won { fresh: true },
        "and per kind"
    );

    // a stops without a word: its claim lapses and b takes it over, not fresh (a may have created it).
    assert_eq!(claim(&shop, "b", 11_001).await, Claim::Won { fresh: false });
    // a comes back too late: it cannot complete b's claim.
    claims::complete(&db, &shop, debtor, key, "a", "10001", 11_100)
        .await
        .unwrap();
    assert_eq!(claim(&shop, "c", 11_200).await, Claim::Busy);
    claims::complete(&db, &shop, debtor, key, "b", "10002", 11_300)
        .await
        .unwrap();
    assert_eq!(claim(&shop, "c", 11_400).await, Claim::Created("10002".into()));

    // The record was deleted in AFAS: one finder re-creates it.
    assert!(
        !claims::reclaim_created(&db, &shop, debtor, key, "10001", &holder("c"), 11_500)
            .await
            .unwrap()
    );
    assert!(
        claims::reclaim_created(&db, &shop, debtor, key, "10002", &holder("c"), 11_500)
            .await
            .unwrap()
    );
    assert!(
        !claims::reclaim_created(&db, &shop, debtor, key, "10002", &holder("d"), 11_500)
            .await
            .unwrap()
    );
    assert_eq!(claim(&shop, "d", 11_600).await, Claim::Busy);

    // A failed create releases the key for the next creator at once.
    claims::release(&db, &shop, debtor, key, "c").await.unwrap();
    assert_eq!(claim(&shop, "d", 11_700).await, Claim::Won { fresh: true });

    assert_eq!(
        claims::prune(&db, 11_650).await.unwrap(),
        2,
        "the other company's and the article claim"
    );
    assert_eq!(claim(&shop, "e", 11_800).await, Claim::Busy, "d's recent claim is kept");
}

#[tokio::test]
async fn a_claim_made_in_a_run_is_free_once_its_process_holds_no_live_lease() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let shop = company(&db, "owner@lease.nl").await;
    let at = now().timestamp_millis();
    let run = runs::create(&db, &shop, FlowKind::Orders, "schedule", at)
        .await
        .unwrap();
    let lease = runs::acquire(&db, &shop, run, "worker-1", 60_000, at)
        .await
        .unwrap()
        .unwrap();
    let in_run = Holder {
        name: "target-1",
        lease_owner: Some("worker-1"),
        hold_ms: 120_000,
    };
    let other = Holder {
        name: "target-2",
        lease_owner: Some("worker-2"),
        hold_ms: 120_000,
    };
    let (kind, key) = (ClaimKind::Article, "100001");
    assert_eq!(
        claims::claim(&db, &shop, kind, key, &in_run, at).await.unwrap(),
        Claim::Won { fresh: true }
    );
    assert_eq!(
        claims::claim(&db, &shop, kind, key, &other, at + 1).await.unwrap(),
        Claim::Busy,
        "worker-1 holds a live lease"
    );
    // worker-1 is killed: its lease runs out, long before the claim's own two minutes.
    lease.renew(&db, &shop, at - 60_000).await.unwrap();
    assert_eq!(
        claims::claim(&db, &shop, kind, key, &other, at + 2).await.unwrap(),
        Claim::Won { fresh: false },
        "taken over at once, to be looked up before it is created"
    );
}

#[tokio::test]
async fn runs_queued_together_start_in_run_order() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = company(&db, "owner@order.nl").await;
    let other = company(&db, "owner@elsewhere.nl").await;
    let at = 1_000;
    let stock = runs::create(&db, &scope, FlowKind::Stock, "setup", at).await.unwrap();
    let orders = runs::create(&db, &scope, FlowKind::Orders, "setup", at).await.unwrap();
    let products = runs::create(&db, &scope, FlowKind::Products, "setup", at)
        .await
        .unwrap();
    let elsewhere = runs::create(&db, &other, FlowKind::Orders, "setup", at).await.unwrap();

    assert!(
        runs::acquire(&db, &scope, orders, "w", 60_000, at)
            .await
            .unwrap()
            .is_none()
    );
    assert!(runs::is_waiting(&db, &scope, orders).await.unwrap());
    assert!(runs::is_waiting(&db, &scope, stock).await.unwrap());
    assert!(!runs::is_waiting(&db, &scope, products).await.unwrap());
    assert!(
        runs::acquire(&db, &other, elsewhere, "w", 60_000, at)
            .await
            .unwrap()
            .is_some(),
        "another company's runs do not wait"
    );
    let ready: Vec<_> = runs::ready_queued(&db, &scope, at + 30)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ready, vec![products]);

    let lease = runs::acquire(&db, &scope, products, "w", 60_000, at)
        .await
        .unwrap()
        .unwrap();
    assert!(
        runs::is_waiting(&db, &scope, orders).await.unwrap(),
        "still, while products runs"
    );
    lease
        .finish(&db, &scope, RunStatus::Succeeded, &Counts::default(), None, at + 5)
        .await
        .unwrap();
    let ready: Vec<_> = runs::ready_queued(&db, &scope, at + 30)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ready, vec![orders], "orders next; stock still waits for orders");
    assert!(
        runs::acquire(&db, &scope, stock, "w", 60_000, at + 6)
            .await
            .unwrap()
            .is_none()
    );
    let orders_lease = runs::acquire(&db, &scope, orders, "w", 60_000, at + 6)
        .await
        .unwrap()
        .unwrap();

    // A products run queued after the waiting stock run does not hold it back once orders ended.
    let later = runs::create(&db, &scope, FlowKind::Products, "schedule", at + 10)
        .await
        .unwrap();
    orders_lease
        .finish(&db, &scope, RunStatus::Succeeded, &Counts::default(), None, at + 20)
        .await
        .unwrap();
    let ready: Vec<_> = runs::ready_queued(&db, &scope, at + 30)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ready, vec![stock, later]);
    assert_eq!(
        runs::ready_queued(&db, &scope, at + 5).await.unwrap().len(),
        1,
        "a run due later (a transient stop's retry) is not woken early"
    );
}

#[tokio::test]
async fn a_company_runs_at_most_its_cap_at_once_and_the_next_starts_when_one_ends() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = company(&db, "owner@busy.nl").await;
    let other = company(&db, "owner@quiet.nl").await;
    let at = 1_000;
    // Queued one after the other in reverse run order, so no run waits for an earlier flow: only the cap holds.
    let mut queued = Vec::new();
    for (n, flow) in FlowKind::RUN_ORDER.iter().rev().enumerate() {
        queued.push(runs::create(&db, &scope, *flow, "manual", at + n as i64).await.unwrap());
    }
    let cap = runs::MAX_RUNNING_PER_COMPANY as usize;
    let mut leases = Vec::new();
    for (n, run) in queued.iter().enumerate() {
        let lease = runs::acquire(&db, &scope, *run, "w", 60_000, at + 10).await.unwrap();
        assert_eq!(lease.is_some(), n < cap, "run {n} of {}", queued.len());
        if let Some(lease) = lease {
            leases.push(lease);
        } else {
            assert!(runs::is_waiting(&db, &scope, *run).await.unwrap(), "it waits, queued");
        }
    }
    // Another company is not held back by this one.
    let elsewhere = runs::create(&db, &other, FlowKind::Orders, "manual", at).await.unwrap();
    assert!(
        runs::acquire(&db, &other, elsewhere, "w", 60_000, at + 10)
            .await
            .unwrap()
            .is_some()
    );

    let done = leases.remove(0);
    assert!(
        done.finish(&db, &scope, RunStatus::Succeeded, &Counts::default(), None, at + 20)
            .await
            .unwrap()
    );
    let ready = runs::ready_queued(&db, &scope, at + 30).await.unwrap();
    assert_eq!(ready.len(), queued.len() - cap, "every waiting run may try again");
    let started: Vec<bool> = {
        let mut started = Vec::new();
        for run in &ready {
            started.push(
                runs::acquire(&db, &scope, run.id, "w", 60_000, at + 30)
                    .await
                    .unwrap()
                    .is_some(),
            );
        }
        started
    };
    assert_eq!(
        started.iter().filter(|s| **s).count(),
        1,
        "one place was freed: {started:?}"
    );
}
