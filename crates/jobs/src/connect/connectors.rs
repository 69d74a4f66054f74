//! [`ClientConnectors`]: the job queue's real [`Connectors`], opening a tenant's MplusKASSA and AFAS from its
//! stored credentials.
//!
//! Both clients are built per run, which is cheap: what is worth sharing is shared below them, process-wide
//! (the HTTP client and its connections in both client crates, and AFAS's 8-requests-in-flight cap per
//! environment in `koppel-afas`). The orders flow's settings configure the adapters (which articles are
//! shipping, which AFAS documents existing sales are looked for in), so they are read here as well.

use std::sync::Arc;

use koppel_core::FlowKind;
use koppel_store::secrets::SecretBox;
use koppel_store::{Db, TenantScope};
use koppel_sync::ports::ConnectorError;
use koppel_sync::settings::FlowSettings;

use super::afas_target::AfasTarget;
use super::claims::CreateOnce;
use super::clients::{ClientOptions, afas_client, afas_environment, mplus_client};
use super::mplus_source::MplusSource;
use crate::credentials::{self, CredentialsError};
use crate::executor::Connectors;

/// Opens tenants' connections with the real clients.
pub struct ClientConnectors {
    pub secrets: SecretBox,
    pub options: ClientOptions,
}

impl ClientConnectors {
    pub fn new(secrets: SecretBox) -> Self {
        Self::with_options(secrets, ClientOptions::default())
    }

    pub fn with_options(secrets: SecretBox, options: ClientOptions) -> Self {
        Self { secrets, options }
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
    crate::settings::load(db, scope, FlowKind::Orders)
        .await
        .map_err(|error| ConnectorError::transient(format!("database: {error}"), None))
}

impl ClientConnectors {
    async fn open_under(
        &self,
        db: &Db,
        scope: &TenantScope,
        lease_owner: Option<&str>,
    ) -> Result<(MplusSource, AfasTarget), ConnectorError> {
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
        let afas_client = Arc::new(afas_client(afas_environment(&afas)?, &afas, &self.options)?);
        let mut claims = CreateOnce::new(db.clone(), scope.clone());
        if let Some(owner) = lease_owner {
            claims = claims.under_lease(owner);
        }
        let target = AfasTarget::new(afas_client).with_claims(claims);
        Ok((source, target))
    }
}

impl Connectors for ClientConnectors {
    type Source = MplusSource;
    type Target = AfasTarget;

    async fn open(&self, db: &Db, scope: &TenantScope) -> Result<(MplusSource, AfasTarget), ConnectorError> {
        self.open_under(db, scope, None).await
    }

    async fn open_for_run(
        &self,
        db: &Db,
        scope: &TenantScope,
        lease_owner: &str,
    ) -> Result<(MplusSource, AfasTarget), ConnectorError> {
        self.open_under(db, scope, Some(lease_owner)).await
    }
}
