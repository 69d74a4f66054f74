//! A tenant's credentials for MplusKASSA and AFAS: plain settings as JSON, the secret sealed.

use serde::{Deserialize, Serialize};

use crate::db::on_pool;
use crate::secrets::Sealed;
use crate::{Db, Result, TenantScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    Mplus,
    Afas,
}

impl System {
    pub fn as_str(self) -> &'static str {
        match self {
            System::Mplus => "mplus",
            System::Afas => "afas",
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoredConnection {
    /// URL, ident, environment: everything but the secret.
    pub config: serde_json::Value,
    pub secret: Sealed,
    pub test_ok: bool,
    pub test_message: String,
    pub updated_at_ms: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    config: String,
    secret: Vec<u8>,
    key_id: String,
    test_ok: bool,
    test_message: String,
    updated_at_ms: i64,
}

/// The associated data a connection's secret is sealed with: it only opens in its own row.
pub fn secret_context(scope: &TenantScope, system: System) -> Vec<u8> {
    format!("connection/{}/{}", scope.tenant_id(), system.as_str()).into_bytes()
}

pub async fn save(db: &Db, scope: &TenantScope, system: System, connection: &StoredConnection) -> Result<()> {
    let config = connection.config.to_string();
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO connections (tenant_id, system, config, secret, key_id, test_ok, test_message, updated_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, system) DO UPDATE SET config = excluded.config, secret = excluded.secret,
           key_id = excluded.key_id, test_ok = excluded.test_ok, test_message = excluded.test_message,
           updated_at_ms = excluded.updated_at_ms",
    )
    .bind(scope.tenant_id().0)
    .bind(system.as_str())
    .bind(&config)
    .bind(&connection.secret.bytes)
    .bind(&connection.secret.key_id)
    .bind(connection.test_ok)
    .bind(&connection.test_message)
    .bind(connection.updated_at_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn load(db: &Db, scope: &TenantScope, system: System) -> Result<Option<StoredConnection>> {
    let row = on_pool!(db, pool => sqlx::query_as::<_, Row>(
        "SELECT config, secret, key_id, test_ok, test_message, updated_at_ms FROM connections
         WHERE tenant_id = $1 AND system = $2",
    )
    .bind(scope.tenant_id().0)
    .bind(system.as_str())
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|row| StoredConnection {
        config: serde_json::from_str(&row.config).unwrap_or(serde_json::Value::Null),
        secret: Sealed {
            key_id: row.key_id,
            bytes: row.secret,
        },
        test_ok: row.test_ok,
        test_message: row.test_message,
        updated_at_ms: row.updated_at_ms,
    }))
}
