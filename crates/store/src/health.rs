//! Figures for the flow-health lights and the activity chart on the tenant home.

use koppel_core::FlowKind;

use crate::db::on_pool;
use crate::{Db, Result, TenantScope};

pub const DAY_MS: i64 = 86_400_000;

/// Journal entries that failed since `since_ms`, per flow.
pub async fn failures_since(db: &Db, scope: &TenantScope, since_ms: i64) -> Result<Vec<(FlowKind, i64)>> {
    let rows: Vec<(String, i64)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT flow, COUNT(*) FROM journal WHERE tenant_id = $1 AND outcome = 'failed' AND created_at_ms >= $2
         GROUP BY flow",
    )
    .bind(scope.tenant_id().0)
    .bind(since_ms)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(flow, count)| Some((flow.parse().ok()?, count)))
        .collect())
}

/// Records per flow whose latest attempt failed and that nobody resolved yet (a later success or a skip
/// resolves one): what still needs the flow's next runs or a person.
pub async fn open_failures(db: &Db, scope: &TenantScope) -> Result<Vec<(FlowKind, i64)>> {
    let rows: Vec<(String, i64)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT flow, COUNT(*) FROM id_map WHERE tenant_id = $1 AND failure_class IS NOT NULL GROUP BY flow",
    )
    .bind(scope.tenant_id().0)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(flow, count)| Some((flow.parse().ok()?, count)))
        .collect())
}

/// When each flow last finished a run successfully (ms).
pub async fn last_successes(db: &Db, scope: &TenantScope) -> Result<Vec<(FlowKind, i64)>> {
    let rows: Vec<(String, Option<i64>)> = on_pool!(db, pool => sqlx::query_as(
        "SELECT flow, MAX(finished_at_ms) FROM runs WHERE tenant_id = $1
           AND status IN ('succeeded', 'succeeded_with_failures') GROUP BY flow",
    )
    .bind(scope.tenant_id().0)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(flow, at)| Some((flow.parse().ok()?, at?)))
        .collect())
}

/// Records per day (days since the epoch) and outcome since `since_ms`, for the chart.
pub async fn records_per_day(db: &Db, scope: &TenantScope, since_ms: i64) -> Result<Vec<(i64, String, i64)>> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT created_at_ms / 86400000 AS day, outcome, COUNT(*) FROM journal
         WHERE tenant_id = $1 AND created_at_ms >= $2 GROUP BY created_at_ms / 86400000, outcome ORDER BY 1",
    )
    .bind(scope.tenant_id().0)
    .bind(since_ms)
    .fetch_all(pool)
    .await)?)
}
