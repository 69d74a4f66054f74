//! Claims on creating master data (a debtor per e-mail address, an article per item code) in a company's AFAS,
//! so that runs working at the same time — two flows, a run and its retry, two worker processes — never create
//! the same one twice. The claim is a row per company, kind and key: inserting or taking over a lapsed one is a
//! single statement, so the database decides who creates, across processes.

use crate::db::on_pool;
use crate::{Db, Result, TenantScope};

/// What is being created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimKind {
    /// An AFAS debtor, keyed by the customer's e-mail address in lower case.
    Debtor,
    /// An AFAS article, keyed by its item code.
    Article,
    /// A debtor's delivery address (an AFAS contact of kind `AFL`), keyed by the debtor id and the structured
    /// address.
    DeliveryAddress,
}

impl ClaimKind {
    fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Debtor => "debtor",
            ClaimKind::Article => "article",
            ClaimKind::DeliveryAddress => "delivery_address",
        }
    }
}

/// Who claims a key, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    /// Unique per creator (one run's target).
    pub name: &'a str,
    /// The run lease owner (worker process) the creator works under, when it works in a run.
    pub lease_owner: Option<&'a str>,
    /// How long the claim holds at most without its holder finishing.
    pub hold_ms: i64,
}

/// The state of a key after [`claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This holder may create it. `fresh`: nobody claimed the key before (within the kept history), so nothing
    /// Koppel did can have created it since the caller looked; otherwise a lapsed claim was taken over, and its
    /// holder may have created the record before it stopped.
    Won { fresh: bool },
    /// Another holder is creating it now: wait and claim again.
    Busy,
    /// It was created (by whoever held the claim), with this AFAS key.
    Created(String),
}

/// Claims `key` for `holder` until `now_ms + hold_ms`: a new key, or one whose claim lapsed without a record,
/// becomes this holder's. A claim lapses at its time, or earlier when it names the `lease_owner` of the run it
/// was made in (the worker process) and that owner holds no live run lease of the company any more: its
/// process died, and its runs are being taken over. A claim that named its record is [`Claim::Created`]; to create that key again (the
/// record was deleted in AFAS since) call [`reclaim_created`].
pub async fn claim(
    db: &Db,
    scope: &TenantScope,
    kind: ClaimKind,
    key: &str,
    holder: &Holder<'_>,
    now_ms: i64,
) -> Result<Claim> {
    let inserted = on_pool!(db, pool => sqlx::query(
        "INSERT INTO master_data_claims (tenant_id, kind, claim_key, holder, held_until_ms, updated_at_ms, lease_owner)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, kind, claim_key) DO NOTHING",
    )
    .bind(scope.tenant_id().0)
    .bind(kind.as_str())
    .bind(key)
    .bind(holder.name)
    .bind(now_ms + holder.hold_ms)
    .bind(now_ms)
    .bind(holder.lease_owner)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if inserted == 1 {
        return Ok(Claim::Won { fresh: true });
    }
    let taken_over = on_pool!(db, pool => sqlx::query(
        "UPDATE master_data_claims SET holder = $4, held_until_ms = $5, updated_at_ms = $6, lease_owner = $7
         WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3 AND afas_id IS NULL
           AND (held_until_ms < $6
                OR (master_data_claims.lease_owner IS NOT NULL AND NOT EXISTS (
                      SELECT 1 FROM runs WHERE runs.tenant_id = $1 AND runs.status = 'running'
                        AND runs.lease_owner = master_data_claims.lease_owner AND runs.lease_until_ms >= $6)))",
    )
    .bind(scope.tenant_id().0)
    .bind(kind.as_str())
    .bind(key)
    .bind(holder.name)
    .bind(now_ms + holder.hold_ms)
    .bind(now_ms)
    .bind(holder.lease_owner)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if taken_over == 1 {
        return Ok(Claim::Won { fresh: false });
    }
    let created: Option<Option<String>> = on_pool!(db, pool => sqlx::query_scalar(
        "SELECT afas_id FROM master_data_claims WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3",
    )
    .bind(scope.tenant_id().0)
    .bind(kind.as_str())
    .bind(key)
    .fetch_optional(pool)
    .await)?;
    // No row: released between the statements, so the caller claims again, as when it is busy.
    Ok(match created.flatten() {
        Some(afas_id) => Claim::Created(afas_id),
        None => Claim::Busy,
    })
}

/// Takes over a key whose record was created but no longer exists in AFAS (someone deleted it): only if the
/// claim still names `afas_id`, so two callers finding it gone do not both create it.
pub async fn reclaim_created(
    db: &Db,
    scope: &TenantScope,
    kind: ClaimKind,
    key: &str,
    afas_id: &str,
    holder: &Holder<'_>,
    now_ms: i64,
) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE master_data_claims
         SET holder = $5, held_until_ms = $6, afas_id = NULL, updated_at_ms = $7, lease_owner = $8
         WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3 AND afas_id = $4",
    )
    .bind(scope.tenant_id().0)
    .bind(kind.as_str())
    .bind(key)
    .bind(afas_id)
    .bind(holder.name)
    .bind(now_ms + holder.hold_ms)
    .bind(now_ms)
    .bind(holder.lease_owner)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// The holder created the record (or found it): later creators are told its AFAS key.
pub async fn complete(
    db: &Db,
    scope: &TenantScope,
    kind: ClaimKind,
    key: &str,
    holder: &str,
    afas_id: &str,
    now_ms: i64,
) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE master_data_claims SET afas_id = $5, updated_at_ms = $6
         WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3 AND holder = $4",
    )
    .bind(scope.tenant_id().0)
    .bind(kind.as_str())
    .bind(key)
    .bind(holder)
    .bind(afas_id)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The holder did not create it (AFAS refused, the call failed): the key is free for the next creator.
pub async fn release(db: &Db, scope: &TenantScope, kind: ClaimKind, key: &str, holder: &str) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "DELETE FROM master_data_claims
         WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3 AND holder = $4 AND afas_id IS NULL",
    )
    .bind(scope.tenant_id().0)
    .bind(kind.as_str())
    .bind(key)
    .bind(holder)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets claims last changed before `before_ms` (housekeeping: a claim only matters while runs that looked
/// before it are still going).
pub async fn prune(db: &Db, before_ms: i64) -> Result<u64> {
    Ok(
        on_pool!(db, pool => sqlx::query("DELETE FROM master_data_claims WHERE updated_at_ms < $1")
        .bind(before_ms)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?,
    )
}
