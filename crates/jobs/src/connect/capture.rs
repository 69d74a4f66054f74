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
    static CAPTURED: RefCell<Vec<Attempt>>;
}

/// One HTTP attempt as the journal shows it, plus whether it failed.
#[derive(Debug, Clone)]
struct Attempt {
    exchange: Exchange,
    error: Option<String>,
}

/// Runs `call` and sums up the exchanges the clients reported meanwhile as one: the last attempt, labelled
/// with the failed attempts before it (the journal keeps one exchange per write; the retries still show).
pub async fn capture<T>(call: impl Future<Output = T>) -> (T, Option<Exchange>) {
    let (output, attempts) = CAPTURED
        .scope(RefCell::new(Vec::new()), async {
            let output = call.await;
            (output, CAPTURED.with(|buffer| buffer.take()))
        })
        .await;
    (output, summarise(attempts))
}

fn summarise(mut attempts: Vec<Attempt>) -> Option<Exchange> {
    let mut last = attempts.pop()?;
    if !attempts.is_empty() {
        let failures: Vec<String> = attempts.iter().map(describe_failure).collect();
        last.exchange.operation = format!(
            "{} (attempt {}; before: {})",
            last.exchange.operation,
            attempts.len() + 1,
            failures.join(", ")
        );
    }
    Some(last.exchange)
}

fn describe_failure(attempt: &Attempt) -> String {
    let status = attempt
        .exchange
        .status
        .map_or_else(|| "no answer".to_owned(), |status| status.to_string());
    match &attempt.error {
        Some(error) => format!("{status} {error}"),
        None => status,
    }
}

fn record(attempt: Attempt) {
    // Outside an adapter call (a connection test) there is no buffer, and nothing to keep.
    let _ = CAPTURED.try_with(|buffer| buffer.borrow_mut().push(attempt));
}

/// The hook for AFAS clients.
pub fn afas_hook() -> Arc<dyn koppel_afas::ExchangeHook> {
    Arc::new(|exchange: &koppel_afas::Exchange| {
        // A GET has no body: what was sent is the URL with its filter.
        let request = match &exchange.request_body {
            Some(body) => JsonText::from_body(Some(body)),
            None => JsonText::of(&serde_json::json!({ "url": exchange.url })),
        };
        record(Attempt {
            exchange: Exchange {
                operation: format!("{} {}", exchange.method, exchange.operation),
                request,
                status: exchange.status,
                response: JsonText::from_body(exchange.response_body.as_deref()),
            },
            error: exchange.error.clone(),
        });
    })
}

/// The hook for MplusKASSA clients.
pub fn mplus_hook() -> Arc<dyn koppel_mplus::ExchangeHook> {
    Arc::new(|exchange: &koppel_mplus::Exchange| {
        record(Attempt {
            exchange: Exchange {
                operation: exchange.operation.clone(),
                request: JsonText::of(&exchange.request_body),
                status: exchange.status,
                response: JsonText::from_body(exchange.response_body.as_deref()),
            },
            error: exchange.error.clone(),
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(status: Option<u16>, error: Option<&str>) -> Attempt {
        Attempt {
            exchange: Exchange {
                operation: "POST FbSales".into(),
                request: JsonText::default(),
                status,
                response: JsonText::default(),
            },
            error: error.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn exchanges_are_kept_per_call_and_retries_are_named() {
        let ((), exchange) = capture(async {
            record(attempt(Some(503), Some("maintenance")));
            record(attempt(None, Some("transient")));
            record(attempt(Some(201), None));
        })
        .await;
        let exchange = exchange.unwrap();
        assert_eq!(exchange.status, Some(201));
        assert_eq!(
            exchange.operation,
            "POST FbSales (attempt 3; before: 503 maintenance, no answer transient)"
        );
        let ((), none) = capture(async {}).await;
        assert!(none.is_none());
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
