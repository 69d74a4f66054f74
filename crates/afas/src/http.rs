//! The HTTP clients under [`AfasClient`](crate::AfasClient)s, one per set of timeouts and language, shared by
//! every client built with them. Building a reqwest client loads the system's root certificates (about 4 ms
//! of CPU and 120 kB kept), once per tenant and worker before; shared, connections to one environment are
//! also reused by every client of it. Pooling is per host and every call carries its own token, so sharing
//! mixes no tenant's calls with another's.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// An idle connection is closed after this: long enough for a tenant's flows that run together, short enough
/// that a worker serving many environments does not keep a socket open for each.
const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// What a shared client is built with: the timeout of a whole request, of connecting, and `Accept-Language`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct HttpSettings {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub language: Option<reqwest::header::HeaderValue>,
}

static SHARED: LazyLock<Mutex<HashMap<HttpSettings, reqwest::Client>>> = LazyLock::new(Mutex::default);

/// The shared HTTP client with these settings, built on first use.
pub(crate) fn client(settings: HttpSettings) -> Result<reqwest::Client, reqwest::Error> {
    let mut shared = SHARED.lock().expect("shared HTTP clients lock");
    if let Some(client) = shared.get(&settings) {
        return Ok(client.clone());
    }
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(language) = &settings.language {
        headers.insert(reqwest::header::ACCEPT_LANGUAGE, language.clone());
    }
    let client = reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.connect_timeout)
        .pool_idle_timeout(IDLE_TIMEOUT)
        .default_headers(headers)
        // A redirect is reported, not followed (see `AfasError::Redirected`).
        .redirect(reqwest::redirect::Policy::none())
        // Every resolved address is checked against the outbound policy when connecting.
        .dns_resolver(koppel_outbound::GuardedResolver::for_process())
        .user_agent(concat!("koppel-afas/", env!("CARGO_PKG_VERSION")))
        .build()?;
    shared.insert(settings, client.clone());
    Ok(client)
}
