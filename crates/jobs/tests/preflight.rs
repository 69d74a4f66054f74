//! The preflight at run start: the executor, a real database, the tenant's stored credentials opening the real
//! clients against the sandbox over real sockets. Settings that became unworkable after the flow was switched
//! on fail the run at once with one error naming each problem, and no record is journaled or written.

mod sandbox_support;

use koppel_core::{Email, FlowKind};
use koppel_jobs::connect::ClientConnectors;
use koppel_jobs::{Delivery, Executor, RunFlowJob};
use koppel_store::runs::{self, RunStatus};
use koppel_store::secrets::SecretBox;
use koppel_store::test_support::TestDatabase;
use koppel_store::{Db, TenantScope, accounts, journal, tenants};
use koppel_sync::settings::FlowSettings;
use sandbox_support::{System, World, sandbox_executor, save_flow, settings, store_credentials, with_articles};
use serde_json::json;

struct Shop {
    _database: TestDatabase,
    db: Db,
    scope: TenantScope,
    executor: Executor<ClientConnectors>,
}

/// A tenant connected to the sandbox, and the executor the worker would use.
async fn connected_shop(world: &World) -> Shop {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let email = Email::parse("preflight@example.nl").unwrap();
    let signup = accounts::sign_up(&db, &email, "hash", "Shop", koppel_store::now())
        .await
        .unwrap();
    let scope = tenants::resolve_scope(&db, signup.user_id, signup.tenant_id)
        .await
        .unwrap()
        .unwrap();
    let secrets = SecretBox::new(&[9u8; 32]).unwrap();
    store_credentials(&db, &secrets, &scope, &world.sandbox).await;
    let executor = sandbox_executor(&db, secrets).await;
    Shop {
        _database: database,
        db,
        scope,
        executor,
    }
}

impl Shop {
    /// Stores the flow's settings (switched on, as the scheduler would find it) and executes one run of it.
    async fn run(&self, flow: FlowKind, settings: &FlowSettings) -> (Delivery, runs::Run) {
        save_flow(&self.db, &self.scope, flow, settings).await;
        let run_id = runs::create(&self.db, &self.scope, flow, "test", 0).await.unwrap();
        let job = RunFlowJob {
            tenant_id: self.scope.tenant_id(),
            flow,
            run_id,
        };
        let delivery = self.executor.execute(&job).await.unwrap();
        let run = runs::get(&self.db, &self.scope, run_id).await.unwrap().unwrap();
        (delivery, run)
    }

    async fn entries(&self, run: &runs::Run) -> usize {
        journal::entries_of_run(&self.db, &self.scope, run.id)
            .await
            .unwrap()
            .len()
    }
}

