//! The HTTP clients under [`MplusClient`](crate::MplusClient)s, one per set of timeouts, shared by every
//! client built with them. Building a reqwest client loads the system's root certificates (about 4 ms of CPU
//! and 120 kB kept); a worker that opened a client per run paid that for every run of every shop. Shared,
//! connections to one shop's API are also reused across its runs. Pooling is per host and every call carries
//! its own credentials, so sharing mixes no shop's calls with another's.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// An idle connection is closed after this: long enough for a shop's flows that run together, short enough
/// that a worker serving many shops does not keep a socket open for each.
const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// The timeout of a whole call, and of connecting.
type Timeouts = (Duration, Duration);

static SHARED: LazyLock<Mutex<HashMap<Timeouts, reqwest::Client>>> = LazyLock::new(Mutex::default);

/// The shared HTTP client with these timeouts, built on first use.
pub(crate) fn client(timeout: Duration, connect_timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    let mut shared = SHARED.lock().expect("shared HTTP clients lock");
    if let Some(client) = shared.get(&(timeout, connect_timeout)) {
        return Ok(client.clone());
    }
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(IDLE_TIMEOUT)
        // A redirect is reported, not followed (see `MplusError::Redirected`).
        .redirect(reqwest::redirect::Policy::none())
        // Every resolved address is checked against the outbound policy when connecting.
        .dns_resolver(koppel_outbound::GuardedResolver::for_process())
        .user_agent(concat!("koppel-mplus/", env!("CARGO_PKG_VERSION")))
        .build()?;
    shared.insert((timeout, connect_timeout), client.clone());
    Ok(client)
}
