//! Signups waiting for their address's owner (migration 0018): the password hash and company name a signup
//! gave, under the hash of the token mailed to the address. Not tenant-owned: no company exists yet.

use koppel_core::Email;

use crate::db::on_pool;
use crate::{Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignupRequest {
    pub email: String,
    pub password_hash: String,
    pub company: String,
    pub expires_at_ms: i64,
}

/// Keeps a signup under its token's hash until `expires_at_ms`; expired requests of a day ago go at the same
/// time (nothing else reads them).
pub async fn insert(
    db: &Db,
    token_hash: &str,
    email: &Email,
    password_hash: &str,
    company: &str,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<()> {
    forget_expired(db, "signup_requests", now_ms).await?;
    on_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO signup_requests (token_hash, email, password_hash, company, created_at_ms, expires_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(email.as_str())
        .bind(password_hash)
        .bind(company)
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The request behind a token, when it is neither used nor expired.
pub async fn find_open(db: &Db, token_hash: &str, now_ms: i64) -> Result<Option<SignupRequest>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, SignupRequest>(
        "SELECT email, password_hash, company, expires_at_ms FROM signup_requests
         WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(pool)
    .await)?)
}

/// Marks the request used: its link opens nothing any more.
pub async fn mark_used(db: &Db, token_hash: &str, now_ms: i64) -> Result<()> {
    on_pool!(db, pool => sqlx::query("UPDATE signup_requests SET used_at_ms = $1 WHERE token_hash = $2")
        .bind(now_ms)
        .bind(token_hash)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Deletes the links of an account-link table (`signup_requests`, `password_resets`) that expired a day ago:
/// nothing reads them any more, and each new link tidies up this way instead of a job.
pub(crate) async fn forget_expired(db: &Db, table: &'static str, now_ms: i64) -> Result<()> {
    let sql = sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE expires_at_ms < $1"));
    on_pool!(db, pool => sqlx::query(sql).bind(now_ms - 86_400_000).execute(pool).await.map(|_| ()))?;
    Ok(())
}
