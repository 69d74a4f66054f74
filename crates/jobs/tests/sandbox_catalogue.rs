//! Products, stock and customers with the real adapters against the sandbox; the connection tests; and the
//! job queue's real connectors opening a tenant's stored credentials, with the store's journal.

mod sandbox_support;

use koppel_core::FlowKind;
use koppel_jobs::connect::{ClientConnectors, test_afas, test_mplus};
use koppel_jobs::credentials::{AfasCredentials, ConnectionTest};
use koppel_jobs::executor::Connectors;
use koppel_jobs::journal::StoreJournal;
use koppel_store::secrets::SecretBox;
use koppel_store::test_support::TestDatabase;
use koppel_store::{Db, TenantScope, runs};
use koppel_sync::engine::run_flow;
use koppel_sync::ports::{ErrorClass, Outcome};
use koppel_testkit::FakeJournal;
use sandbox_support::{
    System, World, afas_credentials, body, mplus_credentials, save_flow, settings, store_credentials, tenant,
    test_options, with_articles,
};
use serde_json::json;

#[tokio::test]
async fn products_with_update_off_leave_an_enriched_afas_article_untouched() {
    let world = World::start(10).await;
    with_articles(&world).await;
    let enriched = json!({"itemCode": "100001", "description": "Enriched in AFAS"});
    world.post_control(System::Afas, "articles", enriched).await;
    world.clear_journal(System::Afas).await;

    // The whole catalogue again (a fresh cursor), update product info off (the default).
    let report = world
        .run(FlowKind::Products, &settings(), &FakeJournal::default())
        .await
        .unwrap();
    assert_eq!(report.counts.created + report.counts.updated, 0, "{report:?}");
    assert!(
        world.afas_writes(None).await.is_empty(),
        "an existing article was written"
    );
    let description = |rows: Vec<serde_json::Value>| {
        rows.into_iter()
            .find(|row| row["ItemCode"] == "100001")
            .map(|row| row["Description"].clone())
    };
    let rows = world.rows("Profit_Article", "ItemCode").await;
    assert_eq!(description(rows), Some(json!("Enriched in AFAS")));

    // Switched on, the same run updates it from MplusKASSA.
    let mut update_on = settings();
    update_on.update_product_info = true;
    let report = world
        .run(FlowKind::Products, &update_on, &FakeJournal::default())
        .await
        .unwrap();
    assert!(report.counts.updated > 0, "{report:?}");
    let rows = world.rows("Profit_Article", "ItemCode").await;
    assert_ne!(description(rows), Some(json!("Enriched in AFAS")));
}

#[tokio::test]
async fn stock_run_twice_writes_once() {
    let world = World::start(10).await;
    with_articles(&world).await;
    world.clear_journal(System::Afas).await;
    let first = world
        .run(FlowKind::Stock, &settings(), &FakeJournal::default())
        .await
        .unwrap();
    assert_eq!(first.counts.failed, 0, "{first:?}");
    let mutations = world.afas_writes(Some("FbStockMutation")).await;
    assert!(
        !mutations.is_empty() && mutations.iter().all(|m| m.status == 201),
        "{mutations:?}"
    );
    assert_eq!(mutations.len() as u64, first.counts.updated);

    world.clear_journal(System::Afas).await;
    let second = world
        .run(FlowKind::Stock, &settings(), &FakeJournal::default())
        .await
        .unwrap();
    assert_eq!(second.counts.updated, 0, "{second:?}");
    assert!(
        world.afas_writes(None).await.is_empty(),
        "the second stock run wrote to AFAS"
    );
}

#[tokio::test]
async fn customers_become_organisations_or_persons_once() {
    let world = World::start(40).await;
    let journal = FakeJournal::default();
    let report = world.run(FlowKind::Customers, &settings(), &journal).await.unwrap();
    assert_eq!(
        report.counts.failed,
        0,
        "{:?}",
        journal.entries().iter().find(|e| e.outcome == Outcome::Failed)
    );
    let writes = world.afas_writes(None).await;
    let (creates, others): (Vec<_>, Vec<_>) = writes.iter().partition(|w| w.method == "POST");
    let created_by = |connector: &str| {
        creates
            .iter()
            .filter(|w| w.operation.as_deref() == Some(connector))
            .count()
    };
    let (organisations, persons) = (created_by("KnSalesRelationOrg"), created_by("KnSalesRelationPer"));
    assert!(organisations > 0 && persons > 0, "{organisations} {persons}");
    assert_eq!((organisations + persons) as u64, report.counts.created);
    // Besides the creates, only the delivery addresses of relations that have one of their own.
    assert!(
        others.iter().all(|w| w.method == "PUT" && w.body.contains("\"AFL\"")),
        "{others:?}"
    );
    let created = writes.first().map(body).unwrap();
    assert!(
        created.to_string().contains("\"ToAc\""),
        "revenue account on the debtor: {created}"
    );

    // Everything again from the start: AFAS already has them all, unchanged.
    world.clear_journal(System::Afas).await;
    let again = world
        .run(FlowKind::Customers, &settings(), &FakeJournal::default())
        .await
        .unwrap();
    assert_eq!(again.counts.created + again.counts.updated, 0, "{again:?}");
    assert!(world.afas_writes(None).await.is_empty());
}

