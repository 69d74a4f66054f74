//! `koppel serve`: the web application.

use std::time::Duration;

use anyhow::Context;
use clap::Args;
use koppel_web::{AppState, DemoSandbox, MetricsAccess, RateLimits, WebConfig};
use tokio::net::TcpListener;

use crate::config::{CommonArgs, Environment, redact_url};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Address to listen on.
    #[arg(long, env = "KOPPEL_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The public URL of this installation (an https URL turns on Secure cookies and HSTS).
    /// Default: http://<KOPPEL_LISTEN>.
    #[arg(long, env = "KOPPEL_BASE_URL")]
    pub base_url: Option<String>,
    /// Master secret (at least 32 characters) for sessions and stored credentials. Required in production;
    /// in development one is generated into the data folder.
    #[arg(long, env = "KOPPEL_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// How long a sign-in lasts, in hours.
    #[arg(long, env = "KOPPEL_SESSION_HOURS", default_value_t = 168)]
    pub session_hours: u64,
    /// Trust the last `X-Forwarded-For` hop as the client address (only behind your own reverse proxy).
    #[arg(long, env = "KOPPEL_BEHIND_PROXY", default_value_t = false)]
    pub behind_proxy: bool,
    /// Sign-in attempts allowed per e-mail address per minute.
    #[arg(long, env = "KOPPEL_LOGIN_LIMIT_PER_EMAIL", default_value_t = 5)]
    pub login_limit_per_email: u32,
    /// Sign-in attempts allowed per client address per minute.
    #[arg(long, env = "KOPPEL_LOGIN_LIMIT_PER_IP", default_value_t = 30)]
    pub login_limit_per_ip: u32,
    /// Signups allowed per client address per hour.
    #[arg(long, env = "KOPPEL_SIGNUP_LIMIT_PER_IP", default_value_t = 20)]
    pub signup_limit_per_ip: u32,
    /// The public IP address Koppel's outgoing requests come from; the wizard tells users to allow it in
    /// AFAS's App connector IP restriction.
    #[arg(long, env = "KOPPEL_EGRESS_IP")]
    pub egress_ip: Option<String>,
    /// The bearer token `/metrics` requires (`Authorization: Bearer <token>`). Unset: open in development, 404
    /// in production.
    #[arg(long, env = "KOPPEL_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Start the MplusKASSA and AFAS simulators in-process for "try it with the sandbox"
    /// (default: on in development, off in production).
    #[arg(long, env = "KOPPEL_DEMO_SANDBOX")]
    pub demo_sandbox: Option<bool>,
    /// Where the in-process AFAS simulator listens.
    #[arg(long, env = "KOPPEL_SANDBOX_AFAS_LISTEN", default_value = "127.0.0.1:8181")]
    pub sandbox_afas_listen: std::net::SocketAddr,
    /// Run the background work (flow runs, scheduler, alerts, retention) in this process too.
    #[arg(long, env = "KOPPEL_RUN_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub run_worker: bool,
    #[command(flatten)]
    pub background: crate::worker::BackgroundArgs,
    /// Where the in-process MplusKASSA simulator listens.
    #[arg(long, env = "KOPPEL_SANDBOX_MPLUS_LISTEN", default_value = "127.0.0.1:8182")]
    pub sandbox_mplus_listen: std::net::SocketAddr,
    /// How many companies' demo shops the in-process simulators hold at once (about 1 MB each); the least
    /// recently used one makes room and comes back as seeded.
    #[arg(long, env = "KOPPEL_SANDBOX_MAX_SHOPS", default_value_t = koppel_sandbox::DEFAULT_MAX_SHOPS)]
    pub sandbox_max_shops: usize,
}

