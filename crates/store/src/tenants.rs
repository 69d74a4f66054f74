//! Tenants (customer companies) and who belongs to them.

use chrono::{DateTime, Duration, Utc};
use koppel_core::{Role, TRIAL_DAYS, TenantId, UserId};
use uuid::Uuid;

use crate::db::{BeginWrite, on_pool};
use crate::{Db, Result, StoreError};

/// Proof that a user is a member of a tenant, with their role there. Only [`resolve_scope`] makes one, so
/// every function that takes a scope is tenant-isolated by construction.
#[derive(Debug, Clone)]
pub struct TenantScope {
    tenant_id: TenantId,
    user_id: UserId,
    role: Role,
}

impl TenantScope {
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn role(&self) -> Role {
        self.role
    }

    /// The scope background work (scheduled runs, retention) acts in: the tenant itself, no user. Only the
    /// job queue makes these, from tenant ids it read from the database.
    pub fn for_background_job(tenant_id: TenantId) -> Self {
        Self {
            tenant_id,
            user_id: UserId(uuid::Uuid::nil()),
            role: Role::Admin,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Tenant {
    #[sqlx(try_from = "Uuid")]
    pub id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub trial_ends_at: DateTime<Utc>,
}

impl Tenant {
    /// Whole days of trial left, rounded up (a trial ending in 3 hours has 1 day left); 0 once it ended.
    pub fn trial_days_left(&self, now: DateTime<Utc>) -> i64 {
        let left = self.trial_ends_at - now;
        if left <= Duration::zero() {
            0
        } else {
            (left.num_seconds() + 86_399) / 86_400
        }
    }
}

/// A tenant a user belongs to, with the user's role there.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Membership {
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub trial_ends_at: DateTime<Utc>,
}

/// A member of a tenant, as the members page lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    #[sqlx(try_from = "Uuid")]
    pub user_id: UserId,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

pub(crate) struct NewTenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub trial_ends_at: DateTime<Utc>,
}

impl NewTenant {
    pub fn on_trial(name: &str, now: DateTime<Utc>) -> Self {
        Self {
            id: TenantId::new(),
            name: name.to_owned(),
            created_at: now,
            trial_ends_at: now + Duration::days(TRIAL_DAYS),
        }
    }
}

pub(crate) async fn insert_tenant_with_owner<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    tenant: &NewTenant,
    owner: UserId,
) -> Result<()>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query::<DB>("INSERT INTO tenants (id, name, created_at, trial_ends_at) VALUES ($1, $2, $3, $4)")
        .bind(tenant.id.0)
        .bind(tenant.name.clone())
        .bind(tenant.created_at)
        .bind(tenant.trial_ends_at)
        .execute(&mut **tx)
        .await?;
    sqlx::query::<DB>("INSERT INTO memberships (user_id, tenant_id, role, created_at) VALUES ($1, $2, $3, $4)")
        .bind(owner.0)
        .bind(tenant.id.0)
        .bind(Role::Owner.as_str())
        .bind(tenant.created_at)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// How many companies one user may create in an hour (their sign-up's company included).
pub const COMPANIES_PER_HOUR: usize = 5;

/// Why a user may not create another company now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("you created {COMPANIES_PER_HOUR} companies in the last hour; try again later")]
pub struct TooManyCompanies;

/// Creates another tenant (company) owned by `owner`. A user who already owns a company gets no new trial: the
/// new company's trial ends when theirs does (never later than a new trial would), so opening companies does
/// not extend a trial. At most [`COMPANIES_PER_HOUR`] per hour; the check and the insert are one transaction,
/// with the user's row locked, so requests at the same moment cannot slip past it (on PostgreSQL too).
pub async fn create_tenant(
    db: &Db,
    owner: UserId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Tenant, TooManyCompanies>> {
    let mut tenant = NewTenant::on_trial(name, now);
    let outcome = on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        // Locks the user's row until commit: concurrent creations by one user wait for each other.
        sqlx::query("UPDATE users SET id = id WHERE id = $1")
            .bind(owner.0)
            .execute(&mut *tx)
            .await?;
        let owned: Vec<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT t.created_at, t.trial_ends_at FROM tenants t JOIN memberships m ON m.tenant_id = t.id
             WHERE m.user_id = $1 AND m.role = 'owner'",
        )
        .bind(owner.0)
        .fetch_all(&mut *tx)
        .await?;
        let hour_ago = now - Duration::hours(1);
        if owned.iter().filter(|(created, _)| *created > hour_ago).count() >= COMPANIES_PER_HOUR {
            return Ok(Err(TooManyCompanies));
        }
        if let Some(trial_ends) = owned.iter().map(|(_, ends)| *ends).max() {
            tenant.trial_ends_at = tenant.trial_ends_at.min(trial_ends);
        }
        insert_tenant_with_owner(&mut tx, &tenant, owner).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(Ok(()))
    })?;
    Ok(outcome.map(|()| Tenant {
        id: tenant.id,
        name: tenant.name,
        created_at: tenant.created_at,
        trial_ends_at: tenant.trial_ends_at,
    }))
}

