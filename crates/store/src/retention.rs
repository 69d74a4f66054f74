//! Retention (GDPR): payloads are deleted after a tenant's payload retention, whole entries after its entry
//! retention, in batches so a large delete never holds the database for long. Also the owner's export of
//! everything the tenant has and the deletion of the tenant.

use crate::db::on_pool;
use crate::health::DAY_MS;
use crate::{Db, Result, TenantScope};

pub const PAYLOAD_DAYS: std::ops::RangeInclusive<i64> = 7..=365;
pub const ENTRY_DAYS: std::ops::RangeInclusive<i64> = 7..=3650;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub payload_days: i64,
    pub entry_days: i64,
}

pub async fn get(db: &Db, scope: &TenantScope) -> Result<Retention> {
    let (payload_days, entry_days): (i64, i64) = on_pool!(db, pool => sqlx::query_as(
        "SELECT payload_retention_days, entry_retention_days FROM tenants WHERE id = $1",
    )
    .bind(scope.tenant_id().0)
    .fetch_one(pool)
    .await)?;
    Ok(Retention {
        payload_days,
        entry_days,
    })
}

/// The caller validates the ranges ([`PAYLOAD_DAYS`], [`ENTRY_DAYS`]).
pub async fn set(db: &Db, scope: &TenantScope, retention: Retention) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE tenants SET payload_retention_days = $1, entry_retention_days = $2 WHERE id = $3",
    )
    .bind(retention.payload_days)
    .bind(retention.entry_days)
    .bind(scope.tenant_id().0)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub payloads: u64,
    pub entries: u64,
}

/// Deletes, for every tenant, the payloads and entries older than its retention, `batch` rows at a time.
pub async fn purge(db: &Db, now_ms: i64, batch: i64) -> Result<Purged> {
    let mut purged = Purged::default();
    loop {
        let deleted = on_pool!(db, pool => sqlx::query(
            "DELETE FROM journal_payloads WHERE entry_id IN (
               SELECT p.entry_id FROM journal_payloads p
               JOIN journal j ON j.id = p.entry_id JOIN tenants t ON t.id = j.tenant_id
               WHERE j.created_at_ms < $1 - t.payload_retention_days * $2 LIMIT $3)",
        )
        .bind(now_ms)
        .bind(DAY_MS)
        .bind(batch)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        purged.payloads += deleted;
        if deleted < batch as u64 {
            break;
        }
    }
    loop {
        // Payloads go with their entries (ON DELETE CASCADE).
        let deleted = on_pool!(db, pool => sqlx::query(
            "DELETE FROM journal WHERE id IN (
               SELECT j.id FROM journal j JOIN tenants t ON t.id = j.tenant_id
               WHERE j.created_at_ms < $1 - t.entry_retention_days * $2 LIMIT $3)",
        )
        .bind(now_ms)
        .bind(DAY_MS)
        .bind(batch)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        purged.entries += deleted;
        if deleted < batch as u64 {
            break;
        }
    }
    Ok(purged)
}

/// Deletes the tenant with everything in it: members' access, credentials, flows, runs, the activity log.
/// User accounts stay (they may belong to other companies).
pub async fn delete_tenant(db: &Db, scope: TenantScope) -> Result<()> {
    on_pool!(db, pool => sqlx::query("DELETE FROM tenants WHERE id = $1")
        .bind(scope.tenant_id().0)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// One journal entry with its payloads, for the export.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ExportedEntry {
    pub id: uuid::Uuid,
    pub run_id: uuid::Uuid,
    pub flow: String,
    pub entity: String,
    pub source_id: String,
    pub target_id: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    pub search_keys: String,
    pub created_at_ms: i64,
    pub source_payload: Option<String>,
    pub exchanges: Option<String>,
}

/// Every activity-log entry of the tenant, oldest first, with payloads where still kept.
pub async fn export_entries(db: &Db, scope: &TenantScope) -> Result<Vec<ExportedEntry>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, ExportedEntry>(
        "SELECT j.id, j.run_id, j.flow, j.entity, j.source_id, j.target_id, j.outcome, j.reason, j.search_keys,
                j.created_at_ms, p.source_payload, p.exchanges
         FROM journal j LEFT JOIN journal_payloads p ON p.entry_id = j.id
         WHERE j.tenant_id = $1 ORDER BY j.created_at_ms, j.id",
    )
    .bind(scope.tenant_id().0)
    .fetch_all(pool)
    .await)?)
}
