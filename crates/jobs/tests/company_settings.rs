//! One settings model against a real database (SQLite, or PostgreSQL when KOPPEL_TEST_DATABASE_URL is set): a
//! company-wide setting saved with any flow is every flow's, audited once; companies from before the company
//! settings get theirs from their flows when the database is migrated, disagreements kept from the orders
//! flow and written to the audit log.

use koppel_core::FlowKind;
use koppel_jobs::settings::{self, COMPANY_AREA, MIGRATION_ACTOR};
use koppel_store::flows::{self, FlowConfig};
use koppel_store::test_support::{TestDatabase, company};
use koppel_store::{Db, TenantScope, audit, company_settings};
use koppel_sync::settings::{FlowSettings, StockCalculation};
use koppel_testkit::wizard_settings;
use serde_json::{Value, json};

#[tokio::test]
async fn a_company_setting_saved_with_one_flow_is_every_flows_and_audited_once() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = company(&db, "one@shop.nl").await;
    let other = company(&db, "two@shop.nl").await;

    let mut orders = wizard_settings();
    let config = settings::flow_config(&db, &scope, FlowKind::Orders).await.unwrap();
    settings::save(&db, &scope, "one@shop.nl", config, &orders, 1)
        .await
        .unwrap();
    assert_eq!(
        settings::load(&db, &scope, FlowKind::Stock).await.unwrap().company,
        orders.company,
        "the stock flow, never saved, has the company's settings"
    );
    assert_eq!(
        settings::load(&db, &other, FlowKind::Stock).await.unwrap(),
        FlowSettings::default(),
        "another company's are its own"
    );

    // The stock flow saved with its own choice and a new warehouse: the orders flow has the warehouse too,
    // and keeps its own settings.
    let mut stock = settings::load(&db, &scope, FlowKind::Stock).await.unwrap();
    stock.stock_calculation = StockCalculation::OnHand;
    stock.company.warehouse = Some("02".into());
    let config = settings::flow_config(&db, &scope, FlowKind::Stock).await.unwrap();
    settings::save(&db, &scope, "one@shop.nl", config, &stock, 2)
        .await
        .unwrap();
    let now_orders = settings::load(&db, &scope, FlowKind::Orders).await.unwrap();
    assert_eq!(now_orders.company.warehouse.as_deref(), Some("02"));
    assert_eq!(
        now_orders.stock_calculation,
        StockCalculation::Free,
        "own settings stay the flow's"
    );
    orders.company.warehouse = Some("02".into());
    assert_eq!(now_orders, orders);

    // The flow's row holds only its own settings.
    let row = flows::get(&db, &scope, FlowKind::Stock).await.unwrap().unwrap();
    assert!(row.settings.get("warehouse").is_none(), "{}", row.settings);
    assert_eq!(row.settings["stock_calculation"], "on_hand");

    let log = audit::list(&db, &scope, 50).await.unwrap();
    let warehouse: Vec<_> = log
        .iter()
        .filter(|e| e.changes.iter().any(|c| c.field.ends_with("warehouse")))
        .collect();
    assert_eq!(warehouse.len(), 2, "set once, changed once: {log:?}");
    assert!(warehouse.iter().all(|e| e.area == COMPANY_AREA));
    assert_eq!(warehouse[0].changes[0].before, json!("01"));
    assert_eq!(warehouse[0].changes[0].after, json!("02"));
    let stock_entry = log.iter().find(|e| e.area == "flow/stock").unwrap();
    assert!(
        stock_entry
            .changes
            .iter()
            .any(|c| c.field == "settings.stock_calculation")
    );
    assert!(
        !stock_entry.changes.iter().any(|c| c.field.contains("warehouse")),
        "the company's change is not repeated per flow"
    );
}

