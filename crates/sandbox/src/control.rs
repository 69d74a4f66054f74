//! The `/_sandbox/` control plane shared by both simulators: a request journal that tests can read and
//! clear, fault rules to inject, and a latency added to every API request.
//!
//! Protocol-specific pieces stay in the simulators: *how* a fault looks on the wire (an AFAS JSON error or
//! a SOAP Fault) is rendered by the simulator that takes the fault with [`Control::take_fault`], and the
//! operation name that goes into the journal is set by the handler with [`JournalOperation`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Bodies larger than this are not buffered for the journal (the request is rejected with 413).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// One request as the simulator saw it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JournalEntry {
    pub method: String,
    pub path: String,
    /// The connector (AFAS) or SOAP operation (MplusKASSA) the request addressed, when known.
    pub operation: Option<String>,
    pub status: u16,
    /// The request body as text (empty for GET).
    pub body: String,
}

/// Put into a response's extensions by a handler so the journal knows which operation a request was.
#[derive(Debug, Clone)]
pub struct JournalOperation(pub String);

/// What to inject. The simulator that takes the fault renders it in its own protocol.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// AFAS: 503 with `retry_after` seconds. MplusKASSA: HTTP 503 without a SOAP body.
    Unavailable {
        #[serde(default = "default_retry_after")]
        retry_after: u64,
    },
    /// AFAS: 500 "record locked" (the retry succeeds once the rule is used up). MplusKASSA: a Server fault.
    Locked,
    /// Answer normally, but only after this many milliseconds.
    Slow { ms: u64 },
    /// Close the connection without a complete response.
    Drop,
    /// MplusKASSA: a 200 response whose body is not well-formed XML.
    MalformedXml,
    /// Any status without a body (a gateway error, say).
    Status { status: u16 },
    /// A redirect elsewhere, as a web server in front of the API gives for a wrong address (`http://` where
    /// the API wants `https://`, an old host name).
    Redirect {
        #[serde(default = "default_redirect_status")]
        status: u16,
        location: String,
    },
}

fn default_redirect_status() -> u16 {
    301
}

fn default_retry_after() -> u64 {
    1
}

/// A fault rule: where it applies and how often.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FaultRule {
    /// The operation (connector or SOAP operation) it applies to; `None` or `"*"` means every operation.
    #[serde(default)]
    pub operation: Option<String>,
    /// HTTP method it applies to (e.g. `POST`); `None` means any.
    #[serde(default)]
    pub method: Option<String>,
    #[serde(flatten)]
    pub fault: FaultKind,
    /// How many matching requests it hits before it is used up; `None` means until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

/// The body of `POST /_sandbox/faults`: either one rule, or `{"rules": [...]}`; `{"rules": []}` clears them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FaultsRequest {
    Many { rules: Vec<FaultRule> },
    One(FaultRule),
}

/// The body of `POST /_sandbox/latency`.
#[derive(Debug, Deserialize, Serialize)]
pub struct LatencyRequest {
    pub ms: u64,
}

/// Shared state of the control plane of one simulator.
#[derive(Debug, Default)]
pub struct Control {
    journal: Mutex<Vec<JournalEntry>>,
    faults: Mutex<Vec<FaultRule>>,
    latency_ms: AtomicU64,
}

impl Control {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn journal(&self) -> Vec<JournalEntry> {
        self.journal.lock().expect("journal lock").clone()
    }

    pub fn clear_journal(&self) {
        self.journal.lock().expect("journal lock").clear();
    }

    pub fn record(&self, entry: JournalEntry) {
        self.journal.lock().expect("journal lock").push(entry);
    }

    /// Replaces (when `replace`) or extends the fault rules.
    pub fn set_faults(&self, rules: Vec<FaultRule>, replace: bool) {
        let mut faults = self.faults.lock().expect("faults lock");
        if replace {
            faults.clear();
        }
        faults.extend(rules);
    }

    pub fn clear_faults(&self) {
        self.faults.lock().expect("faults lock").clear();
    }

    pub fn faults(&self) -> Vec<FaultRule> {
        self.faults.lock().expect("faults lock").clone()
    }

    /// The first rule matching this request, counting one use of it; a used-up rule is removed.
    pub fn take_fault(&self, method: &str, operation: &str) -> Option<FaultKind> {
        let mut faults = self.faults.lock().expect("faults lock");
        let index = faults.iter().position(|rule| {
            let op_matches = match rule.operation.as_deref() {
                None | Some("*") => true,
                Some(op) => op.eq_ignore_ascii_case(operation),
            };
            let method_matches = rule.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method));
            op_matches && method_matches
        })?;
        let fault = faults[index].fault.clone();
        if let Some(times) = faults[index].times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                faults.remove(index);
            }
        }
        Some(fault)
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    pub fn set_latency(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Forgets journal, faults and latency (part of `POST /_sandbox/reset`).
    pub fn reset(&self) {
        self.clear_journal();
        self.clear_faults();
        self.set_latency(0);
    }
}

/// Anything holding a simulator's control plane; the simulators' per-shop states implement it, and handlers
/// take the state of the shop the request reaches as an extractor.
pub trait HasControl: Clone + Send + Sync + 'static + FromRequestParts<(), Rejection = StatusCode> {
    fn control(&self) -> &Control;
}

