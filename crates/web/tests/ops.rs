//! Operational endpoints and response headers.

mod common;

use common::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(reqwest::get(app.url("/readyz")).await.unwrap().status(), StatusCode::OK);
    let metrics = reqwest::get(app.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("koppel_http_requests_total"), "{metrics}");

    app.state.db.close().await;
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        !headers.contains_key("strict-transport-security"),
        "no HSTS over plain http"
    );
    assert!(headers["x-request-id"].to_str().unwrap().len() >= 32);
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" style=\""),
        "no inline script or style"
    );
    let css = reqwest::get(app.url("/static/style.css")).await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_page() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/no/such/page")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// In production `/metrics` is not for the public: with a token it needs `Authorization: Bearer <token>`,
/// without one it is not there at all.
#[tokio::test]
async fn metrics_need_the_token_or_are_off() {
    let database = koppel_store::test_support::TestDatabase::create().await.unwrap();
    let app = common::spawn_configured(database, |config| {
        config.metrics_access = koppel_web::MetricsAccess::Token("metrics-token-0123456789".into());
    })
    .await;
    let client = reqwest::Client::new();
    let get = |token: Option<&str>| {
        let mut request = client.get(app.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(get(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(Some("metrics-token-wrong")).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let allowed = get(Some("metrics-token-0123456789")).await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(allowed.text().await.unwrap().contains("koppel_http_requests_total"));

    let database = koppel_store::test_support::TestDatabase::create().await.unwrap();
    let off = common::spawn_configured(database, |config| {
        config.metrics_access = koppel_web::MetricsAccess::Off;
    })
    .await;
    assert_eq!(
        reqwest::get(off.url("/metrics")).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}
