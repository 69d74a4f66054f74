//! What a company's flows remember of what they synced: each flow's cursor and the id map (what each source
//! record became in the target, which makes a run skip what is already booked). Forgetting it makes the next
//! runs read the source from the start and book again what the target lacks; the activity log is kept.

use crate::db::{BeginWrite, on_pool};
use crate::{Db, Result, StoreError, TenantScope};

/// What [`forget`] cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forgotten {
    /// Flows whose cursor was set.
    pub cursors: u64,
    /// Id-map rows (records the flows knew, with their retry state).
    pub records: u64,
}

/// Clears every flow's cursor and the whole id map of the company, in one transaction.
pub async fn forget(db: &Db, scope: &TenantScope) -> Result<Forgotten> {
    let tenant = scope.tenant_id().0;
    on_pool!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let cursors = sqlx::query(
            "UPDATE flows SET cursor_marker = NULL WHERE tenant_id = $1 AND cursor_marker IS NOT NULL",
        )
        .bind(tenant)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let records = sqlx::query("DELETE FROM id_map WHERE tenant_id = $1")
            .bind(tenant)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok::<_, StoreError>(Forgotten { cursors, records })
    })
}

/// How many of the company's runs are queued or running (they read and move what [`forget`] clears).
pub async fn active_runs(db: &Db, scope: &TenantScope) -> Result<i64> {
    let (count,): (i64,) = on_pool!(db, pool => sqlx::query_as(
        "SELECT COUNT(*) FROM runs WHERE tenant_id = $1 AND status IN ('queued', 'running')",
    )
    .bind(scope.tenant_id().0)
    .fetch_one(pool)
    .await)?;
    Ok(count)
}
