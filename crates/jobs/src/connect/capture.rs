//! Exchange capture: what one adapter call sent and what the other side answered, for the journal.
//!
//! Both clients report every HTTP attempt to an exchange hook. The hooks installed here append to a buffer
//! that lives in a tokio task-local for the duration of one adapter call ([`capture`]), so exchanges of
//! concurrent calls (other records, other tenants sharing a client) never mix. Neither client reports a
//! secret: the AFAS token travels in a header, the MplusKASSA ident/secret in the URL, and neither is given
//! to the hook.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;

use koppel_sync::ports::{Exchange, JsonText};

tokio::task_local! {
    static CAPTURED: Capture;
}

/// The attempts of the adapter call in progress.
struct Capture {
    /// Whether a successful attempt is kept. A write's answer is journaled; a successful MplusKASSA read's
    /// (a page of orders is ~680 kB) is not, so it is not even copied.
    keep_successes: bool,
    attempts: RefCell<Vec<Attempt>>,
}

/// One HTTP attempt as the client reported it: its parts as text, turned into an [`Exchange`] only if one is
/// needed (a write's, or a failure's).
#[derive(Debug, Clone)]
struct Attempt {
    operation: String,
    request: Sent,
    status: Option<u16>,
    response: Option<String>,
    error: Option<String>,
}

/// What an attempt sent.
#[derive(Debug, Clone)]
enum Sent {
    /// A JSON body (AFAS writes).
    Body(String),
    /// No body: the URL with its filter (AFAS GETs).
    Url(String),
    /// A SOAP envelope (MplusKASSA), kept as text.
    Text(String),
}

impl Attempt {
    fn exchange(self) -> Exchange {
        let request = match self.request {
            Sent::Body(body) => JsonText::from_body(Some(&body)),
            Sent::Url(url) => JsonText::of(&serde_json::json!({ "url": url })),
            Sent::Text(text) => JsonText::of(&text),
        };
        Exchange {
            operation: self.operation,
            request,
            status: self.status,
            response: JsonText::from_body(self.response.as_deref()),
        }
    }
}

/// The attempts of one adapter call.
#[derive(Debug, Default)]
pub struct Captured(Vec<Attempt>);

impl Captured {
    /// The call's exchanges summed up as one: the last attempt, labelled with the failed attempts before it
    /// (the journal keeps one exchange per write; the retries still show). `None` without any attempt.
    pub fn exchange(mut self) -> Option<Exchange> {
        let last = self.0.pop()?;
        let failures: Vec<String> = self.0.iter().map(describe_failure).collect();
        let mut exchange = last.exchange();
        if !failures.is_empty() {
            exchange.operation = format!(
                "{} (attempt {}; before: {})",
                exchange.operation,
                failures.len() + 1,
                failures.join(", ")
            );
        }
        Some(exchange)
    }
}

/// Runs `call` and keeps every attempt the clients reported meanwhile.
pub async fn capture<T>(call: impl Future<Output = T>) -> (T, Captured) {
    capture_as(true, call).await
}

/// Runs `call` and keeps the failed attempts the clients reported meanwhile.
pub async fn capture_failures<T>(call: impl Future<Output = T>) -> (T, Captured) {
    capture_as(false, call).await
}

async fn capture_as<T>(keep_successes: bool, call: impl Future<Output = T>) -> (T, Captured) {
    let capture = Capture {
        keep_successes,
        attempts: RefCell::default(),
    };
    CAPTURED
        .scope(capture, async {
            let output = call.await;
            (output, Captured(CAPTURED.with(|capture| capture.attempts.take())))
        })
        .await
}

fn describe_failure(attempt: &Attempt) -> String {
    let status = attempt
        .status
        .map_or_else(|| "no answer".to_owned(), |status| status.to_string());
    match &attempt.error {
        Some(error) => format!("{status} {error}"),
        None => status,
    }
}

/// Keeps the attempt `make` describes, if the call in progress wants it: made only then.
fn record(failed: bool, make: impl FnOnce() -> Attempt) {
    // Outside an adapter call (a connection test) there is no buffer, and nothing to keep.
    let _ = CAPTURED.try_with(|capture| {
        if failed || capture.keep_successes {
            capture.attempts.borrow_mut().push(make());
        }
    });
}

/// The hook for AFAS clients.
pub fn afas_hook() -> Arc<dyn koppel_afas::ExchangeHook> {
    Arc::new(|exchange: &koppel_afas::Exchange| {
        record(exchange.error.is_some(), || Attempt {
            operation: format!("{} {}", exchange.method, exchange.operation),
            request: match &exchange.request_body {
                Some(body) => Sent::Body(body.clone()),
                None => Sent::Url(exchange.url.to_string()),
            },
            status: exchange.status,
            response: exchange.response_body.clone(),
            error: exchange.error.clone(),
        });
    })
}

/// The hook for MplusKASSA clients.
pub fn mplus_hook() -> Arc<dyn koppel_mplus::ExchangeHook> {
    Arc::new(|exchange: &koppel_mplus::Exchange| {
        record(exchange.error.is_some(), || Attempt {
            operation: exchange.operation.clone(),
            request: Sent::Text(exchange.request_body.clone()),
            status: exchange.status,
            response: exchange.response_body.clone(),
            error: exchange.error.clone(),
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(status: Option<u16>, error: Option<&str>) -> Attempt {
        Attempt {
            operation: "POST FbSales".into(),
            request: Sent::Body(r#"{"FbSales":{}}"#.into()),
            status,
            response: None,
            error: error.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn exchanges_are_kept_per_call_and_retries_are_named() {
        let ((), exchange) = capture(async {
            record(true, || attempt(Some(503), Some("maintenance")));
            record(true, || attempt(None, Some("transient")));
            record(false, || attempt(Some(201), None));
        })
        .await;
        let exchange = exchange.exchange().unwrap();
        assert_eq!(exchange.status, Some(201));
        assert_eq!(exchange.request.to_value(), serde_json::json!({"FbSales": {}}));
        assert_eq!(
            exchange.operation,
            "POST FbSales (attempt 3; before: 503 maintenance, no answer transient)"
        );
        let ((), none) = capture(async {}).await;
        assert!(none.exchange().is_none());
    }

    #[tokio::test]
    async fn a_read_keeps_only_its_failed_attempts() {
        let made = std::cell::Cell::new(0);
        let read = |status, error| {
            made.set(made.get() + 1);
            attempt(Some(status), error)
        };
        let ((), succeeded) = capture_failures(async { record(false, || read(200, None)) }).await;
        assert!(succeeded.exchange().is_none());
        assert_eq!(made.get(), 0, "a successful read's answer is not even copied");
        let ((), failed) = capture_failures(async {
            record(true, || read(500, Some("server_fault")));
        })
        .await;
        assert_eq!(failed.exchange().unwrap().status, Some(500));
    }

    #[test]
    fn bodies_stay_json_when_they_are_json() {
        let body = |text: &str| JsonText::from_body(Some(text));
        assert_eq!(body(r#"{"a":1}"#).to_value(), serde_json::json!({"a": 1}));
        assert_eq!(body("<xml/>").to_value(), serde_json::json!("<xml/>"));
        assert_eq!(body(" ").as_str(), "null");
        assert_eq!(JsonText::from_body(None).as_str(), "null");
    }
}