#[tokio::test]
async fn settings_made_invalid_after_enabling_fail_the_run_once_before_any_record() {
    let world = World::start(20).await;
    with_articles(&world).await;
    let shop = connected_shop(&world).await;

    // A warehouse AFAS does not have: without the preflight every SKU failed on its own stock mutation.
    world.clear_journal(System::Afas).await;
    let mut stock = settings();
    stock.company.warehouse = Some("99".into());
    let (delivery, run) = shop.run(FlowKind::Stock, &stock).await;
    assert_eq!(delivery, Delivery::Finished(RunStatus::Failed), "{run:?}");
    let error = run.error.clone().unwrap_or_default();
    assert!(
        error.contains("`warehouse`") && error.contains("`99` does not exist in AFAS (Profit_Warehouses)"),
        "{error}"
    );
    assert_eq!(shop.entries(&run).await, 0, "no record is journaled");
    assert_eq!((run.created, run.updated, run.failed), (0, 0, 0));
    assert!(world.afas_writes(None).await.is_empty(), "nothing is written to AFAS");
    let reads = world.journal(System::Afas).await.len();
    assert!(reads <= 2, "the check costs one call per list: {reads} AFAS calls");

    // Orders: a setting gone and a mapping to a VAT code AFAS lacks, both named in the one error.
    let mut orders = settings();
    orders.company.default_debtor = None;
    orders
        .company
        .vat_code_by_country
        .table
        .insert("NL:21".into(), "NL-HOOG".into());
    let (delivery, run) = shop.run(FlowKind::Orders, &orders).await;
    assert_eq!(delivery, Delivery::Finished(RunStatus::Failed), "{run:?}");
    let error = run.error.clone().unwrap_or_default();
    assert!(error.contains("`default_debtor` not set"), "{error}");
    assert!(
        error.contains("`vat_code_by_country`") && error.contains("`NL-HOOG` does not exist"),
        "{error}"
    );
    assert_eq!(shop.entries(&run).await, 0);
    assert!(world.afas_writes(None).await.is_empty());

    // Settings stored with the withdrawn variant mode load, and the products run stops at once naming it.
    let mut products = settings();
    products.company.variant_mode = koppel_sync::settings::VariantMode::Dimensions;
    let (delivery, run) = shop.run(FlowKind::Products, &products).await;
    assert_eq!(delivery, Delivery::Finished(RunStatus::Failed), "{run:?}");
    let error = run.error.clone().unwrap_or_default();
    assert!(
        error.contains("`variant_mode`") && error.contains("separate_articles"),
        "{error}"
    );
    assert!(world.afas_writes(None).await.is_empty());

    // The same flow with its settings repaired runs as before.
    let (delivery, run) = shop.run(FlowKind::Stock, &settings()).await;
    assert_eq!(delivery, Delivery::Finished(RunStatus::Succeeded), "{run:?}");
    assert!(shop.entries(&run).await > 0 && run.failed == 0, "{run:?}");
}

#[tokio::test]
async fn an_afas_that_does_not_answer_the_check_puts_the_run_back_in_the_queue() {
    let world = World::start(5).await;
    let shop = connected_shop(&world).await;
    world
        .fault(
            System::Afas,
            json!({"operation": "Profit_Warehouses", "kind": "unavailable", "retry_after": 1, "times": 10}),
        )
        .await;
    let (delivery, run) = shop.run(FlowKind::Stock, &settings()).await;
    assert!(matches!(delivery, Delivery::Requeued(_)), "{delivery:?} {run:?}");
    assert_eq!(run.status, RunStatus::Queued);
    assert!(run.error.unwrap_or_default().contains("maintenance"));
}

/// With `discount_group_map` set, the discounts flow's check also asks AFAS for Koppel's
/// `Koppel_DiscountGroups` GetConnector and `Profit_Debtor.DiscountGroup` (the sandbox's App connector has both),
/// and the run books the debtors' discount groups.
#[tokio::test]
async fn discount_groups_are_checked_in_afas_before_the_run() {
    let world = World::start(0).await;
    let shop = connected_shop(&world).await;
    for flow in [FlowKind::Articles, FlowKind::Debtors] {
        let (delivery, run) = shop.run(flow, &settings()).await;
        assert_eq!(delivery, Delivery::Finished(RunStatus::Succeeded), "{run:?}");
    }
    let mut discounts = settings();
    discounts.company.discount_group_map.table = [("100", "1"), ("200", "2")]
        .into_iter()
        .map(|(afas, till)| (afas.to_owned(), till.to_owned()))
        .collect();
    world.clear_journal(System::Afas).await;
    let (delivery, run) = shop.run(FlowKind::Discounts, &discounts).await;
    let asked: Vec<String> = world
        .journal(System::Afas)
        .await
        .into_iter()
        .map(|entry| entry.path)
        .collect();
    assert!(
        asked
            .iter()
            .any(|path| path.contains("metainfo/get/Koppel_DiscountGroups")),
        "the check asks for the connector: {asked:?}"
    );
    // GROOT's 7.5% on article group 300 is not mapped here, so only HOR's debtor gets group discounts and
    // GROOT's fails for the unmapped group, with its reason.
    assert_eq!(
        delivery,
        Delivery::Finished(RunStatus::SucceededWithFailures),
        "{run:?}"
    );
    assert_eq!(run.failed, 1, "{run:?}");
}
