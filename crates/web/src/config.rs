//! The web layer's deployment settings: public URL, secrets, who may read /metrics, cookie and proxy rules.

use std::time::Duration;

/// Everything the web layer needs to know about its deployment.
#[derive(Clone)]
pub struct WebConfig {
    /// The public URL people reach Koppel at (links in mails, the Secure cookie flag, HSTS).
    pub base_url: String,
    /// Master secret; the JWT signing key and the credential key are derived from it.
    pub secret_key: Vec<u8>,
    /// Earlier master secrets whose sealed credentials must still open (during a key rotation).
    pub previous_secret_keys: Vec<Vec<u8>>,
    /// How long a sign-in lasts.
    pub session_ttl: Duration,
    pub rate_limits: RateLimits,
    /// Take the client address from the last `X-Forwarded-For` hop (only behind a trusted proxy).
    pub behind_proxy: bool,
    /// The public address Koppel's outgoing requests come from, shown for AFAS's IP restriction.
    pub egress_ip: Option<String>,
    /// The built-in simulators, when running (development): "try it with the sandbox" fills these in.
    pub demo_sandbox: Option<DemoSandbox>,
    /// Who may read `/metrics`.
    pub metrics_access: MetricsAccess,
}

/// Who may read `/metrics` (request counts and timings per route, run and queue figures: nothing for the public).
#[derive(Clone, PartialEq, Eq)]
pub enum MetricsAccess {
    /// Anyone who can reach the address (development).
    Open,
    /// Whoever sends `Authorization: Bearer <token>` (`KOPPEL_METRICS_TOKEN`).
    Token(String),
    /// Nobody: 404 (production without `KOPPEL_METRICS_TOKEN`).
    Off,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MetricsAccess::Open => "Open",
            MetricsAccess::Token(_) => "Token(<redacted>)",
            MetricsAccess::Off => "Off",
        })
    }
}

/// Where the in-process sandbox listens, and its shops: "try it with the sandbox" gives each company its own.
#[derive(Clone)]
pub struct DemoSandbox {
    /// Base URL of the AFAS simulator (the REST services are under `/ProfitRestServices/`).
    pub afas_url: String,
    /// The MplusKASSA simulator's SOAP endpoint.
    pub mplus_url: String,
    /// The simulators' shops (the same registry they serve): credentials of a company's shop, and its reset.
    pub shops: koppel_sandbox::Shops,
}

impl std::fmt::Debug for DemoSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoSandbox")
            .field("afas_url", &self.afas_url)
            .field("mplus_url", &self.mplus_url)
            .finish()
    }
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("base_url", &self.base_url)
            .field("secret_key", &"<redacted>")
            .field("session_ttl", &self.session_ttl)
            .field("rate_limits", &self.rate_limits)
            .field("behind_proxy", &self.behind_proxy)
            .field("demo_sandbox", &self.demo_sandbox)
            .field("metrics_access", &self.metrics_access)
            .finish()
    }
}

impl WebConfig {
    /// A configuration for tests and local development.
    pub fn local(secret_key: Vec<u8>) -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".to_owned(),
            secret_key,
            previous_secret_keys: Vec::new(),
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            rate_limits: RateLimits::default(),
            behind_proxy: false,
            egress_ip: None,
            demo_sandbox: None,
            metrics_access: MetricsAccess::Open,
        }
    }

    /// Served over https: cookies get `Secure` and responses get HSTS.
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Attempts allowed per key before answering 429; each refills steadily over its period.
#[derive(Debug, Clone)]
pub struct RateLimits {
    pub login_per_ip_per_minute: u32,
    pub login_per_email_per_minute: u32,
    pub signup_per_ip_per_hour: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip_per_minute: 30,
            login_per_email_per_minute: 5,
            signup_per_ip_per_hour: 20,
        }
    }
}