/// Middleware for the API routes (not the control routes): adds the configured latency, and records the
/// request and its response status in the journal.
///
/// The latency is a network round trip: the request reaches the simulator half of it after it arrived here,
/// and the answer leaves when all of it has passed, the simulator's own work included (as long as that takes
/// less than the other half). A call then takes the latency asked for, as against a real server, instead of
/// the latency plus whatever CPU the simulator needs to play AFAS or MplusKASSA on the same machine.
pub async fn journal_layer<S: HasControl>(state: S, request: Request, next: Next) -> Response {
    let arrived = std::time::Instant::now();
    let latency = state.control().latency();
    if !latency.is_zero() {
        crate::delay::wait_until(arrived + latency / 2).await;
    }
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let method = parts.method.to_string();
    let path = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default();
    let body_text = String::from_utf8_lossy(&bytes).into_owned();
    let mut response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let operation = response.extensions().get::<JournalOperation>().map(|op| op.0.clone());
    state.control().record(JournalEntry {
        method,
        path,
        operation,
        status: response.status().as_u16(),
        body: body_text,
    });
    if !latency.is_zero() {
        crate::delay::wait_until(arrived + latency).await;
    }
    // Released as the answer leaves, before it is written: a client that sends its next request as soon as it
    // has this answer finds the place free.
    drop(response.extensions_mut().remove::<HeldUntilAnswered>());
    response
}

/// Something a request holds until its answer leaves, the simulated latency included (AFAS's concurrency
/// slot): an inner layer puts it in the response's extensions, [`journal_layer`] drops it.
#[derive(Clone)]
pub struct HeldUntilAnswered(pub std::sync::Arc<dyn std::any::Any + Send + Sync>);

/// A response that starts and then breaks off: the client sees the connection drop mid-message.
pub fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox: injected dropped connection",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .body(Body::from_stream(stream))
        .expect("static response")
}

/// The answer of a [`FaultKind::Redirect`]: the status (a 3xx) with the `Location`, and no body.
pub fn redirect(status: u16, location: &str) -> Response {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(StatusCode::is_redirection)
        .unwrap_or(StatusCode::MOVED_PERMANENTLY);
    match HeaderValue::from_str(location) {
        Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            "sandbox: the redirect's location is not a header value",
        )
            .into_response(),
    }
}

pub async fn get_journal<S: HasControl>(state: S) -> Json<Vec<JournalEntry>> {
    Json(state.control().journal())
}

pub async fn delete_journal<S: HasControl>(state: S) -> StatusCode {
    state.control().clear_journal();
    StatusCode::NO_CONTENT
}

pub async fn get_faults<S: HasControl>(state: S) -> Json<Vec<FaultRule>> {
    Json(state.control().faults())
}

/// `POST /_sandbox/faults`: one rule adds to the rules; `{"rules": [...]}` replaces them all.
pub async fn post_faults<S: HasControl>(state: S, Json(request): Json<FaultsRequest>) -> StatusCode {
    match request {
        FaultsRequest::One(rule) => state.control().set_faults(vec![rule], false),
        FaultsRequest::Many { rules } => state.control().set_faults(rules, true),
    }
    StatusCode::NO_CONTENT
}

pub async fn delete_faults<S: HasControl>(state: S) -> StatusCode {
    state.control().clear_faults();
    StatusCode::NO_CONTENT
}

pub async fn post_latency<S: HasControl>(state: S, Json(request): Json<LatencyRequest>) -> StatusCode {
    state.control().set_latency(request.ms);
    StatusCode::NO_CONTENT
}

/// The generic control routes, to be merged into a simulator's router (which adds `POST /_sandbox/reset`
/// and its own data controls, and resolves the shop they act on).
pub fn routes<S: HasControl>() -> axum::Router {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/_sandbox/journal", get(get_journal::<S>).delete(delete_journal::<S>))
        .route(
            "/_sandbox/faults",
            get(get_faults::<S>).post(post_faults::<S>).delete(delete_faults::<S>),
        )
        .route("/_sandbox/latency", post(post_latency::<S>))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(operation: Option<&str>, times: Option<u32>) -> FaultRule {
        FaultRule {
            operation: operation.map(str::to_owned),
            method: None,
            fault: FaultKind::Locked,
            times,
        }
    }

    #[test]
    fn a_counted_rule_is_used_up() {
        let control = Control::new();
        control.set_faults(vec![rule(Some("FbSales"), Some(2))], false);
        assert_eq!(control.take_fault("POST", "Profit_Debtor"), None);
        assert_eq!(control.take_fault("POST", "fbsales"), Some(FaultKind::Locked));
        assert_eq!(control.take_fault("POST", "FbSales"), Some(FaultKind::Locked));
        assert_eq!(control.take_fault("POST", "FbSales"), None);
    }

    #[test]
    fn a_wildcard_rule_matches_everything_until_cleared() {
        let control = Control::new();
        control.set_faults(vec![rule(Some("*"), None)], false);
        for _ in 0..5 {
            assert!(control.take_fault("GET", "anything").is_some());
        }
        control.clear_faults();
        assert!(control.take_fault("GET", "anything").is_none());
    }

    #[test]
    fn fault_requests_parse_in_both_shapes() {
        let one: FaultsRequest =
            serde_json::from_str(r#"{"operation":"FbSales","kind":"unavailable","retry_after":3,"times":1}"#).unwrap();
        assert!(matches!(
            one,
            FaultsRequest::One(FaultRule {
                fault: FaultKind::Unavailable { retry_after: 3 },
                ..
            })
        ));
        let many: FaultsRequest = serde_json::from_str(r#"{"rules":[{"kind":"drop"}]}"#).unwrap();
        assert!(matches!(many, FaultsRequest::Many { rules } if rules.len() == 1));
    }
}