/// Writes a flow's settings as Koppel stored them before the company settings: the whole flat document.
async fn old_flow(db: &Db, scope: &TenantScope, flow: FlowKind, settings: Value) {
    let config = FlowConfig {
        flow,
        enabled: true,
        schedule: flows::DEFAULT_SCHEDULE.to_owned(),
        settings,
        cursor: Some(7),
        next_run_at_ms: Some(1_000),
    };
    flows::save(db, scope, &config, 1).await.unwrap();
    flows::set_cursor(db, scope, flow, 7).await.unwrap();
}

#[tokio::test]
async fn migrating_keeps_every_choice_and_notes_where_flows_disagreed() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = company(&db, "old@shop.nl").await;
    let untouched = company(&db, "new@shop.nl").await;

    let flat = |f: &dyn Fn(&mut FlowSettings)| {
        let mut settings = wizard_settings();
        f(&mut settings);
        serde_json::to_value(settings).unwrap()
    };
    old_flow(
        &db,
        &scope,
        FlowKind::Orders,
        flat(&|s| s.order_filter = Default::default()),
    )
    .await;
    old_flow(
        &db,
        &scope,
        FlowKind::Stock,
        flat(&|s| {
            s.company.warehouse = Some("02".into());
            s.company.stock_branch = Some("3".into());
            s.stock_calculation = StockCalculation::OnHand;
        }),
    )
    .await;
    old_flow(
        &db,
        &scope,
        FlowKind::Products,
        flat(&|s| {
            s.company.warehouse = Some("03".into());
            s.company.numeric_item_codes = true;
        }),
    )
    .await;

    // What `koppel migrate`, `serve` and `worker` run at start-up.
    let db = settings::connect_and_migrate(&database.url).await.unwrap();

    let company = settings::company(&db, &scope).await.unwrap();
    assert_eq!(
        company.warehouse.as_deref(),
        Some("01"),
        "the orders flow's value is kept"
    );
    assert_eq!(company.stock_branch.as_deref(), Some("3"), "set by the stock flow only");
    assert!(company.numeric_item_codes, "set by the products flow only");
    assert_eq!(company.payment_method_map, wizard_settings().company.payment_method_map);

    // Every flow now runs with the company's settings and its own.
    let stock = settings::load(&db, &scope, FlowKind::Stock).await.unwrap();
    assert_eq!(stock.company, company);
    assert_eq!(stock.stock_calculation, StockCalculation::OnHand);
    let row = flows::get(&db, &scope, FlowKind::Stock).await.unwrap().unwrap();
    assert!(row.settings.get("warehouse").is_none(), "{}", row.settings);
    assert_eq!(
        (row.enabled, row.cursor),
        (true, Some(7)),
        "the rest of the flow is untouched"
    );

    let log = audit::list(&db, &scope, 50).await.unwrap();
    assert!(log.iter().all(|e| e.actor == MIGRATION_ACTOR && e.area == COMPANY_AREA));
    let fields: Vec<&str> = log.iter().map(|e| e.changes[0].field.as_str()).collect();
    let mut sorted = fields.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["numeric_item_codes", "stock_branch", "warehouse"],
        "one entry per field"
    );
    let warehouse = &log.iter().find(|e| e.changes[0].field == "warehouse").unwrap().changes[0];
    assert_eq!(warehouse.after, json!("01"));
    assert_eq!(warehouse.before, json!({"products": "03", "stock": "02"}));

    // A company that never had flows gets the defaults; nothing is noted.
    assert_eq!(
        company_settings::get(&db, &untouched).await.unwrap(),
        Some(serde_json::to_value(FlowSettings::default().company).unwrap())
    );
    assert!(audit::list(&db, &untouched, 10).await.unwrap().is_empty());

    // Migrating again changes nothing.
    assert_eq!(settings::adopt_flow_settings(&db).await.unwrap(), 0);
    assert_eq!(audit::list(&db, &scope, 50).await.unwrap().len(), log.len());
    assert_eq!(settings::company(&db, &scope).await.unwrap(), company);
}