/// The user's membership of the tenant, as a scope; `None` when they are not a member (answer 404).
pub async fn resolve_scope(db: &Db, user_id: UserId, tenant_id: TenantId) -> Result<Option<TenantScope>> {
    let role: Option<(String,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2",
    )
    .bind(user_id.0)
    .bind(tenant_id.0)
    .fetch_optional(pool)
    .await)?;
    Ok(role.and_then(|(role,)| role.parse().ok()).map(|role| TenantScope {
        tenant_id,
        user_id,
        role,
    }))
}

/// Every tenant the user belongs to, oldest first (the first is where they land after signing in).
pub async fn memberships_of(db: &Db, user_id: UserId) -> Result<Vec<Membership>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Membership>(
        "SELECT t.id AS tenant_id, t.name, m.role, t.trial_ends_at
         FROM memberships m JOIN tenants t ON t.id = m.tenant_id
         WHERE m.user_id = $1 ORDER BY m.created_at, t.name",
    )
    .bind(user_id.0)
    .fetch_all(pool)
    .await)?)
}

pub async fn tenant(db: &Db, scope: &TenantScope) -> Result<Tenant> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Tenant>(
        "SELECT id, name, created_at, trial_ends_at FROM tenants WHERE id = $1",
    )
    .bind(scope.tenant_id.0)
    .fetch_one(pool)
    .await)?)
}

pub async fn members(db: &Db, scope: &TenantScope) -> Result<Vec<Member>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, Member>(
        "SELECT u.id AS user_id, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 ORDER BY m.created_at, u.email",
    )
    .bind(scope.tenant_id.0)
    .fetch_all(pool)
    .await)?)
}

/// What adding a member or changing their role did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    /// Added, with the role they had before (`None`: they were not a member).
    Done { before: Option<Role> },
    /// Refused: it would leave the company without an owner (the last owner cannot be demoted).
    LastOwner,
}

/// What removing a member did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRemoval {
    /// Removed; the role they had.
    Removed(Role),
    /// Refused: they are the company's last owner.
    LastOwner,
    /// They are not a member of this company.
    NotMember,
}

/// Removes a member, unless they are the last owner (the check and the removal are one statement). Their
/// sessions lose this company at once: every request resolves its company from the memberships.
pub async fn remove_member(db: &Db, scope: &TenantScope, user_id: UserId) -> Result<MemberRemoval> {
    let Some(member) = members(db, scope).await?.into_iter().find(|m| m.user_id == user_id) else {
        return Ok(MemberRemoval::NotMember);
    };
    let removed = on_pool!(db, pool => sqlx::query(
        "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2
           AND (role <> 'owner'
                OR (SELECT count(*) FROM memberships AS owners WHERE owners.tenant_id = $1 AND owners.role = 'owner') > 1)",
    )
    .bind(scope.tenant_id.0)
    .bind(user_id.0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(if removed == 0 {
        MemberRemoval::LastOwner
    } else {
        MemberRemoval::Removed(member.role)
    })
}

/// Adds (or changes the role of) a member. The caller checks that `scope` may manage members and who may
/// touch owners; the store keeps the rule no caller may break: a company always keeps an owner (the check and
/// the change are one statement).
pub async fn upsert_member(
    db: &Db,
    scope: &TenantScope,
    user_id: UserId,
    role: Role,
    now: DateTime<Utc>,
) -> Result<MemberChange> {
    let before = members(db, scope)
        .await?
        .into_iter()
        .find(|m| m.user_id == user_id)
        .map(|m| m.role);
    let changed = on_pool!(db, pool => sqlx::query(
        "INSERT INTO memberships (user_id, tenant_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role
         WHERE memberships.role <> 'owner' OR excluded.role = 'owner'
            OR (SELECT count(*) FROM memberships AS owners
                WHERE owners.tenant_id = excluded.tenant_id AND owners.role = 'owner') > 1",
    )
    .bind(user_id.0)
    .bind(scope.tenant_id.0)
    .bind(role.as_str())
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(if changed == 0 {
        MemberChange::LastOwner
    } else {
        MemberChange::Done { before }
    })
}
