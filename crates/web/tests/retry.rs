//! Retrying a failed record (page and API) runs it again with fresh data, journaled as a new attempt;
//! skipping stops its retries.

mod common;

use std::sync::Arc;

use common::fakes::{Fakes, execute, executor, save_orders_flow};
use common::{PASSWORD, call, spawn_app};
use koppel_core::FlowKind;
use koppel_store::runs::{self, RunId};
use koppel_store::{Db, TenantScope, journal, tenants};
use koppel_sync::model::PaymentStatus;
use koppel_testkit::{FakePos, FaultKind, Op, generated_order, stocked_erp, wizard_settings};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

#[tokio::test]
async fn a_failed_record_is_retried_as_a_new_attempt_and_can_be_skipped() {
    let app = spawn_app().await;
    let signup = app.api_signup("retry@shop.nl", "Retry").await;
    let token = app.api_token("retry@shop.nl", PASSWORD).await;
    let db = app.state.db.clone();
    let user_id = signup["user_id"].as_str().unwrap().parse().unwrap();
    let tenant_id = signup["tenant_id"].as_str().unwrap().parse().unwrap();
    let scope = tenants::resolve_scope(&db, user_id, tenant_id).await.unwrap().unwrap();
    save_orders_flow(&db, &scope).await;

    // Two paid orders; AFAS refuses the first once.
    let orders: Vec<_> = (0..30)
        .map(|i| generated_order(3, i))
        .filter(|o| o.payment_status == PaymentStatus::Paid && !o.cancelled)
        .take(2)
        .collect();
    let erp = stocked_erp();
    erp.switchboard
        .fail_key(Op::CreateOrder, &orders[0].number, FaultKind::Permanent, Some(1));
    let fakes = Fakes(Arc::new(FakePos::with_orders(orders.clone())), Arc::new(erp));
    let executor = executor(&db, &fakes).await;

    let run = runs::create(
        &db,
        &scope,
        FlowKind::Orders,
        "manual",
        koppel_store::now().timestamp_millis(),
    )
    .await
    .unwrap();
    execute(&executor, &scope, run).await;
    let failed: Vec<_> = journal::entries_of_run(&db, &scope, run)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.outcome == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(fakes.1.snapshot().orders.len(), 1);

    // Another tenant cannot retry it.
    app.api_signup("other@shop.nl", "Other").await;
    let other = app.api_token("other@shop.nl", PASSWORD).await;
    let client = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/activity/{}/retry", failed[0].id));
    assert_eq!(
        client.post(&url).bearer_auth(&other).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    let response = client.post(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let body: Value = response.json().await.unwrap();
    let retry_run = RunId(body["run_id"].as_str().unwrap().parse().unwrap());
    // While that run is queued, another retry names it instead of queueing a second one.
    let again = client.post(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["run_id"], body["run_id"]);
    execute(&executor, &scope, retry_run).await;
    let retried = journal::entries_of_run(&db, &scope, retry_run).await.unwrap();
    assert_eq!(retried.len(), 1, "a new attempt, journaled in the retry run");
    assert_eq!(retried[0].source_id, failed[0].source_id);
    assert_eq!(retried[0].outcome, "created");
    assert_eq!(fakes.1.snapshot().orders.len(), 2, "booked once, now");
    let run_row = runs::get(&db, &scope, retry_run).await.unwrap().unwrap();
    assert_eq!(run_row.trigger_kind, "retry");
    assert_eq!(run_row.created, 1);

    // Skipping: a run with a failure, then "skip all failed" through the page.
    fakes
        .1
        .switchboard
        .fail_key(Op::CreateOrder, "never-used", FaultKind::Permanent, None);
    let browser = app.browser();
    app.log_in(&browser, "retry@shop.nl", PASSWORD).await;
    let page = app
        .post_form(&browser, &format!("/t/{tenant_id}/runs/{run}/skip-failed"), &[])
        .await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    let entries = journal::entries_of_run(&db, &scope, run).await.unwrap();
    let skip = entries.iter().find(|e| e.outcome == "skipped").expect("a skip entry");
    assert!(skip.reason.as_deref().unwrap().contains("Skipped by retry@shop.nl"));
    assert!(
        journal::pending_retries(&db, &scope, FlowKind::Orders, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The failed entry of a record in a run.
async fn failed_entry(db: &Db, scope: &TenantScope, run: RunId, source_id: &str) -> journal::EntrySummary {
    journal::entries_of_run(db, scope, run)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.source_id == source_id && e.outcome == "failed")
        .unwrap_or_else(|| panic!("{source_id} did not fail"))
}

#[tokio::test]
async fn pages_say_what_happens_to_failures_and_a_flows_failed_records_can_be_retried_or_skipped() {
    let app = spawn_app().await;
    let signup = app.api_signup("owner@shop.nl", "Shop").await;
    let token = app.api_token("owner@shop.nl", PASSWORD).await;
    let tenant = signup["tenant_id"].as_str().unwrap().to_owned();
    let home = format!("/t/{tenant}");
    let owner = app.browser();
    app.log_in(&owner, "owner@shop.nl", PASSWORD).await;
    let viewer = app.read_only_member(&owner, &home, "viewer@shop.nl").await;
    let db = app.state.db.clone();
    let user_id = signup["user_id"].as_str().unwrap().parse().unwrap();
    let scope = tenants::resolve_scope(&db, user_id, tenant.parse().unwrap())
        .await
        .unwrap()
        .unwrap();

    // Four paid orders: AFAS refuses `refused` and `skipped` once; `shipped` has shipping costs while the
    // shipping cost item is not set yet (a setting only some records need, so the preflight lets the flow run).
    let paid: Vec<_> = (0..80)
        .map(|i| generated_order(5, i))
        .filter(|o| o.payment_status == PaymentStatus::Paid && !o.cancelled && o.customer.is_some())
        .collect();
    let mut orders: Vec<_> = paid.iter().filter(|o| o.shipping.is_none()).take(3).cloned().collect();
    orders.push(paid.iter().find(|o| o.shipping.is_some()).unwrap().clone());
    let (refused, booked, skipped, shipped) = (&orders[0], &orders[1], &orders[2], &orders[3]);
    let erp = stocked_erp();
    for order in [refused, skipped] {
        erp.switchboard
            .fail_key(Op::CreateOrder, &order.number, FaultKind::Permanent, Some(1));
    }
    let fakes = Fakes(Arc::new(FakePos::with_orders(orders.clone())), Arc::new(erp));
    let executor = executor(&db, &fakes).await;
    let settings = serde_json::to_value(wizard_settings()).unwrap();
    let mut without_shipping_item = settings.clone();
    without_shipping_item["shipping_cost_item"] = Value::Null;
    let put = |body: Value| call(reqwest::Method::PUT, &app, &token, "/api/v1/flows/orders", Some(body));
    assert_eq!(
        put(serde_json::json!({"settings": without_shipping_item})).await.0,
        StatusCode::OK
    );

    let now = koppel_store::now().timestamp_millis();
    let run = runs::create(&db, &scope, FlowKind::Orders, "manual", now)
        .await
        .unwrap();
    execute(&executor, &scope, run).await;
    assert_eq!(fakes.1.snapshot().orders.len(), 1);
    let refused_entry = failed_entry(&db, &scope, run, &refused.id).await;
    let shipped_entry = failed_entry(&db, &scope, run, &shipped.id).await;
    let skipped_entry = failed_entry(&db, &scope, run, &skipped.id).await;
    assert_eq!(shipped_entry.failure_class.as_deref(), Some("setting"));

    // What each page says about them.
    let page = |path: String| {
        let (app, owner) = (&app, &owner);
        async move { app.get(owner, &path).await.text().await.unwrap() }
    };
    let entry_page = |entry: &journal::EntrySummary| page(format!("{home}/activity/{}", entry.id));
    let text = entry_page(&refused_entry).await;
    assert!(
        text.contains("Will not be retried automatically: the record cannot succeed as it is"),
        "{text}"
    );
    assert!(text.contains("Skip this record"));
    let text = entry_page(&shipped_entry).await;
    assert!(text.contains("Retried automatically at "), "{text}");
    let run_page = page(format!("{home}/runs/{run}")).await;
    assert!(run_page.contains("Retried automatically at ") && run_page.contains("Will not be retried"));
    let list = page(format!("{home}/activity?outcome=failed")).await;
    assert!(list.contains("Retried automatically at ") && list.contains("Will not be retried"));

    // The setting is saved: the shipped sale is now due at once.
    assert_eq!(put(serde_json::json!({"settings": settings})).await.0, StatusCode::OK);
    let text = entry_page(&shipped_entry).await;
    assert!(
        text.contains("Retried on the next run: the flow&#39;s settings changed after it failed."),
        "{text}"
    );

    // Skipping one: 204 for the failed entry, 409 for one that did not fail, 404 for another company.
    let skip = |entry: Uuid, token: String| {
        let path = format!("/api/v1/activity/{entry}/skip");
        let app = &app;
        async move { call(reqwest::Method::POST, app, &token, &path, None).await.0 }
    };
    assert_eq!(
        skip(skipped_entry.id, viewer.clone()).await,
        StatusCode::NOT_FOUND,
        "another company"
    );
    let booked_entry = journal::entries_of_run(&db, &scope, run)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.source_id == booked.id)
        .unwrap();
    assert_eq!(skip(booked_entry.id, token.clone()).await, StatusCode::CONFLICT);
    assert_eq!(skip(skipped_entry.id, token.clone()).await, StatusCode::NO_CONTENT);
    let skip_entry = journal::entries_of_run(&db, &scope, run)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.source_id == skipped.id && e.outcome == "skipped")
        .expect("the skip is journaled");
    assert!(skip_entry.reason.unwrap().contains("Skipped by owner@shop.nl"));
    let text = entry_page(&skipped_entry).await;
    assert!(text.contains("Tried again or skipped since"), "{text}");

    // Retry all failed of the flow: only a writer, only a known flow, one run at a time.
    let retry_failed = |flow: &str, token: &str, tenant: Option<&str>| {
        let path = match tenant {
            Some(tenant) => format!("/api/v1/flows/{flow}/retry-failed?tenant={tenant}"),
            None => format!("/api/v1/flows/{flow}/retry-failed"),
        };
        let (app, token) = (&app, token.to_owned());
        async move { call(reqwest::Method::POST, app, &token, &path, None).await }
    };
    let (status, _) = retry_failed("orders", &viewer, Some(&tenant)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "read-only member");
    assert_eq!(retry_failed("invoices", &token, None).await.0, StatusCode::NOT_FOUND);
    let (status, body) = retry_failed("orders", &viewer, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("nothing_to_retry")),
        "the viewer's own company has no failures"
    );
    let (status, body) = retry_failed("orders", &token, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let retry_run = RunId(body["run_id"].as_str().unwrap().parse().unwrap());
    let (status, body) = retry_failed("orders", &token, None).await;
    assert_eq!(
        (status, body["run_id"].as_str()),
        (StatusCode::CONFLICT, Some(&*retry_run.to_string()))
    );
    let queued = runs::get(&db, &scope, retry_run).await.unwrap().unwrap();
    let mut ids = queued.retry_ids();
    ids.sort();
    let mut expected = vec![refused.id.clone(), shipped.id.clone()];
    expected.sort();
    assert_eq!(ids, expected, "the refused and the shipped sale, not the skipped one");

    execute(&executor, &scope, retry_run).await;
    let booked: Vec<String> = fakes
        .1
        .snapshot()
        .orders
        .into_iter()
        .map(|(number, _)| number)
        .collect();
    assert_eq!(booked.len(), 3, "{booked:?}");
    assert!(!booked.contains(&skipped.number));
    assert_eq!(
        retry_failed("orders", &token, None).await.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing failed any more"
    );
}
