//! Shared helpers of the AFAS simulator tests: a running sandbox, an authorised client, and checks of
//! Profit's response shapes.
#![allow(dead_code)]

use base64::Engine;
use koppel_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

pub struct Afas {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

impl Afas {
    pub async fn start() -> Self {
        let sandbox = Sandbox::start_local(SandboxConfig::default())
            .await
            .expect("sandbox starts");
        Self {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.afas_url())
    }

    /// The `Authorization` header value for the accepted token.
    pub fn token(&self) -> String {
        let xml = self.sandbox.config.afas_token_xml();
        format!("AfasToken {}", base64::engine::general_purpose::STANDARD.encode(xml))
    }

    /// An authorised request to `/ProfitRestServices{path}`.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self
            .http
            .request(method, self.url(&format!("/ProfitRestServices{path}")))
            .header("Authorization", self.token());
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request is answered")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.call(Method::GET, path, None).await
    }

    /// The `rows` of a GetConnector request that must succeed.
    pub async fn rows(&self, connector: &str, query: &str) -> Vec<Value> {
        let response = self.get(&format!("/connectors/{connector}?{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {connector}?{query}");
        let page: Value = response.json().await.expect("a JSON page");
        page["rows"].as_array().cloned().expect("rows")
    }

    pub async fn post(&self, connector: &str, body: Value) -> Response {
        self.call(Method::POST, &format!("/connectors/{connector}"), Some(&body))
            .await
    }

    pub async fn put(&self, connector: &str, body: Value) -> Response {
        self.call(Method::PUT, &format!("/connectors/{connector}"), Some(&body))
            .await
    }

    /// A `/_sandbox/` control request (controls need no token).
    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("control request is answered")
    }
}

/// Asserts Profit's error answer (HTTP 500 with `externalMessage`, `errorNumber`, `profitLogReference`) and
/// returns the message.
pub async fn expect_profit_error(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = response.json().await.expect("a JSON error body");
    let object = body.as_object().expect("an object");
    assert_eq!(object.len(), 3, "exactly the three Profit error fields: {body}");
    assert!(body["errorNumber"].as_i64().expect("errorNumber is an integer") < 0);
    let reference = body["profitLogReference"].as_str().expect("profitLogReference");
    assert_eq!(reference.len(), 32);
    assert!(
        reference.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
        "{reference}"
    );
    body["externalMessage"].as_str().expect("externalMessage").to_owned()
}

/// Asserts the 201 `{"results":{"<connector>":{...}}}` shape and returns the keys object.
pub async fn expect_created(response: Response, connector: &str) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let results = body["results"].as_object().expect("results object");
    assert_eq!(results.len(), 1, "{body}");
    body["results"][connector].clone()
}

/// A sales order (`FbSales`) for `debtor` with these lines, prices excl. VAT.
pub fn order(debtor: &str, reference: &str, lines: Vec<Value>) -> Value {
    json!({"FbSales": {"Element": {
        "Fields": {"DbId": debtor, "OrDa": "2026-11-29", "RfCs": reference, "War": "01", "Unit": 1, "InVa": false},
        "Objects": [{"FbSalesLines": {"Element": lines}}]
    }}})
}

/// An article line (`VaIt` 2) in the basic unit.
pub fn article_line(item: &str, quantity: f64, price: f64) -> Value {
    json!({"Fields": {"VaIt": "2", "ItCd": item, "BiUn": "stk", "QuUn": quantity, "Upri": price}})
}
