//! Alert bookkeeping: a tenant's alert settings, the open problem per flow, and the outbox of messages.

use koppel_core::{FlowKind, TenantId};
use uuid::Uuid;

use crate::db::on_pool;
use crate::secrets::Sealed;
use crate::{Db, Result, TenantScope};

#[derive(Debug, Clone, Default)]
pub struct AlertSettings {
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<Sealed>,
    pub daily_digest: bool,
    pub last_digest_day: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    webhook_url: Option<String>,
    webhook_secret: Option<Vec<u8>>,
    webhook_key_id: Option<String>,
    daily_digest: bool,
    last_digest_day: Option<i64>,
}

pub async fn settings(db: &Db, scope: &TenantScope) -> Result<AlertSettings> {
    let row = on_pool!(db, pool => sqlx::query_as::<_, SettingsRow>(
        "SELECT webhook_url, webhook_secret, webhook_key_id, daily_digest, last_digest_day FROM alert_settings
         WHERE tenant_id = $1",
    )
    .bind(scope.tenant_id().0)
    .fetch_optional(pool)
    .await)?;
    Ok(row
        .map(|row| AlertSettings {
            webhook_url: row.webhook_url,
            webhook_secret: row
                .webhook_secret
                .zip(row.webhook_key_id)
                .map(|(bytes, key_id)| Sealed { key_id, bytes }),
            daily_digest: row.daily_digest,
            last_digest_day: row.last_digest_day,
        })
        .unwrap_or_default())
}

pub async fn save_settings(db: &Db, scope: &TenantScope, settings: &AlertSettings, now_ms: i64) -> Result<()> {
    let (secret, key_id) = match &settings.webhook_secret {
        Some(sealed) => (Some(sealed.bytes.clone()), Some(sealed.key_id.clone())),
        None => (None, None),
    };
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO alert_settings (tenant_id, webhook_url, webhook_secret, webhook_key_id, daily_digest, updated_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id) DO UPDATE SET webhook_url = excluded.webhook_url,
           webhook_secret = excluded.webhook_secret, webhook_key_id = excluded.webhook_key_id,
           daily_digest = excluded.daily_digest, updated_at_ms = excluded.updated_at_ms",
    )
    .bind(scope.tenant_id().0)
    .bind(&settings.webhook_url)
    .bind(secret)
    .bind(key_id)
    .bind(settings.daily_digest)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records that today's digest was sent; false when another process did already.
pub async fn claim_digest(db: &Db, scope: &TenantScope, day: i64) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE alert_settings SET last_digest_day = $1
         WHERE tenant_id = $2 AND daily_digest = TRUE AND (last_digest_day IS NULL OR last_digest_day < $1)",
    )
    .bind(day)
    .bind(scope.tenant_id().0)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Tenants that asked for a daily digest.
pub async fn digest_tenants(db: &Db) -> Result<Vec<TenantId>> {
    let rows: Vec<(Uuid,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT tenant_id FROM alert_settings WHERE daily_digest = TRUE",
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(|(id,)| TenantId(id)).collect())
}

/// The problem currently open for a flow, if any.
pub async fn open_problem(db: &Db, scope: &TenantScope, flow: FlowKind) -> Result<Option<String>> {
    let row: Option<(String,)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT problem FROM alert_state WHERE tenant_id = $1 AND flow = $2",
    )
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|(p,)| p))
}

/// Opens (or replaces) the flow's problem. Returns false when exactly this problem was open already, so
/// the caller alerts once per problem.
pub async fn open(db: &Db, scope: &TenantScope, flow: FlowKind, problem: &str, now_ms: i64) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "INSERT INTO alert_state (tenant_id, flow, problem, opened_at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, flow) DO UPDATE SET problem = excluded.problem, opened_at_ms = excluded.opened_at_ms
         WHERE alert_state.problem <> excluded.problem",
    )
    .bind(scope.tenant_id().0)
    .bind(flow.as_str())
    .bind(problem)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Closes the flow's open problem; true when there was one (time for a recovery notice).
pub async fn close(db: &Db, scope: &TenantScope, flow: FlowKind) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query("DELETE FROM alert_state WHERE tenant_id = $1 AND flow = $2")
        .bind(scope.tenant_id().0)
        .bind(flow.as_str())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: Uuid,
    /// `None` for account mail (a signup's link), which belongs to no company.
    pub tenant_id: Option<Uuid>,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
}

