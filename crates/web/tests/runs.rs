//! Runs pages, live progress, cancel, and the flow-health overview on the tenant home.

mod common;

use common::{location, spawn_app};
use koppel_core::FlowKind;
use koppel_store::journal::{self, NewEntry};
use koppel_store::runs::{self, Counts, RunStatus};
use koppel_store::tenants;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn run_now_shows_live_progress_and_can_be_cancelled() {
    let app = spawn_app().await;
    let browser = app.browser();
    let home = app.sign_up(&browser, "runs@shop.nl", "Runs").await;

    let queued = app.post_form(&browser, &format!("{home}/flows/stock/run"), &[]).await;
    assert_eq!(queued.status(), StatusCode::SEE_OTHER);
    let run_page = location(&queued);
    assert!(run_page.starts_with(&format!("{home}/runs/")), "{run_page}");
    let html = app.get(&browser, &run_page).await.text().await.unwrap();
    assert!(html.contains("State: <span class=\"status status-queued\""), "{html}");
    assert!(html.contains("Cancel this run"));
    assert!(html.contains(r#"<script src="/static/progress.js" defer></script>"#));

    let progress: Value = app
        .get(&browser, &format!("{run_page}/progress"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(progress["status"], "queued");
    assert_eq!(progress["finished"], false);

    // "Run now" again shows the same run instead of queueing a second one.
    let again = app.post_form(&browser, &format!("{home}/flows/stock/run"), &[]).await;
    assert_eq!(location(&again), run_page);

    let cancelled = app.post_form(&browser, &format!("{run_page}/cancel"), &[]).await;
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);
    let progress: Value = app
        .get(&browser, &format!("{run_page}/progress"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(progress["status"], "cancelled");
    assert_eq!(progress["finished"], true);

    let list = app.get(&browser, &format!("{home}/runs")).await.text().await.unwrap();
    assert!(list.contains("status-cancelled"));

    // Another tenant's user gets 404 for the run and its progress.
    let other = app.browser();
    app.sign_up(&other, "nosy@shop.nl", "Nosy").await;
    assert_eq!(app.get(&other, &run_page).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&other, &format!("{run_page}/progress")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_home_page_shows_a_light_per_flow_and_records_per_day() {
    let app = spawn_app().await;
    let browser = app.browser();
    let home = app.sign_up(&browser, "health@shop.nl", "Health").await;
    let html = app.get(&browser, &home).await.text().await.unwrap();
    let flows = koppel_core::FlowKind::ALL.len();
    assert_eq!(html.matches("light-orange").count(), flows, "every flow is off: {html}");
    assert!(html.contains("Nothing synced in the last 14 days."));

    // A failed orders run and some records today.
    let tenant_id = home.trim_start_matches("/t/").parse().unwrap();
    let user = koppel_store::accounts::find_user_by_email(
        &app.state.db,
        &koppel_core::Email::parse("health@shop.nl").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let scope = tenants::resolve_scope(&app.state.db, user.id, tenant_id)
        .await
        .unwrap()
        .unwrap();
    let now = koppel_store::now().timestamp_millis();
    let run = runs::create(&app.state.db, &scope, FlowKind::Orders, "manual", now)
        .await
        .unwrap();
    for (i, outcome) in ["created", "created", "failed"].iter().enumerate() {
        let source_id = format!("order-{i}");
        let entry = NewEntry {
            run_id: run,
            flow: FlowKind::Orders,
            entity: "order",
            source_id: &source_id,
            target_id: None,
            outcome,
            reason: None,
            retryable: false,
            failure_class: None,
            search_keys: "2026-1",
            source_payload: "{}",
            exchanges: "[]",
            content_hash: None,
            at_ms: now,
        };
        journal::record(&app.state.db, &scope, &entry).await.unwrap();
    }
    runs::finish(
        &app.state.db,
        &scope,
        run,
        RunStatus::Failed,
        &Counts::default(),
        Some("AFAS refused"),
        now,
    )
    .await
    .unwrap();

    let html = app.get(&browser, &home).await.text().await.unwrap();
    assert!(html.contains("light-red"), "the failed run turns the orders light red");
    assert!(
        html.contains("The last run failed: AFAS refused"),
        "the reason is shown"
    );
    assert!(
        html.contains(&format!("/runs/{run}\">See the run</a>")),
        "with a link to the run"
    );
    assert!(
        html.contains(r#"<rect class="bar-created""#) && html.contains(r#"<rect class="bar-failed""#),
        "{html}"
    );
}
