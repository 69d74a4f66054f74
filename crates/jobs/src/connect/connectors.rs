//! [`ClientConnectors`]: the job queue's real [`Connectors`], opening a tenant's MplusKASSA and AFAS from its
//! stored credentials.
//!
//! One AFAS client is kept per environment and token and shared by all runs: it is cheap to share (its
//! connection pool stays warm) and AFAS's 8-requests-in-flight cap is per environment anyway. A MplusKASSA
//! client is built per run: cheap, as the HTTP client under it is shared (`koppel-mplus`). The orders flow's
//! settings configure the adapters (which articles are shipping, which AFAS documents existing sales are
//! looked for in), so they are read here as well.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use koppel_afas::{AfasClient, AfasToken};
use koppel_core::FlowKind;
use koppel_store::secrets::SecretBox;
use koppel_store::{Db, TenantScope, flows};
use koppel_sync::ports::ConnectorError;
use koppel_sync::settings::FlowSettings;

use super::afas_target::AfasTarget;
use super::clients::{ClientOptions, afas_client, afas_environment, mplus_client};
use super::mplus_source::MplusSource;
use crate::credentials::{self, AfasCredentials, CredentialsError};
use crate::executor::Connectors;

/// Opens tenants' connections with the real clients.
pub struct ClientConnectors {
    pub secrets: SecretBox,
    pub options: ClientOptions,
    /// Base URL → the token it was built with and the shared client.
    afas_clients: Mutex<HashMap<String, (AfasToken, Arc<AfasClient>)>>,
}

impl ClientConnectors {
    pub fn new(secrets: SecretBox) -> Self {
        Self::with_options(secrets, ClientOptions::default())
    }

    pub fn with_options(secrets: SecretBox, options: ClientOptions) -> Self {
        Self {
            secrets,
            options,
            afas_clients: Mutex::default(),
        }
    }

    /// The shared client for these credentials, built on first use.
    fn afas(&self, credentials: &AfasCredentials) -> Result<Arc<AfasClient>, ConnectorError> {
        let environment = afas_environment(credentials)?;
        let token = AfasToken::new(&credentials.token);
        let key = environment.base_url().to_ascii_lowercase();
        let mut clients = self.afas_clients.lock().expect("AFAS clients lock");
        if let Some((known, client)) = clients.get(&key)
            && *known == token
        {
            return Ok(client.clone());
        }
        let client = Arc::new(afas_client(environment, credentials, &self.options)?);
        clients.insert(key, (token, client.clone()));
        Ok(client)
    }
}

fn store_error(error: CredentialsError) -> ConnectorError {
    match error {
        CredentialsError::Store(error) => ConnectorError::transient(format!("database: {error}"), None),
        other => ConnectorError::permanent(format!(
            "the stored credentials cannot be read ({other}); enter them again"
        )),
    }
}

fn not_connected(system: &str, what: &str) -> ConnectorError {
    ConnectorError::permanent(format!(
        "{system} is not connected yet: enter its {what} under Connections"
    ))
}

/// The orders flow's settings, or the defaults when it was never set up.
async fn order_settings(db: &Db, scope: &TenantScope) -> Result<FlowSettings, ConnectorError> {
    let config = flows::get(db, scope, FlowKind::Orders)
        .await
        .map_err(|error| ConnectorError::transient(format!("database: {error}"), None))?;
    Ok(config
        .and_then(|config| serde_json::from_value(config.settings).ok())
        .unwrap_or_default())
}

impl Connectors for ClientConnectors {
    type Source = MplusSource;
    type Target = AfasTarget;

    async fn open(&self, db: &Db, scope: &TenantScope) -> Result<(MplusSource, AfasTarget), ConnectorError> {
        let mplus = credentials::load_mplus(db, &self.secrets, scope)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_connected("MplusKASSA", "URL, ident and secret"))?;
        let afas = credentials::load_afas(db, &self.secrets, scope)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_connected("AFAS", "environment and token"))?;
        let settings = order_settings(db, scope).await?;
        let source = MplusSource::for_settings(Arc::new(mplus_client(&mplus, &self.options)?), &settings);
        let target = AfasTarget::new(self.afas(&afas)?, settings.order_target);
        Ok((source, target))
    }
}
