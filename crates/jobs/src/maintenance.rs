//! Housekeeping the worker process does besides runs: retention purges.

use std::time::Duration;

use koppel_store::{Db, retention};

/// Rows deleted per statement: small enough that a purge never holds the database for long.
pub const PURGE_BATCH: i64 = 1_000;

/// Purges the activity log past every tenant's retention, now and every `interval`.
pub async fn retention_loop(db: Db, interval: Duration) {
    loop {
        match retention::purge(&db, koppel_store::now().timestamp_millis(), PURGE_BATCH).await {
            Ok(purged) if purged.payloads + purged.entries > 0 => {
                tracing::info!(payloads = purged.payloads, entries = purged.entries, "retention purge")
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "retention purge failed"),
        }
        tokio::time::sleep(interval).await;
    }
}
