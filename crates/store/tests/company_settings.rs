//! Company settings against a real database (SQLite, or PostgreSQL when KOPPEL_TEST_DATABASE_URL is set):
//! one document per company, scoped to it, and adopted from the flows once.

use koppel_core::FlowKind;
use koppel_store::audit::{self, Change};
use koppel_store::company_settings::{self, Adoption};
use koppel_store::flows;
use koppel_store::test_support::{TestDatabase, company};
use serde_json::json;

#[tokio::test]
async fn each_company_has_one_document_of_its_own() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let a = company(&db, "a@a.nl").await;
    let b = company(&db, "b@b.nl").await;
    assert_eq!(company_settings::get(&db, &a).await.unwrap(), None);
    assert_eq!(company_settings::tenants_without(&db).await.unwrap().len(), 2);

    company_settings::save(&db, &a, &json!({"warehouse": "01"}), 1)
        .await
        .unwrap();
    company_settings::save(&db, &a, &json!({"warehouse": "02"}), 2)
        .await
        .unwrap();
    assert_eq!(
        company_settings::get(&db, &a).await.unwrap(),
        Some(json!({"warehouse": "02"})),
        "a save replaces the document"
    );
    assert_eq!(
        company_settings::get(&db, &b).await.unwrap(),
        None,
        "another company's is not seen"
    );
    assert_eq!(company_settings::tenants_without(&db).await.unwrap(), [b.tenant_id()]);
}

#[tokio::test]
async fn an_adoption_is_written_whole_and_only_once() {
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = company(&db, "c@c.nl").await;
    let config = flows::FlowConfig {
        flow: FlowKind::Stock,
        enabled: true,
        schedule: flows::DEFAULT_SCHEDULE.to_owned(),
        settings: json!({"warehouse": "01", "manage_stock": true}),
        cursor: None,
        next_run_at_ms: Some(5),
    };
    flows::save(&db, &scope, &config, 1).await.unwrap();

    let company = json!({"warehouse": "01"});
    let own = [(FlowKind::Stock, json!({"manage_stock": true}))];
    let notes = [(
        "company".to_owned(),
        vec![Change {
            field: "warehouse".into(),
            before: json!({"stock": "01"}),
            after: json!("01"),
        }],
    )];
    let adoption = Adoption {
        company: &company,
        flows: &own,
        notes: &notes,
        actor: "koppel (migration)",
    };
    assert!(company_settings::adopt(&db, &scope, &adoption, 2).await.unwrap());
    assert_eq!(company_settings::get(&db, &scope).await.unwrap(), Some(company.clone()));
    let stock = flows::get(&db, &scope, FlowKind::Stock).await.unwrap().unwrap();
    assert_eq!(stock.settings, json!({"manage_stock": true}));
    assert_eq!(
        (stock.enabled, stock.next_run_at_ms),
        (true, Some(5)),
        "only the settings change"
    );
    let log = audit::list(&db, &scope, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, "koppel (migration)");

    // A second adoption (another process starting at the same time) writes nothing.
    let other = json!({"warehouse": "99"});
    let again = Adoption {
        company: &other,
        ..adoption
    };
    assert!(!company_settings::adopt(&db, &scope, &again, 3).await.unwrap());
    assert_eq!(company_settings::get(&db, &scope).await.unwrap(), Some(company));
    assert_eq!(audit::list(&db, &scope, 10).await.unwrap().len(), 1);
}
