//! The AFAS client: its configuration, and the connection test the set-up wizard runs.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;

use crate::exchange::ExchangeHook;
use crate::http::HttpSettings;
use crate::limiter::{Limiter, MAX_CONCURRENT_REQUESTS};
use crate::transport::{Call, Transport};
use crate::{AfasError, AfasToken, Environment, RetryPolicy};

/// A client for one AFAS environment and token. Share it behind an `Arc`; separate clients of the same
/// environment still share its in-flight cap.
pub struct AfasClient {
    pub(crate) transport: Transport,
}

impl std::fmt::Debug for AfasClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AfasClient")
            .field("environment", &self.transport.environment)
            .field("token", &self.transport.token)
            .finish_non_exhaustive()
    }
}

/// Settings of an [`AfasClient`].
pub struct AfasClientBuilder {
    environment: Environment,
    token: AfasToken,
    timeout: Duration,
    connect_timeout: Duration,
    max_in_flight: usize,
    retry: RetryPolicy,
    hook: Option<Arc<dyn ExchangeHook>>,
    language: Option<String>,
}

impl AfasClientBuilder {
    /// How long one request may take (AFAS itself gives up after 900 s; default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// This client's own cap on requests in flight, below the environment-wide 8.
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max;
        self
    }

    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Receives every request and response (without the token).
    pub fn exchange_hook(mut self, hook: Arc<dyn ExchangeHook>) -> Self {
        self.hook = Some(hook);
        self
    }

    /// `Accept-Language` for AFAS's messages: one of `en-us`, `nl-nl`, `nl-be`, `fr-fr`, `de-de`.
    pub fn language(mut self, language: &str) -> Self {
        self.language = Some(language.to_owned());
        self
    }

    /// Builds the client; refused when the process's outbound policy forbids the environment's address
    /// (`koppel_outbound`: in production only public https addresses).
    pub fn build(self) -> Result<AfasClient, AfasError> {
        koppel_outbound::current()
            .check_url(self.environment.base_url())
            .map_err(|refusal| AfasError::InvalidRequest(format!("AFAS address refused: {refusal}")))?;
        let language = self
            .language
            .as_deref()
            .map(|language| {
                language
                    .parse()
                    .map_err(|_| AfasError::InvalidRequest(format!("bad language {language:?}")))
            })
            .transpose()?;
        let http = crate::http::client(HttpSettings {
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            language,
        })
        .map_err(|e| AfasError::InvalidRequest(format!("HTTP client: {e}")))?;
        Ok(AfasClient {
            transport: Transport {
                http,
                limiter: Limiter::new(&self.environment, self.max_in_flight),
                environment: self.environment,
                token: self.token,
                retry: self.retry,
                hook: self.hook,
            },
        })
    }
}

/// The outcome of [`AfasClient::test_connection`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    /// What `/ProfitVersion` answered.
    pub profit_version: String,
    /// GetConnectors that answered their metainfo.
    pub available: Vec<String>,
    /// GetConnectors the App connector does not offer (or this token may not read).
    pub missing: Vec<String>,
}

impl ConnectionReport {
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

impl AfasClient {
    pub fn builder(environment: Environment, token: AfasToken) -> AfasClientBuilder {
        AfasClientBuilder {
            environment,
            token,
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(15),
            max_in_flight: MAX_CONCURRENT_REQUESTS,
            retry: RetryPolicy::default(),
            hook: None,
            language: None,
        }
    }

    pub fn environment(&self) -> &Environment {
        &self.transport.environment
    }

    /// Checks the token with `/ProfitVersion`, then asks the metainfo of each GetConnector the flows need.
    /// A wrong token, a blocked IP or an unreachable server is an error; missing connectors are reported.
    pub async fn test_connection(&self, get_connectors: &[&str]) -> Result<ConnectionReport, AfasError> {
        let reply = self
            .transport
            .execute(Call {
                operation: "ProfitVersion",
                method: Method::GET,
                url: self.transport.url("ProfitVersion")?,
                body: None,
            })
            .await?;
        let profit_version = read_version(&reply.body);

        let mut report = ConnectionReport {
            profit_version,
            available: Vec::new(),
            missing: Vec::new(),
        };
        for &connector in get_connectors {
            match self.get_connector_metainfo(connector).await? {
                Some(_) => report.available.push(connector.to_owned()),
                None => report.missing.push(connector.to_owned()),
            }
        }
        Ok(report)
    }

    /// A GetConnector's metainfo (`metainfo/get/{connector}`) as AFAS answered it; `None` when the App
    /// connector does not offer it: per connector, 401 means "valid token, no access to this endpoint", and
    /// 500/404 mean unknown.
    async fn get_connector_metainfo(&self, connector: &str) -> Result<Option<crate::transport::Reply>, AfasError> {
        let answer = self
            .transport
            .execute(Call {
                operation: "metainfo",
                method: Method::GET,
                url: self.transport.url(&format!("metainfo/get/{connector}"))?,
                body: None,
            })
            .await;
        match answer {
            Ok(reply) => Ok(Some(reply)),
            Err(AfasError::Unauthorized | AfasError::Rejected { .. } | AfasError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

impl AfasClient {
    /// The field ids of a GetConnector (`metainfo/get/{connector}`); `None` when the App connector does not
    /// offer it (or this token may not read it).
    pub async fn get_connector_fields(&self, connector: &str) -> Result<Option<Vec<String>>, AfasError> {
        let Some(reply) = self.get_connector_metainfo(connector).await? else {
            return Ok(None);
        };
        let metainfo: serde_json::Value = serde_json::from_str(&reply.body).map_err(|e| AfasError::Unexpected {
            status: reply.status,
            message: format!("cannot read the metainfo of {connector}: {e}"),
        })?;
        let fields = metainfo["fields"].as_array().cloned().unwrap_or_default();
        Ok(Some(
            fields
                .iter()
                .filter_map(|field| field["id"].as_str().map(str::to_owned))
                .collect(),
        ))
    }
}

/// `/ProfitVersion` answers JSON with a version field, or plain text; keep whatever names the version.
fn read_version(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => ["version", "Version", "profitVersion", "ProfitVersion"]
            .iter()
            .find_map(|key| map.get(*key))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_else(|| body.trim().to_owned()),
        Ok(serde_json::Value::String(text)) => text,
        _ => body.trim().to_owned(),
    }
}
