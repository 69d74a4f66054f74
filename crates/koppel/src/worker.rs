//! `koppel worker`, and the same background work inside `koppel serve`: job workers and the scheduler,
//! alert delivery, and retention purges.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use koppel_jobs::alerts::{self, Deliverer, MailTransport};
use koppel_jobs::connect::ClientConnectors;
use koppel_jobs::worker::{self, WorkerOptions};
use koppel_jobs::{Executor, JobQueue, RunPolicy, maintenance};
use koppel_store::Db;
use koppel_store::secrets::SecretBox;

use crate::config::{CommonArgs, Environment, redact_url};

/// Settings of the background work (shared by `serve` and `worker`).
#[derive(Debug, Clone, Args)]
pub struct BackgroundArgs {
    /// Runs this process executes at once.
    #[arg(long, env = "KOPPEL_WORKER_CONCURRENCY", default_value_t = 4)]
    pub worker_concurrency: usize,
    /// SMTP server for alert e-mail, e.g. `smtps://user:password@smtp.example.com:465`. Without it, e-mail
    /// is written as files into `<KOPPEL_DATA_DIR>/mail/` (fine for development).
    #[arg(long, env = "KOPPEL_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of alert e-mail.
    #[arg(long, env = "KOPPEL_MAIL_FROM", default_value = "Koppel <koppel@localhost>")]
    pub mail_from: String,
    /// How long a worker holds a run without renewing its lease (it renews it every quarter of this); after a
    /// process dies, its runs are taken over by a live one within about this time.
    #[arg(long, env = "KOPPEL_RUN_LEASE_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(2..=3600))]
    pub run_lease_seconds: u64,
    /// A running run that books nothing for this long is reported stuck (red health light and an alert).
    #[arg(long, env = "KOPPEL_STUCK_AFTER_MINUTES", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub stuck_after_minutes: u64,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub background: BackgroundArgs,
    /// Master secret (the same as the web processes'): it opens the stored credentials.
    #[arg(long, env = "KOPPEL_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// The public URL of the web application, for links in alerts.
    #[arg(long, env = "KOPPEL_BASE_URL", default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
}

/// Starts workers, scheduler, alert delivery and retention on the current runtime; they stop with the process
/// or when `shutdown` resolves (workers finish their current run).
pub async fn start(
    db: Db,
    common: &CommonArgs,
    background: &BackgroundArgs,
    secrets: SecretBox,
    base_url: &str,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<tokio::task::JoinHandle<anyhow::Result<()>>> {
    let queue = JobQueue::connect(&db).await?;
    let mut executor = Executor::new(db.clone(), queue, ClientConnectors::new(secrets.clone()));
    executor.policy = RunPolicy {
        stuck_after: Duration::from_secs(background.stuck_after_minutes * 60),
        ..RunPolicy::with_lease(Duration::from_secs(background.run_lease_seconds))
    };
    let executor = Arc::new(executor);
    let transport = match &background.smtp_url {
        Some(url) if !url.is_empty() => MailTransport::Smtp(url.clone()),
        _ => {
            if common.env == Environment::Production {
                tracing::warn!("KOPPEL_SMTP_URL is not set: alert e-mail is written to the mail folder");
            }
            MailTransport::Folder(common.data_dir.join("mail"))
        }
    };
    let deliverer = Deliverer {
        db: db.clone(),
        secrets,
        transport,
        from: background.mail_from.clone(),
        base_url: base_url.trim_end_matches('/').to_owned(),
        http: alerts::webhook_client(),
    };
    let alerts = tokio::spawn(alerts::delivery_loop(deliverer, Duration::from_secs(10)));
    let retention = tokio::spawn(maintenance::retention_loop(db, Duration::from_secs(3600)));
    let options = WorkerOptions {
        concurrency: background.worker_concurrency.max(1),
        ..WorkerOptions::default()
    };
    Ok(tokio::spawn(async move {
        let result = worker::run(executor, options, shutdown).await;
        alerts.abort();
        retention.abort();
        result
    }))
}

pub async fn run(args: WorkerArgs) -> anyhow::Result<()> {
    args.common.init_logging();
    args.common.install_outbound_policy(&[])?;
    crate::open_files::raise_limit();
    let secret_key = args.common.secret_key(args.secret_key.as_deref())?;
    let url = args.common.database_url()?;
    let db = koppel_jobs::settings::connect_and_migrate(&url)
        .await
        .with_context(|| format!("opening the database {}", redact_url(&url)))?;
    tracing::info!(database = %redact_url(&url), "worker started");
    let secrets = SecretBox::new(&secret_key)?.with_previous(&args.common.previous_keys())?;
    let handle = start(
        db.clone(),
        &args.common,
        &args.background,
        secrets,
        &args.base_url,
        crate::serve::shutdown_signal(),
    )
    .await?;
    handle.await??;
    db.close().await;
    tracing::info!("worker stopped");
    Ok(())
}
