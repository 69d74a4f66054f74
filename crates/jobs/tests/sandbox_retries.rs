//! Automatic retries through the executor, against a real database and both simulators over real sockets:
//! records that failed for a missing setting are booked by the first normal run after the setting is saved;
//! a transient failure waits for its back-off; a permanent one is not retried by itself.

mod sandbox_support;

use std::collections::BTreeSet;

use koppel_core::FlowKind;
use koppel_jobs::connect::ClientConnectors;
use koppel_jobs::{Delivery, Executor, RunFlowJob};
use koppel_store::journal::{self, EntrySummary};
use koppel_store::runs::{self, Run, RunId, RunStatus};
use koppel_store::secrets::SecretBox;
use koppel_store::test_support::TestDatabase;
use koppel_store::{Db, TenantScope};
use koppel_sync::settings::{CompanySettings, FlowSettings, ValueMap};
use sandbox_support::{
    System, World, body, receipt_reference, sandbox_executor, save_flow, settings, store_credentials, tenant,
    with_articles,
};
use serde_json::json;

/// A tenant connected to the sandbox, with the real connectors and executor.
struct Shop {
    world: World,
    _database: TestDatabase,
    db: Db,
    scope: TenantScope,
    executor: Executor<ClientConnectors>,
}

impl Shop {
    async fn open(orders: usize) -> Self {
        let world = World::start(orders).await;
        let database = TestDatabase::create().await.unwrap();
        let db = database.connect().await.unwrap();
        let scope = tenant(&db).await;
        let secrets = SecretBox::new(&[7u8; 32]).unwrap();
        store_credentials(&db, &secrets, &scope, &world.sandbox).await;
        let executor = sandbox_executor(&db, secrets).await;
        Self {
            world,
            _database: database,
            db,
            scope,
            executor,
        }
    }

    /// Saves the flow's settings as the API and the settings page do (the flow's `updated_at_ms` moves).
    async fn save(&self, flow: FlowKind, settings: &FlowSettings) {
        // A failure journaled in this same millisecond would count as after the change.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        save_flow(&self.db, &self.scope, flow, settings).await;
    }

    /// Saves the company-wide settings as `PUT /api/v1/settings` does.
    async fn save_company(&self, company: &CompanySettings) {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let now = koppel_store::now().timestamp_millis();
        koppel_jobs::settings::save_company(&self.db, &self.scope, "test", company, now)
            .await
            .unwrap();
    }

    /// One normal run of the flow through the executor, delivered again while it is put back for a transient
    /// stop (no worker runs here), to its end.
    async fn run(&self, flow: FlowKind) -> (Run, Vec<EntrySummary>) {
        let now = koppel_store::now().timestamp_millis();
        let run_id = runs::create(&self.db, &self.scope, flow, "schedule", now)
            .await
            .unwrap();
        self.execute(flow, run_id).await
    }

    /// A retry run of these records (the dashboard's "retry"), to its end.
    async fn retry(&self, flow: FlowKind, source_ids: &[String]) -> (Run, Vec<EntrySummary>) {
        let now = koppel_store::now().timestamp_millis();
        let run_id = runs::create_retry(&self.db, &self.scope, flow, source_ids, now)
            .await
            .unwrap();
        self.execute(flow, run_id).await
    }

    async fn execute(&self, flow: FlowKind, run_id: RunId) -> (Run, Vec<EntrySummary>) {
        let job = RunFlowJob {
            tenant_id: self.scope.tenant_id(),
            flow,
            run_id,
        };
        for _ in 0..5 {
            if let Delivery::Finished(_) = self.executor.execute(&job).await.unwrap() {
                let run = runs::get(&self.db, &self.scope, run_id).await.unwrap().unwrap();
                let entries = journal::entries_of_run(&self.db, &self.scope, run_id).await.unwrap();
                return (run, entries);
            }
        }
        panic!("the run did not finish");
    }

    /// The AFAS writes of a connector that AFAS accepted since its journal was last cleared.
    async fn accepted(&self, connector: &str) -> Vec<serde_json::Value> {
        let writes = self.world.afas_writes(Some(connector)).await;
        writes.iter().filter(|w| w.status == 201).map(body).collect()
    }

