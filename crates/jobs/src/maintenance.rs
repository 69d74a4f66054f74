//! Housekeeping the worker process does besides runs: retention purges, and forgetting master-data claims no
//! run can still need.

use std::time::Duration;

use koppel_store::{Db, claims, retention};

/// Rows deleted per statement: small enough that a purge never holds the database for long.
pub const PURGE_BATCH: i64 = 1_000;

/// Claims older than this are forgotten: a claim only matters to runs that looked before it was made, and no
/// run lasts a week.
pub const CLAIMS_KEPT_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Purges the activity log past every tenant's retention, and old master-data claims, now and every `interval`.
pub async fn retention_loop(db: Db, interval: Duration) {
    loop {
        match retention::purge(&db, koppel_store::now().timestamp_millis(), PURGE_BATCH).await {
            Ok(purged) if purged.payloads + purged.entries > 0 => {
                tracing::info!(payloads = purged.payloads, entries = purged.entries, "retention purge")
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "retention purge failed"),
        }
        let now_ms = koppel_store::now().timestamp_millis();
        if let Err(error) = claims::prune(&db, now_ms - CLAIMS_KEPT_MS).await {
            tracing::error!(%error, "forgetting old master-data claims failed");
        }
        tokio::time::sleep(interval).await;
    }
}
