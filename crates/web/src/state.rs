//! What every request shares: the database, the credential sealer, the queue, the limits and the configuration.

use std::sync::Arc;

use koppel_jobs::JobQueue;
use koppel_store::Db;
use koppel_store::secrets::SecretBox;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::rate_limit::Limiters;
use crate::auth::token::TokenKeys;
use crate::config::WebConfig;

/// Shared by every request. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub(crate) tokens: Arc<TokenKeys>,
    pub(crate) limiters: Arc<Limiters>,
    pub(crate) metrics: PrometheusHandle,
    /// Seals and opens stored credentials.
    pub secrets: SecretBox,
    /// Where manual runs are queued.
    pub queue: JobQueue,
}

impl AppState {
    /// Connects the job queue (creating its tables if needed) and derives the keys.
    pub async fn new(db: Db, config: WebConfig) -> anyhow::Result<Self> {
        let tokens = TokenKeys::derive(&config.secret_key)?;
        let limiters = Limiters::new(&config.rate_limits);
        let secrets = SecretBox::new(&config.secret_key)?.with_previous(&config.previous_secret_keys)?;
        let queue = JobQueue::connect(&db).await?;
        Ok(Self {
            secrets,
            queue,
            db,
            tokens: Arc::new(tokens),
            limiters: Arc::new(limiters),
            metrics: crate::ops::metrics_handle(),
            config: Arc::new(config),
        })
    }
}
