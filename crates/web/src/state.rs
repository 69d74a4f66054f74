use std::sync::Arc;

use koppel_store::Db;
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
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> anyhow::Result<Self> {
        let tokens = TokenKeys::derive(&config.secret_key)?;
        let limiters = Limiters::new(&config.rate_limits);
        Ok(Self {
            db,
            tokens: Arc::new(tokens),
            limiters: Arc::new(limiters),
            metrics: crate::ops::metrics_handle(),
            config: Arc::new(config),
        })
    }
}
