//! Simulators of the two outside systems Koppel connects: AFAS Profit (REST App connector) and MplusKASSA
//! (SOAP). They speak the real protocols, validate what they receive against the vendors' published
//! schemas, and are driven by tests, benchmarks and the trial demo through `/_sandbox/` controls. Besides the
//! default shop, each trial company gets a shop of its own, reached by its credentials ([`shops`]).

pub mod afas;
pub mod control;
mod delay;
pub mod mplus;
pub mod shops;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use shops::{DEFAULT_MAX_SHOPS, ShopCredentials, ShopId, Shops};

/// The data part of the AFAS token the sandbox accepts by default (64 hex characters).
pub const DEFAULT_AFAS_TOKEN_DATA: &str = "6B6F7070656C2D73616E64626F782D746F6B656E2D3030303030303030303030";
pub const DEFAULT_MPLUS_IDENT: &str = "koppel-sandbox";
pub const DEFAULT_MPLUS_SECRET: &str = "sandbox-secret";

/// How to seed and secure both simulators.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Seed of the deterministic data generator: the same seed gives the same shop.
    pub seed: u64,
    /// How many MplusKASSA orders to generate.
    pub orders: usize,
    /// The 64-hex data part of the AFAS token that is accepted.
    pub afas_token_data: String,
    pub mplus_ident: String,
    pub mplus_secret: String,
    /// How many company shops are held at once ([`shops`]); the least recently used one makes room.
    pub max_shops: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            orders: 200,
            afas_token_data: DEFAULT_AFAS_TOKEN_DATA.to_owned(),
            mplus_ident: DEFAULT_MPLUS_IDENT.to_owned(),
            mplus_secret: DEFAULT_MPLUS_SECRET.to_owned(),
            max_shops: DEFAULT_MAX_SHOPS,
        }
    }
}

impl SandboxConfig {
    /// Why the simulators cannot start with this configuration, if they cannot (the AFAS token must look like
    /// AFAS's, or no client could send it).
    pub fn check(&self) -> Result<(), String> {
        let data = &self.afas_token_data;
        if data.len() != 64 || !data.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "the AFAS token data must be 64 hexadecimal characters (it has {})",
                data.len()
            ));
        }
        if self.max_shops == 0 {
            return Err("the sandbox must be able to hold at least one company shop".to_owned());
        }
        Ok(())
    }

    /// The full AFAS token XML for the accepted data part, as an AFAS user would paste it.
    pub fn afas_token_xml(&self) -> String {
        format!(
            "<token><version>1</version><data>{}</data></token>",
            self.afas_token_data
        )
    }
}

