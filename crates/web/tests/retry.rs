//! Retrying a failed record (page and API) runs it again with fresh data, journaled as a new attempt;
//! skipping stops its retries.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{PASSWORD, spawn_app};
use koppel_core::FlowKind;
use koppel_jobs::executor::{Connectors, Executor};
use koppel_jobs::{JobQueue, RunFlowJob};
use koppel_store::runs::{self, RunId};
use koppel_store::{Db, TenantScope, flows, journal, tenants};
use koppel_sync::model::PaymentStatus;
use koppel_sync::ports::ConnectorError;
use koppel_sync::testing::{FakeErp, FakePos, FaultKind, Op, generated_order, stocked_erp, wizard_settings};
use reqwest::StatusCode;
use serde_json::Value;

#[derive(Clone)]
struct Fakes(Arc<FakePos>, Arc<FakeErp>);

impl Connectors for Fakes {
    type Source = Arc<FakePos>;
    type Target = Arc<FakeErp>;
    async fn open(&self, _: &Db, _: &TenantScope) -> Result<(Self::Source, Self::Target), ConnectorError> {
        Ok((self.0.clone(), self.1.clone()))
    }
}

async fn execute(executor: &Executor<Fakes>, scope: &TenantScope, run_id: RunId) {
    let job = RunFlowJob {
        tenant_id: scope.tenant_id(),
        flow: FlowKind::Orders,
        run_id,
    };
    executor.execute(&job).await.unwrap();
}

#[tokio::test]
async fn a_failed_record_is_retried_as_a_new_attempt_and_can_be_skipped() {
    let app = spawn_app().await;
    let signup = app.api_signup("retry@shop.nl", "Retry").await;
    let token = app.api_token("retry@shop.nl", PASSWORD).await;
    let db = app.state.db.clone();
    let user_id = signup["user_id"].as_str().unwrap().parse().unwrap();
    let tenant_id = signup["tenant_id"].as_str().unwrap().parse().unwrap();
    let scope = tenants::resolve_scope(&db, user_id, tenant_id).await.unwrap().unwrap();
    let config = flows::FlowConfig {
        flow: FlowKind::Orders,
        enabled: false,
        schedule: flows::DEFAULT_SCHEDULE.into(),
        settings: serde_json::to_value(wizard_settings()).unwrap(),
        cursor: None,
        next_run_at_ms: None,
    };
    flows::save(&db, &scope, &config, 0).await.unwrap();

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
    let mut executor = Executor::new(db.clone(), JobQueue::connect(&db).await.unwrap(), fakes.clone());
    executor.base_retry_delay = Duration::from_millis(100);

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
