//! One place where HTTP happens: the concurrency cap, the timeout, retries, the classification of AFAS's
//! answers into [`AfasError`], metrics and the exchange hook.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;

use crate::exchange::{Exchange, ExchangeHook};
use crate::limiter::Limiter;
use crate::{AfasError, AfasToken, Environment, RetryPolicy};

/// The answer to a successful call.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: String,
}

/// What one call sends.
pub(crate) struct Call<'a> {
    /// For metrics, logs and the hook: the connector or endpoint name.
    pub operation: &'a str,
    pub method: Method,
    pub url: Url,
    pub body: Option<String>,
}

pub(crate) struct Transport {
    pub http: reqwest::Client,
    pub environment: Environment,
    pub token: AfasToken,
    pub limiter: Limiter,
    pub retry: RetryPolicy,
    pub hook: Option<Arc<dyn ExchangeHook>>,
}

/// A maintenance 503 that names no `retry_after` is waited out this long.
const DEFAULT_MAINTENANCE_WAIT: Duration = Duration::from_secs(60);

impl Transport {
    /// The URL of a path below the base URL, e.g. `connectors/FbSales`.
    pub fn url(&self, path: &str) -> Result<Url, AfasError> {
        Url::parse(&format!("{}/{path}", self.environment.base_url()))
            .map_err(|e| AfasError::InvalidRequest(format!("bad URL for {path}: {e}")))
    }

    /// Sends the call, retrying as the policy allows.
    pub async fn execute(&self, call: Call<'_>) -> Result<Reply, AfasError> {
        let is_write = call.method != Method::GET;
        let mut attempt = 1;
        loop {
            match self.attempt(&call, attempt).await {
                Ok(reply) => return Ok(reply),
                Err(error) => match self.retry.delay_after(attempt, &error, is_write) {
                    Some(delay) => {
                        tracing::info!(operation = call.operation, attempt, error = %error, ?delay, "retrying AFAS call");
                        tokio::time::sleep(delay).await;
                        attempt += 1;
                    }
                    None => return Err(error),
                },
            }
        }
    }

    async fn attempt(&self, call: &Call<'_>, attempt: u32) -> Result<Reply, AfasError> {
        let mut request = self
            .http
            .request(call.method.clone(), call.url.clone())
            .header(reqwest::header::AUTHORIZATION, self.token.header_value())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = &call.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json;charset=utf-8")
                .body(body.clone());
        }

        let permit = self.limiter.acquire().await;
        let started = Instant::now();
        let received = match request.send().await {
            Ok(response) => {
                let status = response.status();
                let headers = Headers::of(&response);
                response
                    .text()
                    .await
                    .map(|body| (status, body, headers))
                    .map_err(|e| transport_error(&e))
            }
            Err(e) => Err(transport_error(&e)),
        };
        let duration = started.elapsed();
        drop(permit);

        let (status, body, outcome) = match received {
            Ok((status, body, headers)) => {
                let outcome = classify(status, &body, &headers, call.url.path());
                (Some(status.as_u16()), Some(body), outcome)
            }
            Err(error) => (None, None, Err(error)),
        };
        self.report(call, attempt, status, body.as_deref(), duration, outcome.as_ref().err());
        outcome.map(|()| Reply {
            status: status.unwrap_or_default(),
            body: body.unwrap_or_default(),
        })
    }

    fn report(
        &self,
        call: &Call<'_>,
        attempt: u32,
        status: Option<u16>,
        body: Option<&str>,
        duration: Duration,
        error: Option<&AfasError>,
    ) {
        let outcome = error.map_or("ok", AfasError::class);
        metrics::counter!(
            "koppel_client_requests_total",
            "system" => "afas",
            "operation" => call.operation.to_owned(),
            "outcome" => outcome,
        )
        .increment(1);
        metrics::histogram!(
            "koppel_client_request_duration_seconds",
            "system" => "afas",
            "operation" => call.operation.to_owned(),
        )
        .record(duration.as_secs_f64());
        tracing::debug!(operation = call.operation, method = %call.method, ?status, ?duration, outcome, "AFAS call");
        if let Some(hook) = &self.hook {
            hook.on_exchange(&Exchange {
                operation: call.operation.to_owned(),
                attempt,
                method: call.method.to_string(),
                url: call.url.to_string(),
                request_body: call.body.clone(),
                status,
                response_body: body.map(str::to_owned),
                duration,
                error: error.map(|e| e.class().to_owned()),
            });
        }
    }
}

