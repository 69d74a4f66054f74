//! The JSON API's contract: status codes and bodies.

mod common;

use common::{PASSWORD, spawn_app, spawn_app_with};
use koppel_web::RateLimits;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(app: &common::TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn signup_then_session_then_me() {
    let app = spawn_app().await;
    let (status, accepted) = post(
        &app,
        "/api/v1/signup",
        json!({"email": "Lena@Shop.nl", "password": PASSWORD, "company": "Lena"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(accepted["status"], "confirmation_sent");
    // Nothing exists until the address's owner follows the link.
    let (status, _) = post(
        &app,
        "/api/v1/sessions",
        json!({"email": "lena@shop.nl", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let link = app.signup_link("Lena@Shop.nl").await;
    let token = link.trim_start_matches("/signup/confirm/");
    let (status, wrong) = post(
        &app,
        "/api/v1/signup/confirm",
        json!({"token": token, "password": "not the password chosen"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong["errors"]["password"][0].is_string(), "{wrong}");
    let (status, signup) = post(
        &app,
        "/api/v1/signup/confirm",
        json!({"token": token, "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    for key in ["user_id", "tenant_id", "trial_ends_at", "token"] {
        assert!(signup[key].is_string(), "{key} in {signup}");
    }
    let (status, used) = post(
        &app,
        "/api/v1/signup/confirm",
        json!({"token": token, "password": PASSWORD}),
    )
    .await;
    assert_eq!(
        (status, used["error"].as_str()),
        (StatusCode::GONE, Some("link_expired"))
    );
    let trial_ends: chrono::DateTime<chrono::Utc> = signup["trial_ends_at"].as_str().unwrap().parse().unwrap();
    let days = (trial_ends - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((13.9..=14.0).contains(&days), "{days}");

    let (status, session) = post(
        &app,
        "/api/v1/sessions",
        json!({"email": "lena@shop.nl", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = session["token"].as_str().unwrap();
    assert!(session["expires_at"].is_string());

    let me: Value = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user_id"], signup["user_id"]);
    assert_eq!(me["email"], "Lena@Shop.nl");
    assert_eq!(me["tenants"][0]["tenant_id"], signup["tenant_id"]);
    assert_eq!(me["tenants"][0]["name"], "Lena");
    assert_eq!(me["tenants"][0]["role"], "owner");
    assert_eq!(me["tenants"][0]["trial_ends_at"], signup["trial_ends_at"]);

    // Signing out through the API revokes the token.
    let client = reqwest::Client::new();
    let deleted = client
        .delete(app.url("/api/v1/sessions/current"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let after = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_credentials_and_missing_tokens_answer_401_with_json() {
    let app = spawn_app().await;
    app.api_signup("max@shop.nl", "Max").await;
    let (status, body) = post(
        &app,
        "/api/v1/sessions",
        json!({"email": "max@shop.nl", "password": "wrong-password"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_credentials");
    let me = reqwest::Client::new().get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let body: Value = me.json().await.unwrap();
    assert_eq!(body["error"], "unauthenticated");
    let forged = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth("eyJhbGciOiJIUzI1NiJ9.e30.x")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_registered_address_gets_the_same_answer_as_a_new_one_and_validation_errors_a_422() {
    let app = spawn_app().await;
    app.api_signup("nora@shop.nl", "Nora").await;
    let registered = post(
        &app,
        "/api/v1/signup",
        json!({"email": "NORA@shop.nl", "password": PASSWORD, "company": "Nora 2"}),
    )
    .await;
    let new = post(
        &app,
        "/api/v1/signup",
        json!({"email": "otto@shop.nl", "password": PASSWORD, "company": "Otto"}),
    )
    .await;
    assert_eq!(registered, new, "the same status and body either way");
    assert_eq!(registered.0, StatusCode::ACCEPTED);
    // The registered address is told by mail, with no link; no second account or company.
    let mut mail = Vec::new();
    for _ in 0..100 {
        mail = koppel_store::alerts::account_mail(&app.state.db, "NORA@shop.nl")
            .await
            .unwrap();
        if !mail.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].subject.contains("already have"), "{}", mail[0].subject);
    assert!(!mail[0].body.contains("/signup/confirm/"), "{}", mail[0].body);
    let nora = koppel_core::Email::parse("nora@shop.nl").unwrap();
    let nora = koppel_store::accounts::find_user_by_email(&app.state.db, &nora)
        .await
        .unwrap()
        .unwrap();
    let companies = koppel_store::tenants::memberships_of(&app.state.db, nora.id)
        .await
        .unwrap();
    assert_eq!(companies.len(), 1, "no second company for Nora");
    let otto = koppel_core::Email::parse("otto@shop.nl").unwrap();
    let otto = koppel_store::accounts::find_user_by_email(&app.state.db, &otto)
        .await
        .unwrap();
    assert!(otto.is_none(), "Otto's account waits for the link");

    let (status, body) = post(
        &app,
        "/api/v1/signup",
        json!({"email": "nope", "password": "short", "company": ""}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["email", "password", "company"] {
        assert!(body["errors"][field][0].is_string(), "{field} in {body}");
    }
}

#[tokio::test]
async fn a_password_reset_is_accepted_alike_for_any_address() {
    let app = spawn_app().await;
    app.api_signup("uma@shop.nl", "Uma").await;
    let registered = post(&app, "/api/v1/password-resets", json!({"email": "UMA@shop.nl"})).await;
    let unknown = post(&app, "/api/v1/password-resets", json!({"email": "vic@shop.nl"})).await;
    assert_eq!(registered, unknown);
    assert_eq!(registered.0, StatusCode::ACCEPTED);
    assert_eq!(registered.1["status"], "reset_sent");
    let (status, body) = post(&app, "/api/v1/password-resets", json!({"email": "not an address"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["email"][0].is_string(), "{body}");
}

#[tokio::test]
async fn sessions_are_rate_limited_with_429() {
    let app = spawn_app_with(RateLimits {
        login_per_email_per_minute: 2,
        ..RateLimits::default()
    })
    .await;
    let mut last = (StatusCode::OK, Value::Null);
    for _ in 0..4 {
        last = post(
            &app,
            "/api/v1/sessions",
            json!({"email": "olaf@shop.nl", "password": "whatever-it-is"}),
        )
        .await;
    }
    assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(last.1["error"], "rate_limited");
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/sessions",
        "/api/v1/signup",
        "/api/v1/signup/confirm",
        "/api/v1/password-resets",
        "/api/v1/me",
        "/api/v1/tenants/{tenant_id}",
        "/api/v1/sessions/current",
        "/api/v1/reconciliation",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Every operation documents the errors any request can meet (schemathesis in `.ci/scan.py` holds the
    // answers to them).
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            if operation["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert!(responses["401"].is_object(), "{method} {path}: 401");
                assert!(responses["404"].is_object(), "{method} {path}: 404");
            }
            if operation["requestBody"].is_object() {
                assert!(
                    responses["400"].is_object() && responses["415"].is_object(),
                    "{method} {path}"
                );
            }
        }
    }
}

/// What axum's extractors refuse (a body that is not JSON, or not of the shape, another content type, a query
/// that does not parse) is answered as JSON like every other error, never as plain text.
#[tokio::test]
async fn a_malformed_request_is_a_json_error() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let send = |body: &'static str, content_type: &'static str| {
        client
            .post(app.url("/api/v1/signup"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for (body, content_type, status, code) in [
        ("{not json", "application/json", 400, "invalid_body"),
        ("{\"email\": 5}", "application/json", 400, "invalid_body"),
        (
            "email=a",
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
        ),
    ] {
        let response = send(body, content_type).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"], code, "{body}: {error}");
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
}