#[tokio::test]
async fn connection_tests_speak_plain_words() {
    let world = World::start(10).await;
    let good = test_mplus(&mplus_credentials(&world.sandbox)).await;
    assert!(good.ok && good.message.contains("67.1.3"), "{good:?}");
    let mut wrong_secret = mplus_credentials(&world.sandbox);
    wrong_secret.secret = "nope".into();
    let refused = test_mplus(&wrong_secret).await;
    assert!(
        !refused.ok && refused.message.contains("ident or secret"),
        "{refused:?}"
    );
    let mut wrong_port = mplus_credentials(&world.sandbox);
    wrong_port.url = "http://127.0.0.1:9/".into();
    let unreachable = test_mplus(&wrong_port).await;
    assert!(
        !unreachable.ok && unreachable.message.contains("port"),
        "{unreachable:?}"
    );

    let moved = json!({"kind": "redirect", "location": "https://api.example.nl:44281/?ident=x", "times": 1});
    world.post_control(System::Mplus, "faults", moved).await;
    let redirected = test_mplus(&mplus_credentials(&world.sandbox)).await;
    assert!(
        !redirected.ok
            && redirected
                .message
                .contains("redirects to https://api.example.nl:44281/."),
        "{redirected:?}"
    );

    let afas = test_afas(&afas_credentials(&world.sandbox)).await;
    assert!(afas.ok && afas.message.contains("IP"), "{afas:?}");
    let bad_token = AfasCredentials {
        token: "00".repeat(32),
        ..afas_credentials(&world.sandbox)
    };
    let refused = test_afas(&bad_token).await;
    assert!(!refused.ok && refused.message.contains("App connector"), "{refused:?}");
    let allowed = json!({"connectors": ["Profit_Debtor", "Profit_Article"]});
    world.post_control(System::Afas, "allowed-connectors", allowed).await;
    let incomplete: ConnectionTest = test_afas(&afas_credentials(&world.sandbox)).await;
    assert!(
        !incomplete.ok && incomplete.message.contains("Profit_Salesorders"),
        "{incomplete:?}"
    );
    assert_eq!(incomplete.details["missing"].as_array().map(Vec::len), Some(4));
}

async fn save_orders_settings(db: &Db, scope: &TenantScope) {
    save_flow(db, scope, FlowKind::Orders, &settings()).await;
}

#[tokio::test]
async fn stored_credentials_open_the_real_clients_and_the_store_journal_keeps_it_exactly_once() {
    let world = World::start(30).await;
    with_articles(&world).await;
    let database = TestDatabase::create().await.unwrap();
    let db = database.connect().await.unwrap();
    let scope = tenant(&db).await;
    let secrets = SecretBox::new(&[7u8; 32]).unwrap();
    let connectors = ClientConnectors::with_options(secrets.clone(), test_options());

    let missing = connectors.open(&db, &scope).await.err().expect("no credentials yet");
    assert_eq!(missing.class, ErrorClass::Permanent);
    assert!(
        missing.message.contains("MplusKASSA is not connected"),
        "{}",
        missing.message
    );

    store_credentials(&db, &secrets, &scope, &world.sandbox).await;
    save_orders_settings(&db, &scope).await;

    for attempt in 0..2 {
        world.clear_journal(System::Afas).await;
        let (source, target) = connectors.open(&db, &scope).await.unwrap();
        let journal = StoreJournal::start_run(db.clone(), scope.clone(), FlowKind::Orders, "test")
            .await
            .unwrap();
        let run = journal.lease().run;
        let report = run_flow(FlowKind::Orders, &settings(), &source, &target, &journal)
            .await
            .unwrap();
        let now = koppel_store::now().timestamp_millis();
        runs::finish(
            &db,
            &scope,
            run,
            runs::RunStatus::Succeeded,
            &journal.counts(),
            None,
            now,
        )
        .await
        .unwrap();
        let writes = world.afas_writes(None).await;
        if attempt == 0 {
            assert!(report.counts.created > 0 && report.counts.failed == 0, "{report:?}");
        } else {
            assert!(writes.is_empty(), "a second run wrote: {writes:?}");
        }
    }
    let booked = world.booked_references().await;
    assert_eq!(booked.len(), world.expected_orders().len());
    assert!(booked.values().all(|count| *count == 1), "{booked:?}");
}