    /// Makes every scheduled retry due now, as if its back-off had passed.
    async fn back_off_passed(&self) {
        let sql = "UPDATE id_map SET retry_at_ms = 0 WHERE retry_pending = TRUE AND retry_at_ms IS NOT NULL";
        match &self.db {
            Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        }
        .unwrap();
    }
}

fn failed(entries: &[EntrySummary]) -> Vec<&EntrySummary> {
    entries.iter().filter(|e| e.outcome == "failed").collect()
}

/// The order number (the AFAS reference) an order entry is about: its first search key.
fn reference(entry: &EntrySummary) -> String {
    entry.search_keys.split(' ').next().unwrap().to_owned()
}

fn references(orders: &[serde_json::Value]) -> BTreeSet<String> {
    orders
        .iter()
        .map(|order| {
            order["FbSales"]["Element"]["Fields"]["RfCs"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn orders_failed_for_a_missing_setting_are_booked_by_the_next_run_after_it_is_set() {
    let shop = Shop::open(60).await;
    with_articles(&shop.world).await;
    let without_shipping_item = FlowSettings {
        shipping_cost_item: None,
        ..settings()
    };
    shop.save(FlowKind::Orders, &without_shipping_item).await;
    shop.world.clear_journal(System::Afas).await;

    let (first, entries) = shop.run(FlowKind::Orders).await;
    let failures = failed(&entries);
    assert!(first.created > 0 && !failures.is_empty(), "{first:?}");
    assert_eq!(first.status, RunStatus::SucceededWithFailures);
    assert_eq!(failures.len() as i64, first.failed);
    for failure in &failures {
        assert_eq!(failure.failure_class.as_deref(), Some("setting"), "{failure:?}");
        assert!(failure.retryable && failure.reason.as_deref().unwrap().contains("shipping_cost_item"));
    }
    assert_eq!(shop.accepted("FbSales").await.len() as i64, first.created);
    let waiting: BTreeSet<String> = failures.iter().map(|e| reference(e)).collect();

    // Before the setting is there, a run leaves them waiting (their back-off has not passed either).
    shop.world.clear_journal(System::Afas).await;
    let (idle, _) = shop.run(FlowKind::Orders).await;
    assert_eq!((idle.created, idle.failed), (0, 0), "{idle:?}");
    assert!(shop.world.afas_writes(Some("FbSales")).await.is_empty());

    // The setting is saved; the next normal run books exactly those orders, once, without a manual retry.
    shop.save(FlowKind::Orders, &settings()).await;
    shop.world.clear_journal(System::Afas).await;
    let (next, entries) = shop.run(FlowKind::Orders).await;
    assert_eq!(references(&shop.accepted("FbSales").await), waiting);
    assert_eq!((next.created, next.failed), (waiting.len() as i64, 0), "{next:?}");
    assert_eq!(next.status, RunStatus::Succeeded);
    assert_eq!(entries.len(), waiting.len(), "only the waiting records were tried");
    let booked = shop.world.booked_references().await;
    assert!(booked.values().all(|count| *count == 1), "{booked:?}");
    assert_eq!(booked.len(), shop.world.expected_orders().len());

    // Nothing waits any more.
    shop.world.clear_journal(System::Afas).await;
    shop.back_off_passed().await;
    let (after, _) = shop.run(FlowKind::Orders).await;
    assert_eq!((after.created, after.failed), (0, 0), "{after:?}");
    assert!(shop.world.afas_writes(Some("FbSales")).await.is_empty());
}

#[tokio::test]
async fn products_wait_for_their_setting_and_a_transient_failure_for_its_back_off() {
    let shop = Shop::open(10).await;
    // A table without a fallback: enough for the preflight (the map is set), but no group of the shop is in it.
    let without_groups = FlowSettings {
        company: CompanySettings {
            article_group_map: ValueMap {
                table: [("NO-SUCH-GROUP".to_owned(), "900".to_owned())].into(),
                ..ValueMap::default()
            },
            ..settings().company
        },
        ..settings()
    };
    shop.save(FlowKind::Products, &without_groups).await;
    let (first, entries) = shop.run(FlowKind::Products).await;
    let failures = failed(&entries);
    assert!(failures.len() > 2, "{first:?}");
    assert_eq!(first.status, RunStatus::Failed, "nothing was booked: {first:?}");
    assert!(
        failures.iter().all(|e| e.failure_class.as_deref() == Some("setting")
            && e.reason.as_deref().unwrap().contains("article_group_map")),
        "{failures:?}"
    );
    let waiting: BTreeSet<String> = failures.iter().map(|e| e.source_id.clone()).collect();
    assert!(shop.world.afas_writes(Some("FbItemArticle")).await.is_empty());

    // The setting is saved (company-wide: no flow is saved, yet every flow's records waiting on a setting are
    // retried), but AFAS is in maintenance for the first article the run retries: that run stops there and
    // is delivered again, which books the others and leaves that one to its back-off.
    shop.save_company(&settings().company).await;
    shop.world.clear_journal(System::Afas).await;
    let maintenance =
        json!({"operation": "FbItemArticle", "method": "POST", "kind": "unavailable", "retry_after": 60, "times": 1});
    shop.world.fault(System::Afas, maintenance).await;
    let (next, entries) = shop.run(FlowKind::Products).await;
    let transient: Vec<&EntrySummary> = failed(&entries);
    assert_eq!(transient.len(), 1, "{entries:?}");
    assert_eq!(transient[0].failure_class.as_deref(), Some("transient"));
    let delayed = transient[0].source_id.clone();
    let created: BTreeSet<String> = shop
        .accepted("FbItemArticle")
        .await
        .iter()
        .map(|a| {
            a["FbItemArticle"]["Element"]["Fields"]["ItCd"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut others = waiting.clone();
    others.remove(&delayed);
    assert_eq!(created, others);
    assert_eq!(next.created as usize, others.len(), "{next:?}");
    assert_eq!(next.status, RunStatus::SucceededWithFailures, "one article still waits");

    // Its back-off (10 minutes after a second failure in a row) has not passed: a run leaves it waiting.
    shop.world.clear_journal(System::Afas).await;
    let (early, _) = shop.run(FlowKind::Products).await;
    assert_eq!((early.created, early.failed), (0, 0), "{early:?}");
    assert!(shop.world.afas_writes(Some("FbItemArticle")).await.is_empty());

    // Once it has, the next run creates exactly that article.
    shop.back_off_passed().await;
    let (late, entries) = shop.run(FlowKind::Products).await;
    assert_eq!((late.created, late.failed), (1, 0), "{late:?}");
    assert_eq!(entries[0].source_id, delayed);
    let written = shop.accepted("FbItemArticle").await;
    assert_eq!(written.len(), 1);
    assert_eq!(written[0]["FbItemArticle"]["Element"]["Fields"]["ItCd"], json!(delayed));
}

#[tokio::test]
async fn an_order_afas_refuses_as_it_is_is_not_retried_by_itself() {
    let shop = Shop::open(30).await;
    with_articles(&shop.world).await;
    shop.save(FlowKind::Orders, &settings()).await;
    let too_large = json!({"operation": "FbSales", "method": "POST", "kind": "status", "status": 413, "times": 1});
    shop.world.fault(System::Afas, too_large).await;
    let (first, entries) = shop.run(FlowKind::Orders).await;
    let refused = failed(&entries);
    assert_eq!(refused.len(), 1, "{first:?}");
    assert_eq!(refused[0].failure_class.as_deref(), Some("permanent"));
    assert!(!refused[0].retryable);
    let reference = reference(refused[0]);

    // Neither a settings change nor time brings it back: it needs a person.
    shop.save(FlowKind::Orders, &settings()).await;
    shop.back_off_passed().await;
    shop.world.clear_journal(System::Afas).await;
    let (next, entries) = shop.run(FlowKind::Orders).await;
    assert_eq!((next.created, next.failed), (0, 0), "{next:?}");
    assert!(entries.is_empty(), "{entries:?}");
    assert!(shop.world.afas_writes(Some("FbSales")).await.is_empty());
    assert!(!shop.world.booked_references().await.contains_key(&reference));
}

/// A receipt AFAS refuses is journaled as failed; the retry books it, once, and the next run books nothing.
#[tokio::test]
async fn a_refused_receipt_is_journaled_and_its_retry_books_it_once() {
    let shop = Shop::open(60).await;
    with_articles(&shop.world).await;
    shop.save(FlowKind::Receipts, &settings()).await;
    let refused =
        json!({"operation": "FbDirectInvoice", "method": "POST", "kind": "status", "status": 413, "times": 1});
    shop.world.fault(System::Afas, refused).await;
    let (first, entries) = shop.run(FlowKind::Receipts).await;
    let expected: BTreeSet<String> = shop.world.expected_receipts().iter().map(receipt_reference).collect();
    let failures = failed(&entries);
    assert_eq!(failures.len(), 1, "{first:?}");
    assert_eq!(
        (failures[0].flow.as_str(), failures[0].entity.as_str()),
        ("receipts", "receipt")
    );
    assert_eq!(first.created as usize, expected.len() - 1);
    assert_eq!(first.status, RunStatus::SucceededWithFailures);
    let source_id = failures[0].source_id.clone();
    let missing = reference(failures[0]);
    assert!(!shop.world.booked_references().await.contains_key(&missing));

    let (retried, entries) = shop.retry(FlowKind::Receipts, std::slice::from_ref(&source_id)).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (entries[0].source_id.as_str(), entries[0].outcome.as_str()),
        (source_id.as_str(), "created")
    );
    assert_eq!((retried.created, retried.failed), (1, 0), "{retried:?}");
    let booked = shop.world.booked_references().await;
    assert!(booked.values().all(|count| *count == 1), "{booked:?}");
    assert_eq!(booked.into_keys().collect::<BTreeSet<_>>(), expected);

    shop.world.clear_journal(System::Afas).await;
    let (after, _) = shop.run(FlowKind::Receipts).await;
    assert_eq!((after.created, after.failed), (0, 0), "{after:?}");
    assert!(shop.world.afas_writes(None).await.is_empty());
}

#[tokio::test]
async fn a_retried_product_customer_or_stock_record_is_journaled_and_counted() {
    let shop = Shop::open(10).await;
    // The products flow creates the articles (the stock flow then writes their stock).
    for flow in [FlowKind::Products, FlowKind::Customers, FlowKind::Stock] {
        shop.save(flow, &settings()).await;
        // AFAS refuses the flow's first write: that record fails for good (it needs a person's retry).
        let refused = json!({"operation": "*", "method": "POST", "kind": "status", "status": 413, "times": 1});
        shop.world.fault(System::Afas, refused).await;
        let (first, entries) = shop.run(flow).await;
        let failures = failed(&entries);
        assert_eq!(failures.len(), 1, "{flow}: {first:?} {failures:?}");
        assert_eq!(failures[0].failure_class.as_deref(), Some("permanent"), "{flow}");
        let source_id = failures[0].source_id.clone();

        shop.world.clear_journal(System::Afas).await;
        let (retried, entries) = shop.retry(flow, std::slice::from_ref(&source_id)).await;
        let written = shop.world.afas_writes(None).await;
        assert!(
            written.iter().any(|w| w.status == 201),
            "{flow}: the retry writes to AFAS"
        );
        assert_eq!(entries.len(), 1, "{flow}: the retry is journaled: {entries:?}");
        assert_eq!(entries[0].source_id, source_id);
        assert!(
            matches!(entries[0].outcome.as_str(), "created" | "updated"),
            "{flow}: {entries:?}"
        );
        assert_eq!(
            retried.created + retried.updated,
            1,
            "{flow}: the retry run counts it: {retried:?}"
        );
        assert_eq!((retried.done, retried.total), (1, 1), "{flow}: {retried:?}");
        assert_eq!(retried.status, RunStatus::Succeeded, "{flow}");
    }
}