/// Starts the simulators for the trial demo; a busy port turns the demo off with a warning, not an error.
async fn start_demo_sandbox(args: &ServeArgs) -> Option<(koppel_sandbox::Sandbox, DemoSandbox)> {
    let wanted = args.demo_sandbox.unwrap_or(args.common.env == Environment::Development);
    if !wanted {
        return None;
    }
    let config = koppel_sandbox::SandboxConfig {
        max_shops: args.sandbox_max_shops,
        ..koppel_sandbox::SandboxConfig::default()
    };
    match koppel_sandbox::Sandbox::start(config, args.sandbox_afas_listen, args.sandbox_mplus_listen).await {
        Ok(sandbox) => {
            let demo = DemoSandbox {
                afas_url: sandbox.afas_url(),
                mplus_url: sandbox.mplus_url(),
                shops: sandbox.shops.clone(),
            };
            tracing::info!(afas = %demo.afas_url, mplus = %demo.mplus_url, "demo sandbox running");
            Some((sandbox, demo))
        }
        Err(error) => {
            tracing::warn!(%error, "could not start the demo sandbox; \"try it with the sandbox\" is off");
            None
        }
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    args.common.init_logging();
    crate::open_files::raise_limit();
    let secret_key = args.common.secret_key(args.secret_key.as_deref())?;
    let url = args.common.database_url()?;
    let db = koppel_jobs::settings::connect_and_migrate(&url)
        .await
        .with_context(|| format!("opening the database {}", redact_url(&url)))?;
    let listener = TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {} (KOPPEL_LISTEN)", args.listen))?;
    let address = listener.local_addr()?;
    // Kept alive until the server stops.
    let demo = start_demo_sandbox(&args).await;
    // In production the demo sandbox (when an operator turns it on) is the one local address Koppel may call.
    let sandbox_addresses = match demo {
        Some(_) => vec![args.sandbox_afas_listen, args.sandbox_mplus_listen],
        None => Vec::new(),
    };
    args.common.install_outbound_policy(&sandbox_addresses)?;
    let config = WebConfig {
        base_url: args.base_url.unwrap_or_else(|| format!("http://{address}")),
        secret_key,
        previous_secret_keys: args.common.previous_keys(),
        session_ttl: Duration::from_secs(args.session_hours * 3600),
        rate_limits: RateLimits {
            login_per_ip_per_minute: args.login_limit_per_ip,
            login_per_email_per_minute: args.login_limit_per_email,
            signup_per_ip_per_hour: args.signup_limit_per_ip,
        },
        behind_proxy: args.behind_proxy,
        egress_ip: args.egress_ip.clone(),
        metrics_access: match (&args.metrics_token, args.common.env) {
            (Some(token), _) if !token.is_empty() => MetricsAccess::Token(token.clone()),
            (_, Environment::Development) => MetricsAccess::Open,
            (_, Environment::Production) => {
                tracing::warn!("KOPPEL_METRICS_TOKEN is not set: /metrics answers 404 in production");
                MetricsAccess::Off
            }
        },
        demo_sandbox: demo.as_ref().map(|(_, info)| info.clone()),
    };
    tracing::info!(%address, base_url = %config.base_url, database = %redact_url(&url), "Koppel is listening");
    println!("Koppel is running at {}", config.base_url);
    let (stop_background, background_stopped) = tokio::sync::oneshot::channel::<()>();
    let background = match args.run_worker {
        true => Some(
            crate::worker::start(
                db.clone(),
                &args.common,
                &args.background,
                secrets_for(&config)?,
                &config.base_url,
                async {
                    let _ = background_stopped.await;
                },
            )
            .await?,
        ),
        false => None,
    };
    let state = AppState::new(db.clone(), config).await?;
    koppel_web::serve(listener, state, shutdown_signal()).await?;
    // The web server has drained; let the worker finish its current run.
    let _ = stop_background.send(());
    if let Some(handle) = background {
        handle.await??;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn secrets_for(config: &WebConfig) -> anyhow::Result<koppel_store::secrets::SecretBox> {
    Ok(koppel_store::secrets::SecretBox::new(&config.secret_key)?.with_previous(&config.previous_secret_keys)?)
}

/// Resolves on Ctrl-C or SIGTERM: requests in flight finish, new connections are refused.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down gracefully");
}
