//! The flows and runs API: settings with defaults, schedules, roles, runs and their states.

mod common;

use common::{PASSWORD, call, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn flows_have_defaults_and_take_partial_settings() {
    let app = spawn_app().await;
    app.api_signup("flo@shop.nl", "Flo").await;
    let token = app.api_token("flo@shop.nl", PASSWORD).await;

    let (status, flow) = call(reqwest::Method::GET, &app, &token, "/api/v1/flows/orders", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(flow["enabled"], false);
    assert_eq!(flow["schedule"], "0 */5 * * * *");
    assert_eq!(flow["settings"]["order_filter"], "paid");
    assert_eq!(flow["settings"]["order_target"], "sales_order");
    assert_eq!(flow["settings"]["stock_calculation"], "free");
    assert_eq!(flow["settings"]["manage_stock"], true);

    // Settings of a flow that is off are saved as given (switching on is checked: tests/preflight.rs).
    let update = json!({"schedule": "0 0 * * * *", "settings": {"administration": "1", "default_debtor": "10000",
        "payment_method_map": {"table": {"PIN": "02"}, "default": "01"}}});
    let (status, flow) = call(reqwest::Method::PUT, &app, &token, "/api/v1/flows/orders", Some(update)).await;
    assert_eq!(status, StatusCode::OK, "{flow}");
    assert_eq!(flow["enabled"], false);
    assert_eq!(flow["schedule"], "0 0 * * * *");
    assert_eq!(flow["settings"]["administration"], "1");
    assert_eq!(flow["settings"]["payment_method_map"]["table"]["PIN"], "02");
    assert_eq!(flow["settings"]["currency"], "EUR", "defaults fill the rest");
    assert!(flow["next_run_at"].is_null(), "a flow that is off has no next run");

    let (_, again) = call(reqwest::Method::GET, &app, &token, "/api/v1/flows/orders", None).await;
    assert_eq!(again, flow, "what was saved is what is read");

    let (status, all) = call(reqwest::Method::GET, &app, &token, "/api/v1/flows", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all.as_array().unwrap().len(), koppel_core::FlowKind::ALL.len());
    let receipts = all
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flow"] == "receipts")
        .expect("the receipts flow");
    assert_eq!(
        receipts["settings"]["receipt_target"], "direct_invoice",
        "a counter sale is paid at once"
    );
    assert_eq!(
        receipts["settings"]["administration"], "1",
        "company settings are shared"
    );
    let (status, body) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/flows/receipts",
        Some(json!({"settings": {"receipt_target": "sales_order"}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["settings"]["receipt_target"], "sales_order");

    let (status, body) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/flows/orders",
        Some(json!({"schedule": "every five minutes", "settings": {"order_filter": "sometimes"}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["schedule"][0].as_str().unwrap().contains("cron"));
    assert!(body["errors"]["settings"][0].is_string());
    // More often than once a minute: refused, saying so.
    let (status, body) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/flows/orders",
        Some(json!({"schedule": "*/10 * * * * *"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["schedule"][0]
            .as_str()
            .unwrap()
            .contains("once a minute"),
        "{body}"
    );

    let (status, _) = call(reqwest::Method::GET, &app, &token, "/api/v1/flows/invoices", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn runs_are_queued_once_and_readable_only_by_their_tenant() {
    let app = spawn_app().await;
    app.api_signup("run@shop.nl", "Runner").await;
    let token = app.api_token("run@shop.nl", PASSWORD).await;

    let (status, queued) = call(reqwest::Method::POST, &app, &token, "/api/v1/flows/stock/runs", None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let run_id = queued["run_id"].as_str().unwrap().to_owned();
    let (status, again) = call(reqwest::Method::POST, &app, &token, "/api/v1/flows/stock/runs", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "one active run per flow");
    assert_eq!(again["run_id"], run_id.as_str());

    let (status, run) = call(
        reqwest::Method::GET,
        &app,
        &token,
        &format!("/api/v1/runs/{run_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(run["status"], "queued");
    assert_eq!(run["flow"], "stock");
    for key in ["created", "updated", "skipped", "failed"] {
        assert_eq!(run["counts"][key], 0, "{key}");
    }
    assert!(run["started_at"].is_null() && run["finished_at"].is_null());

    // Another tenant cannot see it.
    app.api_signup("other@shop.nl", "Other").await;
    let other = app.api_token("other@shop.nl", PASSWORD).await;
    let (status, _) = call(
        reqwest::Method::GET,
        &app,
        &other,
        &format!("/api/v1/runs/{run_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, cancelled) = call(
        reqwest::Method::POST,
        &app,
        &token,
        &format!("/api/v1/runs/{run_id}/cancel"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(cancelled["status"], "cancelled");
    let (status, _) = call(reqwest::Method::POST, &app, &token, "/api/v1/flows/stock/runs", None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "a new run once the last one ended");
}

#[tokio::test]
async fn read_only_members_cannot_change_flows_or_start_runs() {
    let app = spawn_app().await;
    let owner = app.browser();
    let home = app.sign_up(&owner, "boss@shop.nl", "Boss").await;
    let token = app.read_only_member(&owner, &home, "viewer@shop.nl").await;
    let tenant = home.trim_start_matches("/t/");
    let (status, _) = call(
        reqwest::Method::GET,
        &app,
        &token,
        &format!("/api/v1/flows/orders?tenant={tenant}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "members read");
    let (status, _) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        &format!("/api/v1/flows/orders?tenant={tenant}"),
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        reqwest::Method::POST,
        &app,
        &token,
        &format!("/api/v1/flows/orders/runs?tenant={tenant}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Their own company is the default and writable.
    let (status, _) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/flows/orders",
        Some(json!({"schedule": "0 0 * * * *"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
