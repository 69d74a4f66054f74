//! Invitations to a company (migration 0020): who is invited with which role, until when, under the hash of
//! the link mailed to them. Managing them is tenant-scoped; opening and accepting one goes by its link's hash
//! (the link is the invitee's proof), and accepting adds the membership in the same transaction.

use chrono::{DateTime, Utc};
use koppel_core::{Email, Role, TenantId, UserId};
use uuid::Uuid;

use crate::db::{BeginWrite, on_pool};
use crate::tenants::TenantScope;
use crate::{Db, Result, accounts};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// The e-mail address of who invited.
    pub invited_by: String,
    pub expires_at_ms: i64,
}

/// An invitation whose link works, with the company's name for the invitee.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenInvitation {
    #[sqlx(flatten)]
    pub invitation: Invitation,
    pub company: String,
}

const COLUMNS: &str = "i.id, i.tenant_id, i.email, i.role, i.invited_by, i.expires_at_ms";
/// The same for `RETURNING`, which SQLite lets name only the updated table's own columns, unqualified.
const RETURNED: &str = "id, tenant_id, email, role, invited_by, expires_at_ms";
/// Neither accepted nor revoked (it may have expired: resending renews it).
const PENDING: &str = "accepted_at_ms IS NULL AND revoked_at_ms IS NULL";

/// Invites `email` to the company with `role`, under the link's token hash.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    db: &Db,
    scope: &TenantScope,
    email: &Email,
    role: Role,
    token_hash: &str,
    invited_by: &str,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<Invitation> {
    let id = Uuid::now_v7();
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, created_at_ms, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(scope.tenant_id().0)
    .bind(email.as_str())
    .bind(role.as_str())
    .bind(token_hash)
    .bind(invited_by)
    .bind(now_ms)
    .bind(expires_at_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(Invitation {
        id,
        tenant_id: scope.tenant_id(),
        email: email.as_str().to_owned(),
        role,
        invited_by: invited_by.to_owned(),
        expires_at_ms,
    })
}

/// The company's invitations not accepted or revoked, newest first (expired ones too: they can be resent).
pub async fn pending(db: &Db, scope: &TenantScope) -> Result<Vec<Invitation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM invitations i WHERE i.tenant_id = $1 AND {PENDING} ORDER BY i.created_at_ms DESC"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Invitation>(sql)
        .bind(scope.tenant_id().0)
        .fetch_all(pool)
        .await)?)
}

/// Gives a pending invitation a new link (the old one stops working) and a new expiry.
pub async fn renew(
    db: &Db,
    scope: &TenantScope,
    id: Uuid,
    token_hash: &str,
    expires_at_ms: i64,
) -> Result<Option<Invitation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE invitations SET token_hash = $1, expires_at_ms = $2
         WHERE id = $3 AND tenant_id = $4 AND {PENDING}
         RETURNING {RETURNED}"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Invitation>(sql)
        .bind(token_hash)
        .bind(expires_at_ms)
        .bind(id)
        .bind(scope.tenant_id().0)
        .fetch_optional(pool)
        .await)?)
}

/// Revokes a pending invitation: its link stops working. `None` when there is no such pending invitation.
pub async fn revoke(db: &Db, scope: &TenantScope, id: Uuid, now_ms: i64) -> Result<Option<Invitation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE invitations SET revoked_at_ms = $1
         WHERE id = $2 AND tenant_id = $3 AND {PENDING}
         RETURNING {RETURNED}"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Invitation>(sql)
        .bind(now_ms)
        .bind(id)
        .bind(scope.tenant_id().0)
        .fetch_optional(pool)
        .await)?)
}

/// The invitation behind a link while it works (pending, not expired), with the company's name.
pub async fn find_open(db: &Db, token_hash: &str, now_ms: i64) -> Result<Option<OpenInvitation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, t.name AS company FROM invitations i JOIN tenants t ON t.id = i.tenant_id
         WHERE i.token_hash = $1 AND {PENDING} AND i.expires_at_ms > $2"
    ));
    Ok(on_pool!(db, pool => sqlx::query_as::<_, OpenInvitation>(sql)
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(pool)
        .await)?)
}

/// Who accepts an invitation: a user who has an account, or a new one with this password hash.
#[derive(Debug, Clone, Copy)]
pub enum Invitee<'a> {
    Existing(UserId),
    New { email: &'a Email, password_hash: &'a str },
}

/// Accepts an invitation (once, whoever tries at the same time): makes the new user if there is one, marks the
/// invitation accepted and adds the membership with the invited role (a member already keeps their role), in one
/// transaction. The user and the company; `None` when the link no longer works; [`StoreError::Conflict`] when
/// a new user's address got an account meanwhile.
pub async fn accept(
    db: &Db,
    token_hash: &str,
    invitee: Invitee<'_>,
    now: DateTime<Utc>,
) -> Result<Option<(UserId, TenantId)>> {
    let now_ms = now.timestamp_millis();
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE invitations SET accepted_at_ms = $1
         WHERE token_hash = $2 AND {PENDING} AND expires_at_ms > $1
         RETURNING tenant_id, role"
    ));
    on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let user_id = match invitee {
            Invitee::Existing(user_id) => user_id,
            Invitee::New { email, password_hash } => {
                let user_id = UserId::new();
                accounts::insert_user(&mut tx, user_id, email, password_hash, now).await?;
                user_id
            }
        };
        let taken: Option<(Uuid, String)> = sqlx::query_as(sql)
            .bind(now_ms)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((tenant_id, role)) = taken else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO memberships (user_id, tenant_id, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, tenant_id) DO NOTHING",
        )
        .bind(user_id.0)
        .bind(tenant_id)
        .bind(role)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some((user_id, TenantId(tenant_id))))
    })
}
