//! "Forgot password" links (migration 0019): the hash of a link's token, whose account it resets, until when.
//! Not tenant-owned: a user exists across companies.

use koppel_core::UserId;
use uuid::Uuid;

use crate::db::on_pool;
use crate::signup_requests;
use crate::{Db, Result};

/// Keeps a reset link for `user_id` until `expires_at_ms`; links expired a day ago go at the same time.
pub async fn insert(db: &Db, token_hash: &str, user_id: UserId, now_ms: i64, expires_at_ms: i64) -> Result<()> {
    signup_requests::forget_expired(db, "password_resets", now_ms).await?;
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id.0)
    .bind(now_ms)
    .bind(expires_at_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The account a link resets, while it is neither used nor expired.
pub async fn find_open(db: &Db, token_hash: &str, now_ms: i64) -> Result<Option<UserId>> {
    let found: Option<Uuid> = on_pool!(db, pool => sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(pool)
    .await)?;
    Ok(found.map(UserId))
}

/// Uses the link (once, whoever asks at the same time): the account it resets, or `None` when it is used or
/// expired.
pub async fn take(db: &Db, token_hash: &str, now_ms: i64) -> Result<Option<UserId>> {
    let taken: Option<Uuid> = on_pool!(db, pool => sqlx::query_scalar(
        "UPDATE password_resets SET used_at_ms = $1
         WHERE token_hash = $2 AND used_at_ms IS NULL AND expires_at_ms > $1
         RETURNING user_id",
    )
    .bind(now_ms)
    .bind(token_hash)
    .fetch_optional(pool)
    .await)?;
    Ok(taken.map(UserId))
}
