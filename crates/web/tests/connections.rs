//! The connections API against the in-process sandbox: stored encrypted, tested, listed without secrets,
//! validated per field, audited with secrets redacted, and refused to read-only members.

mod common;

use common::{PASSWORD, call, spawn_app};
use koppel_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn connections_are_stored_tested_and_listed_without_secrets() {
    let sandbox = Sandbox::start_local(SandboxConfig::default()).await.unwrap();
    let app = spawn_app().await;
    app.api_signup("con@shop.nl", "Con").await;
    let token = app.api_token("con@shop.nl", PASSWORD).await;

    let (status, empty) = call(reqwest::Method::GET, &app, &token, "/api/v1/connections", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty, json!({"mplus": null, "afas": null}));

    let mplus =
        json!({"url": sandbox.mplus_url(), "ident": sandbox.config.mplus_ident, "secret": sandbox.config.mplus_secret});
    let (status, test) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/connections/mplus",
        Some(mplus),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{test}");
    assert_eq!(test["ok"], true, "{test}");
    assert!(test["message"].is_string());

    let afas = json!({"environment": "12345", "environment_type": "test", "token": sandbox.config.afas_token_xml(),
        "url": sandbox.afas_url()});
    let (status, test) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/connections/afas",
        Some(afas),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{test}");
    assert_eq!(test["ok"], true, "{test}");

    let (status, listed) = call(reqwest::Method::GET, &app, &token, "/api/v1/connections", None).await;
    assert_eq!(status, StatusCode::OK);
    let text = listed.to_string();
    assert!(!text.contains(&sandbox.config.mplus_secret), "no secret in {text}");
    assert!(!text.contains(&sandbox.config.afas_token_data), "no token in {text}");
    assert_eq!(listed["mplus"]["config"]["ident"], sandbox.config.mplus_ident.as_str());
    assert_eq!(listed["mplus"]["secret_stored"], true);
    assert_eq!(listed["mplus"]["test"]["ok"], true);
    assert_eq!(listed["afas"]["config"]["environment"], "12345");
    assert_eq!(listed["afas"]["config"]["environment_type"], "test");
    assert_eq!(listed["afas"]["test"]["ok"], true);

    // A wrong secret is stored too, but the test says what is wrong; leaving the secret out keeps the
    // stored one (and re-tests it).
    let wrong = json!({"url": sandbox.mplus_url(), "ident": sandbox.config.mplus_ident, "secret": "wrong"});
    let (status, test) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/connections/mplus",
        Some(wrong),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(test["ok"], false, "{test}");
    assert!(!test["message"].as_str().unwrap().is_empty());
    let (_, listed) = call(reqwest::Method::GET, &app, &token, "/api/v1/connections", None).await;
    assert_eq!(listed["mplus"]["test"]["ok"], false);

    // The secrets are sealed in the database.
    let stored = koppel_store::connections::load(
        &app.state.db,
        &koppel_store::TenantScope::for_background_job(listed_tenant(&app, &token).await),
        koppel_store::connections::System::Afas,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!String::from_utf8_lossy(&stored.secret.bytes).contains(&sandbox.config.afas_token_data));

    // Every change is in the audit log, secrets redacted.
    let scope = koppel_store::TenantScope::for_background_job(listed_tenant(&app, &token).await);
    let entries = koppel_store::audit::list(&app.state.db, &scope, 10).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].area, "connection/mplus");
    assert_eq!(entries[0].actor, "con@shop.nl");
    let text = serde_json::to_string(&entries).unwrap();
    assert!(
        !text.contains(&sandbox.config.mplus_secret) && !text.contains("\"wrong\""),
        "{text}"
    );
    assert!(text.contains(koppel_store::audit::REDACTED));
}

async fn listed_tenant(app: &common::TestApp, token: &str) -> koppel_core::TenantId {
    let (_, me) = call(reqwest::Method::GET, app, token, "/api/v1/me", None).await;
    me["tenants"][0]["tenant_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no tenant in {me}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn invalid_input_gets_a_message_per_field() {
    let app = spawn_app().await;
    app.api_signup("val@shop.nl", "Val").await;
    let token = app.api_token("val@shop.nl", PASSWORD).await;

    let (status, body) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/connections/mplus",
        Some(json!({"url": "kassa:99999", "ident": " "})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["url", "ident", "secret"] {
        assert!(body["errors"][field][0].is_string(), "{field}: {body}");
    }

    let (status, body) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/connections/afas",
        Some(json!({"environment": "abc", "environment_type": "staging", "token": "not a token"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["environment", "environment_type", "token"] {
        assert!(body["errors"][field][0].is_string(), "{field}: {body}");
    }
    let (_, listed) = call(reqwest::Method::GET, &app, &token, "/api/v1/connections", None).await;
    assert_eq!(
        listed,
        json!({"mplus": null, "afas": null}),
        "nothing invalid is stored"
    );
}

#[tokio::test]
async fn an_unreachable_mplus_is_reported_in_plain_words() {
    let app = spawn_app().await;
    app.api_signup("down@shop.nl", "Down").await;
    let token = app.api_token("down@shop.nl", PASSWORD).await;
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (status, test) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        "/api/v1/connections/mplus",
        Some(json!({"url": format!("http://127.0.0.1:{port}"), "ident": "x", "secret": "y"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(test["ok"], false);
    assert!(!test["message"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn read_only_members_see_connections_but_cannot_change_them() {
    let app = spawn_app().await;
    let owner = app.browser();
    let home = app.sign_up(&owner, "boss@shop.nl", "Boss").await;
    let token = app.read_only_member(&owner, &home, "viewer@shop.nl").await;
    let tenant = home.trim_start_matches("/t/");
    let (status, _) = call(
        reqwest::Method::GET,
        &app,
        &token,
        &format!("/api/v1/connections?tenant={tenant}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        reqwest::Method::PUT,
        &app,
        &token,
        &format!("/api/v1/connections/mplus?tenant={tenant}"),
        Some(json!({"url": "http://127.0.0.1:1", "ident": "i", "secret": "s"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn connections_need_a_session() {
    let app = spawn_app().await;
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/connections"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = reqwest::Client::new()
        .put(app.url("/api/v1/connections/mplus"))
        .json(&json!({"url": "http://a:1", "ident": "i", "secret": "s"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
