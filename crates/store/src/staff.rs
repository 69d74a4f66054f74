//! Platform staff (migration 0021): who they are, and the one view across every company they have. Staff is
//! granted on the server only (`koppel staff grant EMAIL`); nothing here is reachable by a company's own users.

use chrono::{DateTime, Utc};
use koppel_core::{Email, TenantId, UserId};
use uuid::Uuid;

use crate::db::on_pool;
use crate::{Db, Result, accounts};

/// Makes the account with this address staff; `false` when no account has it.
pub async fn grant(db: &Db, email: &Email, now_ms: i64) -> Result<bool> {
    let Some(user) = accounts::find_user_by_email(db, email).await? else {
        return Ok(false);
    };
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO staff (user_id, granted_at_ms) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user.id.0)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(true)
}

/// Ends the account's staff role; `false` when it was not staff (or no account has the address).
pub async fn revoke(db: &Db, email: &Email) -> Result<bool> {
    let Some(user) = accounts::find_user_by_email(db, email).await? else {
        return Ok(false);
    };
    let removed = on_pool!(db, pool => sqlx::query("DELETE FROM staff WHERE user_id = $1")
        .bind(user.id.0)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(removed > 0)
}

pub async fn is_staff(db: &Db, user_id: UserId) -> Result<bool> {
    let found: Option<i64> = on_pool!(db, pool => sqlx::query_scalar("SELECT granted_at_ms FROM staff WHERE user_id = $1")
        .bind(user_id.0)
        .fetch_optional(pool)
        .await)?;
    Ok(found.is_some())
}

/// A company as the staff page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompanyOverview {
    #[sqlx(try_from = "Uuid")]
    pub id: TenantId,
    pub name: String,
    pub trial_ends_at: DateTime<Utc>,
    pub members: i64,
    pub flows_on: i64,
    /// When its last run ended.
    pub last_run_ms: Option<i64>,
}

/// Every company, newest first: the staff page. Not tenant-scoped, on purpose: callers check [`is_staff`].
pub async fn companies(db: &Db) -> Result<Vec<CompanyOverview>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, CompanyOverview>(
        "SELECT t.id, t.name, t.trial_ends_at,
            (SELECT count(*) FROM memberships m WHERE m.tenant_id = t.id) AS members,
            (SELECT count(*) FROM flows f WHERE f.tenant_id = t.id AND f.enabled) AS flows_on,
            (SELECT max(r.finished_at_ms) FROM runs r WHERE r.tenant_id = t.id) AS last_run_ms
         FROM tenants t ORDER BY t.created_at DESC, t.id",
    )
    .fetch_all(pool)
    .await)?)
}