/// What the accountant sets on a debtor in Profit: a PUT that names only these fields.
async fn accountant_sets_terms(world: &World, debtor: &serde_json::Value, organisation: bool) {
    let (connector, party) = match organisation {
        true => ("KnSalesRelationOrg", "KnOrganisation"),
        false => ("KnSalesRelationPer", "KnPerson"),
    };
    let terms = json!({connector: {"Element": {
        "Fields": {"DbId": debtor["DebtorId"], "PaCd": "30", "ColA": "1600", "ToAc": "8400", "VaDu": "2"},
        "Objects": [{party: {"Element": {"Fields": {"BcId": 0, "BcCo": debtor["BcCo"]}}}}]}}});
    world.write_afas(reqwest::Method::PUT, connector, terms).await;
}

#[tokio::test]
async fn a_customer_update_changes_only_what_koppel_owns_and_afas_keeps_the_accountants_values() {
    let world = World::start(10).await;
    let journal = FakeJournal::default();
    let first = world.run(FlowKind::Customers, &settings(), &journal).await.unwrap();
    assert_eq!(first.counts.failed, 0, "{first:?}");
    let shop = world.shop();
    let with_address = |company: bool| {
        shop.relations
            .iter()
            .find(|r| r.email.is_some() && r.address.is_some() && r.company_name.is_some() == company)
            .expect("a relation with e-mail and address")
    };
    for relation in [with_address(true), with_address(false)] {
        let email = relation.email.as_deref().unwrap().to_lowercase();
        let find = |rows: Vec<serde_json::Value>| {
            rows.into_iter()
                .find(|row| row["Email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(&email)))
                .expect("the customer's debtor")
        };
        let debtor = find(world.rows("Profit_Debtor", "DebtorId").await);
        accountant_sets_terms(&world, &debtor, relation.company_name.is_some()).await;

        // The customer moves in MplusKASSA; the next run updates the debtor.
        let moved = json!({"relationNumber": relation.number,
            "fields": {"address": "Nieuwe Weg 7", "zipcode": "3511 AA", "city": "Utrecht"}});
        world.post_control(System::Mplus, "relation", moved).await;
        world.clear_journal(System::Afas).await;
        let report = world.run(FlowKind::Customers, &settings(), &journal).await.unwrap();
        assert_eq!((report.counts.updated, report.counts.failed), (1, 0), "{report:?}");

        let writes = world.afas_writes(None).await;
        assert_eq!(writes.len(), 1, "{writes:?}");
        let sent = body(&writes[0]);
        let connector = writes[0].operation.clone().unwrap();
        let fields = sent[&connector]["Element"]["Fields"].as_object().unwrap();
        for field in ["PaCd", "ColA", "ToAc", "VaDu", "CuId", "CdDa"] {
            assert!(!fields.contains_key(field), "the update sent {field}: {sent}");
        }
        let after = find(world.rows("Profit_Debtor", "DebtorId").await);
        assert_eq!(after["DebtorId"], debtor["DebtorId"]);
        assert_eq!(after["AdressLine1"], "Nieuwe Weg 7", "the address is Koppel's: {after}");
        let place = after["AdressLine3"].as_str().unwrap();
        assert!(place.starts_with("3511 AA") && place.ends_with("Utrecht"), "{after}");
        assert_eq!(after["PayCon"], "30", "the accountant's payment terms stay: {after}");
        assert_eq!(after["CollectAccount"], "1600", "{after}");
        assert_eq!(after["VatDuty"], "2", "{after}");
        assert_eq!(after["CurrencyId"], debtor["CurrencyId"], "{after}");
        assert_eq!(after["DebtorName"], debtor["DebtorName"], "{after}");
        assert_eq!(after["TelNr"], debtor["TelNr"], "{after}");
    }
}
