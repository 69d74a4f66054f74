//! A company's company-wide settings: one JSON document per tenant that every flow reads. What its fields are
//! is `koppel_sync::settings::CompanySettings`; loading a flow's settings (this document with the flow's own)
//! and saving them split is `koppel_jobs::settings`.

use koppel_core::{FlowKind, TenantId};
use serde_json::Value;
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::db::{BeginWrite, on_pool};
use crate::{Db, Result, StoreError, TenantScope};

/// The stored document, or `None` before the company has one.
pub async fn get(db: &Db, scope: &TenantScope) -> Result<Option<Value>> {
    let row: Option<(String,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT settings FROM company_settings WHERE tenant_id = $1",
    )
    .bind(scope.tenant_id().0)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|(settings,)| serde_json::from_str(&settings).unwrap_or_default()))
}

/// Stores the document, replacing the one before.
pub async fn save(db: &Db, scope: &TenantScope, settings: &Value, now_ms: i64) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO company_settings (tenant_id, settings, updated_at_ms) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at_ms = excluded.updated_at_ms",
    )
    .bind(scope.tenant_id().0)
    .bind(settings.to_string())
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Companies without company settings: those from before they existed (and new ones that never saved any).
pub async fn tenants_without(db: &Db) -> Result<Vec<TenantId>> {
    let rows: Vec<(Uuid,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT t.id FROM tenants t WHERE NOT EXISTS (SELECT 1 FROM company_settings c WHERE c.tenant_id = t.id)
         ORDER BY t.id",
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| TenantId(id)).collect())
}

/// What a company's settings become when they are built from its flows' settings.
pub struct Adoption<'a> {
    /// The company-wide document.
    pub company: &'a Value,
    /// Each flow's settings without the company-wide fields.
    pub flows: &'a [(FlowKind, Value)],
    /// Audit entries (area, changes) to record with it, e.g. where flows disagreed.
    pub notes: &'a [(String, Vec<Change>)],
    pub actor: &'a str,
}

/// Stores `adoption` in one transaction, only if the company still has no company settings; `false` (and
/// nothing written) when it has, e.g. because another process starting at the same time was first.
pub async fn adopt(db: &Db, scope: &TenantScope, adoption: &Adoption<'_>, now_ms: i64) -> Result<bool> {
    let tenant = scope.tenant_id().0;
    on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO company_settings (tenant_id, settings, updated_at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(tenant)
        .bind(adoption.company.to_string())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        for (flow, settings) in adoption.flows {
            sqlx::query("UPDATE flows SET settings = $1 WHERE tenant_id = $2 AND flow = $3")
                .bind(settings.to_string())
                .bind(tenant)
                .bind(flow.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for (area, changes) in adoption.notes {
            sqlx::query(audit::INSERT)
                .bind(tenant)
                .bind(scope.user_id().0)
                .bind(adoption.actor)
                .bind(area)
                .bind(serde_json::to_string(changes).expect("changes serialise"))
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok::<_, StoreError>(true)
    })
}
