//! Limits with a clear answer: a request body over the limit is refused with 413 and a sentence (JSON under
//! `/api`, a page elsewhere), before anything is read into a handler.

mod common;

use common::{PASSWORD, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_body_over_the_limit_is_a_clear_413_as_json_or_as_a_page() {
    let app = spawn_app().await;
    app.api_signup("big@shop.nl", "Big").await;
    let token = app.api_token("big@shop.nl", PASSWORD).await;
    let huge = format!(r#"{{"currency": "{}"}}"#, "E".repeat(3 * 1024 * 1024));
    let response = reqwest::Client::new()
        .put(app.url("/api/v1/settings"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "too_large");
    assert_eq!(
        body["message"],
        "The request is larger than 2 MiB, the most Koppel accepts."
    );

    let browser = app.browser();
    let big_name = "x".repeat(3 * 1024 * 1024);
    let response = app
        .post_form(&browser, "/signup", &[("company", big_name.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = response.text().await.unwrap();
    assert!(page.contains("The request is larger than 2 MiB"), "{page}");
    assert!(page.contains("<html"), "a page, not bare text");
}