fn transport_error(error: &reqwest::Error) -> AfasError {
    AfasError::Transient {
        message: error_chain(error),
        // Only a failed connect proves AFAS never saw the request.
        may_have_been_processed: !error.is_connect(),
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The error body AFAS sends with a 500.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfitError {
    external_message: String,
    #[serde(default)]
    error_number: i64,
    #[serde(default)]
    profit_log_reference: String,
}

/// The body of a maintenance 503: `{"error":{...},"retry_after":7200}`.
#[derive(Deserialize)]
struct MaintenanceBody {
    retry_after: Option<u64>,
}

/// The response headers [`classify`] reads.
#[derive(Default)]
struct Headers {
    /// `Retry-After` in seconds.
    retry_after: Option<u64>,
    /// `Location` without its query string.
    location: Option<String>,
}

impl Headers {
    fn of(response: &reqwest::Response) -> Self {
        let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
        Self {
            retry_after: header(reqwest::header::RETRY_AFTER).and_then(|v| v.trim().parse().ok()),
            location: header(reqwest::header::LOCATION).map(|v| v.split('?').next().unwrap_or_default().to_owned()),
        }
    }
}

/// Words AFAS uses when a record or booking layout is locked by another user (English and Dutch).
const LOCK_WORDS: [&str; 3] = ["locked", "vergrendeld", "in gebruik"];

fn classify(status: StatusCode, body: &str, headers: &Headers, path: &str) -> Result<(), AfasError> {
    if status.is_success() {
        return Ok(());
    }
    Err(match status.as_u16() {
        401 => AfasError::Unauthorized,
        403 => AfasError::IpBlocked,
        404 => AfasError::NotFound { path: path.to_owned() },
        413 => AfasError::TooLarge,
        503 => {
            let from_body = serde_json::from_str::<MaintenanceBody>(body)
                .ok()
                .and_then(|b| b.retry_after);
            match from_body.or(headers.retry_after) {
                Some(seconds) => AfasError::Maintenance {
                    retry_after: Duration::from_secs(seconds),
                },
                None if body.trim().is_empty() => AfasError::Transient {
                    message: "503 without a body".into(),
                    may_have_been_processed: false,
                },
                None => AfasError::Maintenance {
                    retry_after: DEFAULT_MAINTENANCE_WAIT,
                },
            }
        }
        code @ 500..=599 => match serde_json::from_str::<ProfitError>(body) {
            Ok(error) if is_lock(&error.external_message) => AfasError::Locked {
                external_message: error.external_message,
                log_reference: error.profit_log_reference,
            },
            Ok(error) => AfasError::Rejected {
                external_message: error.external_message,
                error_number: error.error_number,
                log_reference: error.profit_log_reference,
            },
            Err(_) => AfasError::Transient {
                message: format!("HTTP {code} without an AFAS error body"),
                may_have_been_processed: true,
            },
        },
        code @ 300..=399 => AfasError::Redirected {
            status: code,
            location: headers
                .location
                .clone()
                .unwrap_or_else(|| "an address it does not name".to_owned()),
        },
        code => AfasError::Unexpected {
            status: code,
            message: koppel_outbound::excerpt(body),
        },
    })
}

fn is_lock(message: &str) -> bool {
    let message = message.to_lowercase();
    LOCK_WORDS.iter().any(|word| message.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_status(status: u16, body: &str) -> AfasError {
        classify(StatusCode::from_u16(status).unwrap(), body, &Headers::default(), "/p").unwrap_err()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Whatever AFAS (or a proxy before it) answers with an error status, it is read into an error that says
        /// what happened, never a panic: arbitrary bodies, and AFAS's error document with odd values.
        #[test]
        fn any_error_answer_is_classified_without_a_panic(
            status in 400u16..600,
            body in "\\PC{0,200}",
            message in "\\PC{0,40}",
            retry in proptest::prelude::any::<i64>(),
        ) {
            let _ = classify_status(status, &body);
            let document = serde_json::json!({"externalMessage": message, "errorNumber": retry,
                "profitLogReference": message, "retry_after": retry});
            let error = classify_status(status, &document.to_string());
            let _ = (error.to_string(), error.retry_after(), error.is_retryable());
        }
    }

    #[test]
    fn answers_are_classified_as_afas_documents_them() {
        assert!(matches!(classify_status(401, ""), AfasError::Unauthorized));
        assert!(matches!(classify_status(403, ""), AfasError::IpBlocked));
        assert!(matches!(classify_status(413, ""), AfasError::TooLarge));
        assert!(matches!(classify_status(404, ""), AfasError::NotFound { .. }));
        let maintenance = classify_status(
            503,
            r#"{"error":{"code":"503","message":"maintenance"},"retry_after":7}"#,
        );
        assert_eq!(maintenance.retry_after(), Some(Duration::from_secs(7)));
        let rejected = classify_status(
            500,
            r#"{"externalMessage":"The entered value for 'Employee' does not exist.","errorNumber":-2147220469,"profitLogReference":"ABC"}"#,
        );
        assert!(matches!(
            &rejected,
            AfasError::Rejected {
                error_number: -2147220469,
                ..
            }
        ));
        assert!(!rejected.is_retryable());
        let locked = classify_status(
            500,
            r#"{"externalMessage":"Record is locked by another user","errorNumber":-1}"#,
        );
        assert!(matches!(locked, AfasError::Locked { .. }) && locked.is_retryable());
        let bare = classify_status(502, "");
        assert!(matches!(bare, AfasError::Transient { .. }) && bare.may_have_been_processed());
        assert!(matches!(
            classify_status(400, "bad"),
            AfasError::Unexpected { status: 400, .. }
        ));
    }
}
