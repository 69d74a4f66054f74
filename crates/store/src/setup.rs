//! The setup wizard's progress per tenant: which steps are done, which flows were chosen, and whether the
//! tenant activated them. Everything the steps choose is stored where it belongs (connections, flows); this
//! only remembers where the wizard stands so it can be resumed.

use serde::{Deserialize, Serialize};

use crate::db::on_pool;
use crate::{Db, Result, TenantScope};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupProgress {
    /// Step names, in the order they were first completed.
    pub completed: Vec<String>,
    /// Flow names (`orders`, `customers`, `products`, `stock`).
    pub chosen_flows: Vec<String>,
    pub activated_at_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    completed: String,
    chosen_flows: String,
    activated_at_ms: Option<i64>,
}

/// The stored progress, or none (the wizard was never opened).
pub async fn get(db: &Db, scope: &TenantScope) -> Result<SetupProgress> {
    let row = on_pool!(db, pool => sqlx::query_as::<_, Row>(
        "SELECT completed, chosen_flows, activated_at_ms FROM setup_progress WHERE tenant_id = $1",
    )
    .bind(scope.tenant_id().0)
    .fetch_optional(pool)
    .await)?;
    Ok(row
        .map(|row| SetupProgress {
            completed: serde_json::from_str(&row.completed).unwrap_or_default(),
            chosen_flows: serde_json::from_str(&row.chosen_flows).unwrap_or_default(),
            activated_at_ms: row.activated_at_ms,
        })
        .unwrap_or_default())
}

pub async fn save(db: &Db, scope: &TenantScope, progress: &SetupProgress, now_ms: i64) -> Result<()> {
    let completed = serde_json::to_string(&progress.completed).expect("strings serialise");
    let chosen = serde_json::to_string(&progress.chosen_flows).expect("strings serialise");
    on_pool!(db, pool => sqlx::query(
        "INSERT INTO setup_progress (tenant_id, completed, chosen_flows, activated_at_ms, updated_at_ms)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id) DO UPDATE SET completed = excluded.completed,
           chosen_flows = excluded.chosen_flows, activated_at_ms = excluded.activated_at_ms,
           updated_at_ms = excluded.updated_at_ms",
    )
    .bind(scope.tenant_id().0)
    .bind(&completed)
    .bind(&chosen)
    .bind(progress.activated_at_ms)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}
