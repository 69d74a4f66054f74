//! The MplusKASSA client: one POST per SOAP call with the credentials as query parameters, the answer
//! classified into [`MplusError`], measured, and reported to the exchange hook without the credentials.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::exchange::{Exchange, ExchangeHook};
use crate::soap::{envelope, fault_error, parse_response};
use crate::{MplusConfig, MplusError};

/// A client for one MplusKASSA API. No retries happen here: every error says whether it is retryable, and
/// the engine's job retry decides (writes are made safe by `extOrderId`/idempotency keys, not by resending).
pub struct MplusClient {
    http: reqwest::Client,
    config: MplusConfig,
    hook: Option<Arc<dyn ExchangeHook>>,
}

impl std::fmt::Debug for MplusClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MplusClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// An HTTP answer as [`MplusClient::call`] reads it.
struct Received {
    status: u16,
    /// `Location` without its query string.
    location: Option<String>,
    text: String,
}

/// Settings of a [`MplusClient`].
pub struct MplusClientBuilder {
    config: MplusConfig,
    timeout: Duration,
    connect_timeout: Duration,
    hook: Option<Arc<dyn ExchangeHook>>,
}

impl MplusClientBuilder {
    /// How long one call may take (the official client allows 600 s; default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take (the official client: 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn exchange_hook(mut self, hook: Arc<dyn ExchangeHook>) -> Self {
        self.hook = Some(hook);
        self
    }

    /// Builds the client; refused when the process's outbound policy forbids the endpoint's address
    /// (`koppel_outbound`: in production only public https addresses).
    pub fn build(self) -> Result<MplusClient, MplusError> {
        koppel_outbound::current()
            .check_url(&self.config.endpoint)
            .map_err(|refusal| MplusError::InvalidRequest(format!("MplusKASSA address refused: {refusal}")))?;
        let http = crate::http::client(self.timeout, self.connect_timeout)
            .map_err(|e| MplusError::InvalidRequest(format!("HTTP client: {e}")))?;
        Ok(MplusClient {
            http,
            config: self.config,
            hook: self.hook,
        })
    }
}

impl MplusClient {
    pub fn builder(config: MplusConfig) -> MplusClientBuilder {
        MplusClientBuilder {
            config,
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(30),
            hook: None,
        }
    }

    /// Calls `operation` with `request` as the content of the operation element.
    pub(crate) async fn call<Req, Resp>(&self, operation: &'static str, request: &Req) -> Result<Resp, MplusError>
    where
        Req: Serialize,
        Resp: DeserializeOwned + Send + 'static,
    {
        let body = envelope(operation, request)?;
        let started = Instant::now();
        let received = self.post(operation, body.clone()).await;
        let duration = started.elapsed();
        let (status, response_body, outcome) = match received {
            Ok(Received { status, location, text }) => {
                let (text, outcome) = match status {
                    200 => parse_off_task::<Resp>(operation, text).await,
                    500 if text.contains("Fault") => {
                        let fault = fault_error(operation, &text);
                        (text, Err(fault))
                    }
                    300..=399 => {
                        let location = location.unwrap_or_else(|| "an address it does not name".to_owned());
                        (text, Err(MplusError::Redirected { status, location }))
                    }
                    _ => {
                        let error = MplusError::Transport {
                            message: format!("{operation}: HTTP {status} without a SOAP fault"),
                            status: Some(status),
                            may_have_been_processed: true,
                        };
                        (text, Err(error))
                    }
                };
                (Some(status), Some(text), outcome)
            }
            Err(error) => (None, None, Err(error)),
        };
        self.report(operation, body, status, response_body, duration, outcome.as_ref().err());
        outcome
    }

    async fn post(&self, operation: &'static str, body: String) -> Result<Received, MplusError> {
        let transport_error = |e: reqwest::Error| MplusError::Transport {
            // reqwest's message contains the URL, and with it the credentials: report the kind only.
            message: format!("{operation}: {}", describe(&e)),
            status: None,
            may_have_been_processed: !e.is_connect(),
        };
        let response = self
            .http
            .post(&self.config.endpoint)
            .query(&[("ident", &self.config.ident), ("secret", &self.config.secret)])
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", operation)
            .body(body)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status().as_u16();
        // Without the query string: it would carry the credentials back if the redirect kept it.
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split('?').next().unwrap_or_default().to_owned());
        // Not `text()`: that copies the whole body (a page of orders is hundreds of kB) through a lossy decode.
        // Taken over as it is when it is UTF-8, as SOAP responses are; lossy only when it is not.
        let bytes = response.bytes().await.map_err(transport_error)?;
        let text = String::from_utf8(Vec::from(bytes))
            .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned());
        Ok(Received { status, location, text })
    }

    /// Metrics, a log line and the exchange hook, for one call.
    fn report(
        &self,
        operation: &'static str,
        request_body: String,
        status: Option<u16>,
        response_body: Option<String>,
        duration: Duration,
        error: Option<&MplusError>,
    ) {
        let outcome = error.map_or("ok", MplusError::class);
        metrics::counter!(
            "koppel_client_requests_total",
            "system" => "mplus",
            "operation" => operation,
            "outcome" => outcome,
        )
        .increment(1);
        metrics::histogram!(
            "koppel_client_request_duration_seconds",
            "system" => "mplus",
            "operation" => operation,
        )
        .record(duration.as_secs_f64());
        tracing::debug!(operation, ?status, ?duration, outcome, "MplusKASSA call");
        if let Some(hook) = &self.hook {
            hook.on_exchange(&Exchange {
                operation: operation.to_owned(),
                method: "POST".to_owned(),
                url: self.config.endpoint.clone(),
                request_body,
                status,
                response_body,
                duration,
                error: error.map(|e| e.class().to_owned()),
            });
        }
    }
}

/// Answers at least this large are read on tokio's blocking pool rather than on the calling task.
const PARSE_OFF_TASK_BYTES: usize = 64 * 1024;

/// Reads a successful answer, handing `text` back for the exchange hook. A page of 100 orders is ~680 kB and
/// takes tens of milliseconds of CPU to read: on the calling task that would hold back whatever else the task
/// keeps going (the orders flow keeps 8 AFAS requests in flight while it reads the next page), and on a
/// worker thread everything else scheduled there. Small answers are read in place: handing them over would
/// cost more than reading them.
async fn parse_off_task<Resp>(operation: &'static str, text: String) -> (String, Result<Resp, MplusError>)
where
    Resp: DeserializeOwned + Send + 'static,
{
    if text.len() < PARSE_OFF_TASK_BYTES {
        let outcome = parse_response(operation, &text);
        return (text, outcome);
    }
    let reading = tokio::task::spawn_blocking(move || {
        let outcome = parse_response(operation, &text);
        (text, outcome)
    });
    match reading.await {
        Ok(read) => read,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only when the runtime is shutting down.
        Err(_) => (
            String::new(),
            Err(MplusError::Transport {
                message: format!("{operation}: shut down while reading the answer"),
                status: Some(200),
                may_have_been_processed: true,
            }),
        ),
    }
}

/// What went wrong in reqwest, without the URL (which carries the credentials).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the response broke off"
    } else {
        "request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    if causes.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", causes.join(": "))
    }
}
