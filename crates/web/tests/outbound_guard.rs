//! The outbound request guard end to end, with the production policy installed in this test binary (its own
//! process): the addresses an attacker with a trial account would try are refused with 422 naming the field,
//! where connections and alert webhooks are saved. Nothing here connects anywhere but loopback.

mod common;

use common::{PASSWORD, call, spawn_app};
use koppel_outbound::OutboundPolicy;
use reqwest::StatusCode;
use serde_json::json;

fn production() {
    koppel_outbound::install(OutboundPolicy::public_only("127.0.0.2").expect("a valid allow-list"));
}

#[tokio::test]
async fn connections_to_local_and_metadata_addresses_are_refused_naming_the_field() {
    production();
    let app = spawn_app().await;
    app.api_signup("guard@shop.nl", "Guard").await;
    let token = app.api_token("guard@shop.nl", PASSWORD).await;
    let put = |system: &'static str, body: serde_json::Value| {
        let (app, token) = (&app, &token);
        async move {
            call(
                reqwest::Method::PUT,
                app,
                token,
                &format!("/api/v1/connections/{system}"),
                Some(body),
            )
            .await
        }
    };
    for url in [
        "http://127.0.0.1:5432/x",
        "https://127.0.0.1:5432/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:8080",
        "https://localhost:34567",
        "https://10.0.0.8:34567",
    ] {
        let (status, answer) = put("mplus", json!({"url": url, "ident": "ident", "secret": "secret"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {answer}");
        let message = answer.to_string();
        assert!(
            message.contains("url") && message.contains("cannot be used"),
            "{url}: {message}"
        );
        let token_xml = "<token><version>1</version><data>ABCDEF0123456789ABCDEF</data></token>";
        let afas = json!({"environment": "12345", "environment_type": "test", "url": url, "token": token_xml});
        let (status, answer) = put("afas", afas).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "AFAS {url}: {answer}");
    }
    // The operator's allow-list lets one loopback address through (an on-premise MplusKASSA, here nobody
    // listening): the address is accepted and the connection test reports it unreachable.
    let (status, answer) = put(
        "mplus",
        json!({"url": "http://127.0.0.2:9", "ident": "ident", "secret": "secret"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["ok"], false, "{answer}");
}

#[tokio::test]
async fn an_alert_webhook_into_the_private_network_is_refused() {
    production();
    let app = spawn_app().await;
    let browser = app.browser();
    let home = app.sign_up(&browser, "hook@shop.nl", "Hook").await;
    let alerts = format!("{}/alerts", home.trim_end_matches('/'));
    for url in ["http://127.0.0.1:5432/x", "https://169.254.169.254/latest/meta-data/"] {
        let response = app
            .post_form(&browser, &alerts, &[("webhook_url", url), ("webhook_secret", "")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        let page = response.text().await.unwrap();
        assert!(page.contains("cannot be used"), "{url}: the page says why");
    }
}
