//! `koppel rotate-key`: re-encrypts every stored secret under the current key. Values are opened with
//! whichever configured key sealed them (the current one or a previous one) and sealed again with the current
//! key, each under its own row's associated data. Rows already under the current key are left alone, so a
//! rotation that stopped half-way can simply be run again.

use uuid::Uuid;

use koppel_core::TenantId;

use crate::connections::{System, secret_context};
use crate::db::on_pool;
use crate::secrets::{Sealed, SecretBox, SecretError};
use crate::{Db, StoreError, TenantScope};

/// What a rotation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RotationReport {
    /// Values re-encrypted under the current key.
    pub rotated: usize,
    /// Values already under the current key.
    pub current: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value sealed by a key that is not configured (give it as a previous key), or damaged.
    #[error("{what}: {source}")]
    Secret { what: String, source: SecretError },
}

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    tenant_id: Uuid,
    system: String,
    secret: Vec<u8>,
    key_id: String,
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    tenant_id: Uuid,
    webhook_secret: Vec<u8>,
    webhook_key_id: String,
}

fn reseal(secrets: &SecretBox, sealed: &Sealed, context: &[u8], what: &str) -> Result<Sealed, RotationError> {
    let plain = secrets.open(sealed, context).map_err(|source| RotationError::Secret {
        what: what.to_owned(),
        source,
    })?;
    Ok(secrets.seal(&plain, context))
}

/// Re-encrypts connection secrets and alert webhook secrets; `dry_run` only checks that every value opens.
pub async fn rotate(db: &Db, secrets: &SecretBox, dry_run: bool) -> Result<RotationReport, RotationError> {
    let mut report = RotationReport::default();
    let connections = on_pool!(db, pool => sqlx::query_as::<_, ConnectionRow>(
        "SELECT tenant_id, system, secret, key_id FROM connections ORDER BY tenant_id, system",
    )
    .fetch_all(pool)
    .await)
    .map_err(StoreError::from)?;
    for row in connections {
        let sealed = Sealed {
            key_id: row.key_id,
            bytes: row.secret,
        };
        let system = match row.system.as_str() {
            "mplus" => System::Mplus,
            _ => System::Afas,
        };
        let context = secret_context(&TenantScope::for_background_job(TenantId(row.tenant_id)), system);
        let what = format!("the {} connection of tenant {}", row.system, row.tenant_id);
        let fresh = reseal(secrets, &sealed, &context, &what)?;
        if sealed.key_id == secrets.current_key_id() {
            report.current += 1;
            continue;
        }
        if !dry_run {
            on_pool!(db, pool => sqlx::query(
                "UPDATE connections SET secret = $1, key_id = $2 WHERE tenant_id = $3 AND system = $4",
            )
            .bind(&fresh.bytes)
            .bind(&fresh.key_id)
            .bind(row.tenant_id)
            .bind(&row.system)
            .execute(pool)
            .await
            .map(|_| ()))
            .map_err(StoreError::from)?;
        }
        report.rotated += 1;
    }
    let webhooks = on_pool!(db, pool => sqlx::query_as::<_, WebhookRow>(
        "SELECT tenant_id, webhook_secret, webhook_key_id FROM alert_settings
         WHERE webhook_secret IS NOT NULL AND webhook_key_id IS NOT NULL ORDER BY tenant_id",
    )
    .fetch_all(pool)
    .await)
    .map_err(StoreError::from)?;
    for row in webhooks {
        let sealed = Sealed {
            key_id: row.webhook_key_id,
            bytes: row.webhook_secret,
        };
        // As `koppel_jobs::alerts::webhook_context` seals it.
        let context = format!("webhook/{}", row.tenant_id).into_bytes();
        let what = format!("the alert webhook secret of tenant {}", row.tenant_id);
        let fresh = reseal(secrets, &sealed, &context, &what)?;
        if sealed.key_id == secrets.current_key_id() {
            report.current += 1;
            continue;
        }
        if !dry_run {
            on_pool!(db, pool => sqlx::query(
                "UPDATE alert_settings SET webhook_secret = $1, webhook_key_id = $2 WHERE tenant_id = $3",
            )
            .bind(&fresh.bytes)
            .bind(&fresh.key_id)
            .bind(row.tenant_id)
            .execute(pool)
            .await
            .map(|_| ()))
            .map_err(StoreError::from)?;
        }
        report.rotated += 1;
    }
    Ok(report)
}