/// Both simulators, listening.
#[derive(Debug)]
pub struct Sandbox {
    pub config: SandboxConfig,
    /// The shops both simulators serve: the default one and the company shops.
    pub shops: Shops,
    /// The AFAS address; the REST services are under `{afas_url}/ProfitRestServices/`.
    pub afas_addr: SocketAddr,
    /// The MplusKASSA SOAP endpoint's address (`POST /`).
    pub mplus_addr: SocketAddr,
    /// Connections each simulator accepted.
    afas_accepted: Arc<AtomicUsize>,
    mplus_accepted: Arc<AtomicUsize>,
    /// Requests each simulator answered, its `/_sandbox/` controls left out.
    afas_requests: Arc<AtomicUsize>,
    mplus_requests: Arc<AtomicUsize>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds both simulators (port 0 picks a free port) and serves them on the current runtime; refuses a
    /// configuration they cannot serve ([`SandboxConfig::check`]).
    pub async fn start(
        config: SandboxConfig,
        afas_listen: SocketAddr,
        mplus_listen: SocketAddr,
    ) -> std::io::Result<Self> {
        config.check().map_err(std::io::Error::other)?;
        let afas_listener = TcpListener::bind(afas_listen).await?;
        let mplus_listener = TcpListener::bind(mplus_listen).await?;
        let afas_addr = afas_listener.local_addr()?;
        let mplus_addr = mplus_listener.local_addr()?;
        let shops = Shops::new(&config);
        let (afas_requests, mplus_requests) = (Arc::default(), Arc::default());
        let afas_app = afas::router(&shops)
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&afas_requests),
                count_request,
            ))
            .into_make_service_with_connect_info::<SocketAddr>();
        let mplus_app = mplus::router(&shops)
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&mplus_requests),
                count_request,
            ))
            .into_make_service_with_connect_info::<SocketAddr>();
        let (afas_accepted, mplus_accepted) = (Arc::default(), Arc::default());
        let afas_listener = afas_listener.tap_io(counting(&afas_accepted));
        let mplus_listener = mplus_listener.tap_io(counting(&mplus_accepted));
        let tasks = vec![
            tokio::spawn(async move {
                if let Err(error) = axum::serve(afas_listener, afas_app).await {
                    tracing::error!(%error, "AFAS simulator stopped");
                }
            }),
            tokio::spawn(async move {
                if let Err(error) = axum::serve(mplus_listener, mplus_app).await {
                    tracing::error!(%error, "MplusKASSA simulator stopped");
                }
            }),
        ];
        Ok(Self {
            config,
            shops,
            afas_addr,
            mplus_addr,
            afas_accepted,
            mplus_accepted,
            afas_requests,
            mplus_requests,
            tasks,
        })
    }

    /// Starts both simulators on free loopback ports (tests and benchmarks).
    pub async fn start_local(config: SandboxConfig) -> std::io::Result<Self> {
        let any: SocketAddr = "127.0.0.1:0".parse().expect("literal address");
        Self::start(config, any, any).await
    }

    /// Base URL of the AFAS simulator, e.g. `http://127.0.0.1:8181` (append `/ProfitRestServices/...`).
    pub fn afas_url(&self) -> String {
        format!("http://{}", self.afas_addr)
    }

    /// URL of the MplusKASSA simulator's SOAP endpoint, e.g. `http://127.0.0.1:8182/`.
    pub fn mplus_url(&self) -> String {
        format!("http://{}/", self.mplus_addr)
    }

    /// How many connections the AFAS simulator accepted so far (a client that reuses its connections opens
    /// few).
    pub fn afas_connections(&self) -> usize {
        self.afas_accepted.load(Ordering::Relaxed)
    }

    /// How many requests the AFAS simulator answered so far (not counting its `/_sandbox/` controls).
    pub fn afas_requests(&self) -> usize {
        self.afas_requests.load(Ordering::Relaxed)
    }

    /// How many requests the MplusKASSA simulator answered so far (not counting its `/_sandbox/` controls).
    pub fn mplus_requests(&self) -> usize {
        self.mplus_requests.load(Ordering::Relaxed)
    }

    /// How many connections the MplusKASSA simulator accepted so far.
    pub fn mplus_connections(&self) -> usize {
        self.mplus_accepted.load(Ordering::Relaxed)
    }
}

/// Counts a request to the simulated service (a benchmark's calls per order).
async fn count_request(
    axum::extract::State(count): axum::extract::State<Arc<AtomicUsize>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !request.uri().path().starts_with("/_sandbox/") {
        count.fetch_add(1, Ordering::Relaxed);
    }
    next.run(request).await
}

/// Counts each connection a listener accepts.
fn counting(count: &Arc<AtomicUsize>) -> impl FnMut(&mut tokio::net::TcpStream) + Send + 'static {
    let count = count.clone();
    move |_| {
        count.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_a_valid_configuration() {
        assert_eq!(SandboxConfig::default().check(), Ok(()));
        let short = SandboxConfig {
            afas_token_data: "AB".into(),
            ..SandboxConfig::default()
        };
        assert!(short.check().unwrap_err().contains("64 hexadecimal"));
    }
}
