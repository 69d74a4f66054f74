//! Users and their sign-in sessions. These are not tenant-owned: a user exists across tenants.

use chrono::{DateTime, Utc};
use koppel_core::{Email, Role, SessionId, TenantId, UserId};
use uuid::Uuid;

use crate::db::{BeginWrite, on_pool};
use crate::tenants::{NewTenant, insert_tenant_with_owner};
use crate::{Db, Result, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    #[sqlx(try_from = "Uuid")]
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

const USER_COLUMNS: &str = "id, email, password_hash, created_at, password_changed_at";

/// What a signup creates: the user, their company as a tenant on trial, and the owner membership.
#[derive(Debug, Clone)]
pub struct Signup {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub role: Role,
    pub trial_ends_at: DateTime<Utc>,
}

/// Creates user, tenant and owner membership in one transaction. A taken e-mail (in any letter case) gives
/// [`StoreError::Conflict`] and creates nothing.
pub async fn sign_up(db: &Db, email: &Email, password_hash: &str, company: &str, now: DateTime<Utc>) -> Result<Signup> {
    let user_id = UserId::new();
    let tenant = NewTenant::on_trial(company, now);
    on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        insert_user(&mut tx, user_id, email, password_hash, now).await?;
        insert_tenant_with_owner(&mut tx, &tenant, user_id).await?;
        tx.commit().await?;
        Ok(Signup { user_id, tenant_id: tenant.id, role: Role::Owner, trial_ends_at: tenant.trial_ends_at })
    })
}

/// Inserts a user in `tx`; a taken e-mail (in any letter case) gives [`StoreError::Conflict`].
pub(crate) async fn insert_user<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    user_id: UserId,
    email: &Email,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<()>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query::<DB>(
        "INSERT INTO users (id, email, email_normalized, password_hash, created_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(user_id.0)
    .bind(email.as_str().to_owned())
    .bind(email.normalized().to_owned())
    .bind(password_hash.to_owned())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn find_user_by_email(db: &Db, email: &Email) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE email_normalized = $1"));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, User>(sql).bind(email.normalized()).fetch_optional(pool).await)?)
}

pub async fn find_user(db: &Db, user_id: UserId) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, User>(sql).bind(user_id.0).fetch_optional(pool).await)?)
}

/// Sets a new password hash and ends every session of the user (a stolen cookie stops working).
pub async fn change_password(db: &Db, user_id: UserId, password_hash: &str, now: DateTime<Utc>) -> Result<()> {
    on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now)
            .bind(user_id.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    #[sqlx(try_from = "Uuid")]
    pub id: SessionId,
    #[sqlx(try_from = "Uuid")]
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
}

pub async fn create_session(
    db: &Db,
    user_id: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    user_agent: Option<&str>,
) -> Result<Session> {
    let session = Session {
        id: SessionId::new(),
        user_id,
        created_at: now,
        expires_at,
        user_agent: user_agent.map(|ua| ua.chars().take(300).collect()),
    };
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, expires_at, user_agent) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(session.id.0)
    .bind(session.user_id.0)
    .bind(session.created_at)
    .bind(session.expires_at)
    .bind(session.user_agent.as_deref())
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(session)
}

/// The session if it exists, belongs to `user_id` and has not expired.
pub async fn find_live_session(
    db: &Db,
    session_id: SessionId,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<Option<Session>> {
    let session = on_pool!(db, pool => sqlx::query_as::<_, Session>(
        "SELECT id, user_id, created_at, expires_at, user_agent FROM sessions WHERE id = $1 AND user_id = $2",
    )
    .bind(session_id.0)
    .bind(user_id.0)
    .fetch_optional(pool)
    .await)?;
    // Compared here rather than in SQL: SQLite keeps timestamps as text.
    Ok(session.filter(|s| s.expires_at > now))
}

pub async fn delete_session(db: &Db, session_id: SessionId) -> Result<()> {
    on_pool!(db, pool => sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id.0).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// "Sign out everywhere".
pub async fn delete_sessions_of_user(db: &Db, user_id: UserId) -> Result<u64> {
    Ok(
        on_pool!(db, pool => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id.0)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?,
    )
}

pub async fn count_sessions_of_user(db: &Db, user_id: UserId) -> Result<i64> {
    let (count,): (i64,) = on_pool!(db, pool => sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(user_id.0)
        .fetch_one(pool)
        .await)?;
    Ok(count)
}
