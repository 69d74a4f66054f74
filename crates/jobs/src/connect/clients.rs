//! Building the two clients from a tenant's credentials, with the exchange-capture hooks installed.

use std::time::Duration;

use koppel_afas::{AfasClient, AfasToken, Environment, EnvironmentType, RetryPolicy};
use koppel_mplus::{MplusClient, MplusConfig};
use koppel_sync::ports::ConnectorError;

use super::capture::{afas_hook, mplus_hook};
use crate::credentials::{AfasCredentials, MplusCredentials};

/// Timeouts and retries of the clients a run uses.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// How long one request may take.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// In-process retries of AFAS calls (safe ones only; the job queue retries the rest).
    pub afas_retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(15),
            afas_retry: RetryPolicy::default(),
        }
    }
}

/// The AFAS environment the credentials name: the `url` override, else number and type.
pub fn afas_environment(credentials: &AfasCredentials) -> Result<Environment, ConnectorError> {
    if let Some(url) = credentials.url.as_deref().map(str::trim).filter(|url| !url.is_empty()) {
        return Ok(Environment::with_base_url(url));
    }
    let number: u32 = credentials.environment.trim().parse().map_err(|_| {
        ConnectorError::permanent(format!(
            "the AFAS environment number should be digits only (e.g. 12345), not {:?}",
            credentials.environment
        ))
    })?;
    let kind = match credentials.environment_type.trim().to_lowercase().as_str() {
        "production" | "" => EnvironmentType::Production,
        "test" => EnvironmentType::Test,
        "accept" => EnvironmentType::Accept,
        other => {
            return Err(ConnectorError::permanent(format!(
                "the AFAS environment type is production, test or accept, not {other:?}"
            )));
        }
    };
    Ok(Environment::new(number, kind))
}

pub fn afas_client(
    environment: Environment,
    credentials: &AfasCredentials,
    options: &ClientOptions,
) -> Result<AfasClient, ConnectorError> {
    AfasClient::builder(environment, AfasToken::new(&credentials.token))
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout)
        .retry(options.afas_retry.clone())
        .exchange_hook(afas_hook())
        .build()
        .map_err(|error| ConnectorError::permanent(error.to_string()))
}

pub fn mplus_client(credentials: &MplusCredentials, options: &ClientOptions) -> Result<MplusClient, ConnectorError> {
    let url = credentials.url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ConnectorError::permanent(format!(
            "the MplusKASSA URL should look like https://api.mpluskassa.nl:44281, not {url:?}"
        )));
    }
    let config = MplusConfig::with_endpoint(url, credentials.ident.trim(), credentials.secret.trim());
    MplusClient::builder(config)
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout)
        .exchange_hook(mplus_hook())
        .build()
        .map_err(|error| ConnectorError::permanent(error.to_string()))
}