pub async fn enqueue(
    db: &Db,
    scope: &TenantScope,
    channel: &str,
    recipient: &str,
    subject: &str,
    body: &str,
    now_ms: i64,
) -> Result<()> {
    insert(db, Some(scope.tenant_id().0), channel, recipient, subject, body, now_ms).await
}

/// An e-mail about a person's account rather than a company (a signup's link): delivered like alerts.
pub async fn enqueue_account_mail(db: &Db, recipient: &str, subject: &str, body: &str, now_ms: i64) -> Result<()> {
    insert(db, None, "email", recipient, subject, body, now_ms).await
}

async fn insert(
    db: &Db,
    tenant: Option<Uuid>,
    channel: &str,
    recipient: &str,
    subject: &str,
    body: &str,
    now_ms: i64,
) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO outbox (id, tenant_id, channel, recipient, subject, body, next_attempt_ms, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(tenant)
    .bind(channel)
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Messages due for (another) delivery attempt.
pub async fn due(db: &Db, now_ms: i64, limit: i64) -> Result<Vec<OutboxMessage>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, OutboxMessage>(
        "SELECT id, tenant_id, channel, recipient, subject, body, attempts, next_attempt_ms FROM outbox
         WHERE sent_at_ms IS NULL AND next_attempt_ms <= $1 ORDER BY next_attempt_ms LIMIT $2",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Takes a message for delivery by moving its next attempt (compare-and-set), so two processes never send it
/// at the same time.
pub async fn claim(db: &Db, message: &OutboxMessage, lease_until_ms: i64) -> Result<bool> {
    let changed = on_pool!(db, pool => sqlx::query(
        "UPDATE outbox SET next_attempt_ms = $1 WHERE id = $2 AND next_attempt_ms = $3 AND sent_at_ms IS NULL",
    )
    .bind(lease_until_ms)
    .bind(message.id)
    .bind(message.next_attempt_ms)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

pub async fn mark_sent(db: &Db, id: Uuid, now_ms: i64) -> Result<()> {
    on_pool!(db, pool => sqlx::query("UPDATE outbox SET sent_at_ms = $1, attempts = attempts + 1 WHERE id = $2")
        .bind(now_ms)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Records a failed attempt; the message is tried again at `next_attempt_ms` (or never, when `None`).
pub async fn mark_failed(db: &Db, id: Uuid, error: &str, next_attempt_ms: Option<i64>) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1,
           next_attempt_ms = COALESCE($2, next_attempt_ms), sent_at_ms = CASE WHEN $2 IS NULL THEN -1 ELSE NULL END
         WHERE id = $3",
    )
    .bind(error)
    .bind(next_attempt_ms)
    .bind(id)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Account mail to this address (tests; the signup's link is in its body).
pub async fn account_mail(db: &Db, recipient: &str) -> Result<Vec<OutboxMessage>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, OutboxMessage>(
        "SELECT id, tenant_id, channel, recipient, subject, body, attempts, next_attempt_ms FROM outbox
         WHERE tenant_id IS NULL AND recipient = $1 ORDER BY created_at_ms, id",
    )
    .bind(recipient)
    .fetch_all(pool)
    .await)?)
}

/// Every e-mail to this address, account mail and companies' (tests read links from it).
pub async fn mail_to(db: &Db, recipient: &str) -> Result<Vec<OutboxMessage>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, OutboxMessage>(
        "SELECT id, tenant_id, channel, recipient, subject, body, attempts, next_attempt_ms FROM outbox
         WHERE channel = 'email' AND recipient = $1 ORDER BY created_at_ms, id",
    )
    .bind(recipient)
    .fetch_all(pool)
    .await)?)
}

/// Every message of a tenant (tests and the alert settings page).
pub async fn messages(db: &Db, scope: &TenantScope) -> Result<Vec<OutboxMessage>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, OutboxMessage>(
        "SELECT id, tenant_id, channel, recipient, subject, body, attempts, next_attempt_ms FROM outbox
         WHERE tenant_id = $1 ORDER BY created_at_ms, id",
    )
    .bind(scope.tenant_id().0)
    .fetch_all(pool)
    .await)?)
}
