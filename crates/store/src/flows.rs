//! A tenant's flows: switched on or off, schedule, settings, cursor, and when each runs next.

use koppel_core::{FlowKind, TenantId};
use uuid::Uuid;

use crate::db::on_pool;
use crate::{Db, Result, TenantScope};

/// Every five minutes, on the minute (cron with seconds: sec min hour day month weekday).
pub const DEFAULT_SCHEDULE: &str = "0 */5 * * * *";

#[derive(Debug, Clone, PartialEq)]
pub struct FlowConfig {
    pub flow: FlowKind,
    pub enabled: bool,
    pub schedule: String,
    pub settings: serde_json::Value,
    pub cursor: Option<i64>,
    pub next_run_at_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(try_from = "String")]
    flow: FlowKind,
    enabled: bool,
    schedule: String,
    settings: String,
    cursor_marker: Option<i64>,
    next_run_at_ms: Option<i64>,
}

impl From<Row> for FlowConfig {
    fn from(row: Row) -> Self {
        Self {
            flow: row.flow,
            enabled: row.enabled,
            schedule: row.schedule,
            settings: serde_json::from_str(&row.settings).unwrap_or_default(),
            cursor: row.cursor_marker,
            next_run_at_ms: row.next_run_at_ms,
        }
    }
}

const COLUMNS: &str = "flow, enabled, schedule, settings, cursor_marker, next_run_at_ms";

pub async fn get(db: &Db, scope: &TenantScope, flow: FlowKind) -> Result<Option<FlowConfig>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM flows WHERE tenant_id = $1 AND flow = $2"
    ));
    let row = on_pool!(db, pool => sqlx::query_as::<_, Row>(sql)
        .bind(scope.tenant_id().0)
        .bind(flow.as_str())
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(FlowConfig::from))
}

pub async fn list(db: &Db, scope: &TenantScope) -> Result<Vec<FlowConfig>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM flows WHERE tenant_id = $1 ORDER BY flow"
    ));
    let rows = on_pool!(db, pool => sqlx::query_as::<_, Row>(sql).bind(scope.tenant_id().0).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(FlowConfig::from).collect())
}

/// Saves enabled, schedule, settings and the next due time. The cursor is not touched (`config.cursor` is
/// ignored): only runs move it.
pub async fn save(db: &Db, scope: &TenantScope, config: &FlowConfig, now_ms: i64) -> Result<()> {
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO flows (tenant_id, flow, enabled, schedule, settings, next_run_at_ms, updated_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, flow) DO UPDATE SET enabled = excluded.enabled, schedule = excluded.schedule,
           settings = excluded.settings, next_run_at_ms = excluded.next_run_at_ms,
           updated_at_ms = excluded.updated_at_ms",
    )
    .bind(scope.tenant_id().0)
    .bind(config.flow.as_str())
    .bind(config.enabled)
    .bind(&config.schedule)
    .bind(config.settings.to_string())
    .bind(config.next_run_at_ms)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn set_cursor(db: &Db, scope: &TenantScope, flow: FlowKind, cursor: i64) -> Result<()> {
    on_pool!(db, pool => sqlx::query("UPDATE flows SET cursor_marker = $1 WHERE tenant_id = $2 AND flow = $3")
        .bind(cursor)
        .bind(scope.tenant_id().0)
        .bind(flow.as_str())
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Forgets the flow's cursor: its next run reads the source from the start (a full resync).
pub async fn reset_cursor(db: &Db, scope: &TenantScope, flow: FlowKind) -> Result<()> {
    on_pool!(db, pool => sqlx::query("UPDATE flows SET cursor_marker = NULL WHERE tenant_id = $1 AND flow = $2")
        .bind(scope.tenant_id().0)
        .bind(flow.as_str())
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A flow whose next run is due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueFlow {
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "String")]
    pub flow: FlowKind,
    pub schedule: String,
    pub next_run_at_ms: i64,
    /// Compared in Rust: SQLite keeps timestamps as text.
    pub trial_ends_at: chrono::DateTime<chrono::Utc>,
}

/// Enabled flows due at `now_ms`, most overdue first.
pub async fn due(db: &Db, now_ms: i64, limit: i64) -> Result<Vec<DueFlow>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, DueFlow>(
        "SELECT f.tenant_id, f.flow, f.schedule, f.next_run_at_ms, t.trial_ends_at
         FROM flows f JOIN tenants t ON t.id = f.tenant_id
         WHERE f.enabled = TRUE AND f.next_run_at_ms IS NOT NULL AND f.next_run_at_ms <= $1
         ORDER BY f.next_run_at_ms LIMIT $2",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Moves a due flow's next run from `expected` to `next`, only if nobody else did: the atomic claim that lets
/// several scheduler processes share one database without starting a run twice.
pub async fn claim(db: &Db, tenant_id: TenantId, flow: FlowKind, expected: i64, next: Option<i64>) -> Result<bool> {
    let claimed = on_pool!(db, pool => sqlx::query(
        "UPDATE flows SET next_run_at_ms = $1 WHERE tenant_id = $2 AND flow = $3 AND next_run_at_ms = $4",
    )
    .bind(next)
    .bind(tenant_id.0)
    .bind(flow.as_str())
    .bind(expected)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(claimed == 1)
}
