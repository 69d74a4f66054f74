//! Helpers for the MplusKASSA simulator's integration tests: start a sandbox, POST raw SOAP envelopes over a
//! real socket, and read the answers.
#![allow(dead_code)]

use koppel_sandbox::mplus::xml::Element;
use koppel_sandbox::{Sandbox, SandboxConfig};

pub const ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

pub struct Mplus {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

/// One answer: status, body text, and the parsed Body child (the response element or the Fault).
pub struct Answer {
    pub status: u16,
    pub text: String,
    pub body: Option<Element>,
}

impl Answer {
    /// The response element; panics with the body text if the answer is not a 200 response.
    pub fn ok(&self) -> &Element {
        assert_eq!(self.status, 200, "expected 200, got {}: {}", self.status, self.text);
        self.body.as_ref().expect("a Body child")
    }

    /// `(faultcode, faultstring)` of a SOAP Fault.
    pub fn fault(&self) -> (String, String) {
        assert_eq!(self.status, 500, "expected a fault: {}", self.text);
        let fault = self.body.as_ref().expect("a Body child");
        assert_eq!(fault.name, "Fault", "{}", self.text);
        (
            fault.text_of("faultcode").unwrap_or_default().to_owned(),
            fault.text_of("faultstring").unwrap_or_default().to_owned(),
        )
    }
}

/// `<ns1:name>content</ns1:name>`.
pub fn x(name: &str, content: impl std::fmt::Display) -> String {
    format!("<ns1:{name}>{content}</ns1:{name}>")
}

/// A SOAP 1.1 envelope around an operation element written with the `ns1` prefix.
pub fn envelope(operation: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="{ENV_NS}" xmlns:ns1="urn:mplusqapi"><SOAP-ENV:Body>{operation}</SOAP-ENV:Body></SOAP-ENV:Envelope>"#
    )
}

/// The child elements along a path of names.
pub fn at<'a>(element: &'a Element, path: &str) -> &'a Element {
    path.split('/').fold(element, |node, name| {
        node.child(name)
            .unwrap_or_else(|| panic!("no '{name}' in '{}' (path {path})", node.name))
    })
}

pub fn number(element: &Element, name: &str) -> i64 {
    element
        .number_of(name)
        .unwrap_or_else(|| panic!("no number '{name}' in '{}'", element.name))
}

impl Mplus {
    pub async fn start() -> Self {
        Self::start_with(SandboxConfig::default()).await
    }

    pub async fn start_with(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start_local(config).await.expect("sandbox starts");
        Self {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.sandbox.mplus_addr)
    }

    /// The SOAP endpoint with the configured credentials.
    pub fn endpoint(&self) -> String {
        let config = &self.sandbox.config;
        format!(
            "{}/?ident={}&secret={}",
            self.base(),
            config.mplus_ident,
            config.mplus_secret
        )
    }

    pub async fn post_raw(&self, url: &str, body: String) -> Answer {
        let response = self
            .http
            .post(url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", "")
            .body(body)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body = Element::parse(&text)
            .ok()
            .and_then(|envelope| envelope.child("Body").and_then(|b| b.children.first().cloned()));
        Answer { status, text, body }
    }

    /// Calls an operation given as its `ns1:` element.
    pub async fn call(&self, operation: &str) -> Answer {
        self.post_raw(&self.endpoint(), envelope(operation)).await
    }

    /// `POST /_sandbox/...` with a JSON body; returns the status and the JSON answer (or null).
    pub async fn control(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .http
            .post(format!("{}/_sandbox/{path}", self.base()))
            .json(&body)
            .send()
            .await
            .expect("control request sent");
        let status = response.status().as_u16();
        let json = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, json)
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        self.http
            .get(format!("{}/_sandbox/{path}", self.base()))
            .send()
            .await
            .expect("control request sent")
            .json()
            .await
            .expect("JSON answer")
    }

    /// `getOrders` from a marker with a limit (and lines), returning the order elements.
    pub async fn orders_page(&self, marker: i64, limit: i64, extra: &str) -> Vec<Element> {
        let request = format!("{}{}{extra}", x("syncMarker", marker), x("syncMarkerLimit", limit));
        let answer = self.call(&x("getOrders", x("request", request))).await;
        at(answer.ok(), "orderList").children.clone()
    }

    pub async fn markers(&self) -> Element {
        self.call("<ns1:getCurrentSyncMarkers/>").await.ok().clone()
    }
}
