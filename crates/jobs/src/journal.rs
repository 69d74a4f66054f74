//! The engine's [`Journal`] over the store: bound to one tenant, one flow and one run, held under a lease.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use koppel_core::FlowKind;
use koppel_store::runs::{self, Counts, RunLease};
use koppel_store::{Db, StoreError, TenantScope, flows, journal, retries, sales};
use koppel_sync::ports::{FailureClass, IdMapEntry, Journal, JournalEntry, JournalError, Outcome};
use koppel_sync::sales::{SaleCheck, TillTotals, UncheckedSale};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Progress is written at most this often, and a cancellation is noticed within it: two statements per record
/// would cost more than the record itself.
const CHECK_INTERVAL: Duration = Duration::from_millis(500);

/// Why a run stopped between records before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Someone cancelled it.
    Cancelled,
    /// The process is shutting down: the run is handed back to the queue for another process.
    Shutdown,
    /// The run is no longer this process's (it stalled past its lease and another process took it over).
    LeaseLost,
}

/// What tells a held run to stop between records: the process shutting down, the lease lost.
#[derive(Debug, Clone, Default)]
pub struct StopFlags {
    /// Shared by every run of the process.
    pub shutdown: Arc<AtomicBool>,
    /// This run's; set by its heartbeat when a renewal finds the run taken.
    pub lease_lost: Arc<AtomicBool>,
}

impl StopFlags {
    fn reason(&self) -> Option<StopReason> {
        if self.lease_lost.load(Ordering::Relaxed) {
            Some(StopReason::LeaseLost)
        } else if self.shutdown.load(Ordering::Relaxed) {
            Some(StopReason::Shutdown)
        } else {
            None
        }
    }
}

pub struct StoreJournal {
    db: Db,
    scope: TenantScope,
    flow: FlowKind,
    lease: RunLease,
    stops: StopFlags,
    cancelled: AtomicBool,
    counts: Mutex<Counts>,
    last_progress: Mutex<Option<Instant>>,
    last_cancel_check: Mutex<Option<Instant>>,
}

/// True (and the clock reset) when `interval` has passed since the last time, or on the first call.
fn due(last: &Mutex<Option<Instant>>, interval: Duration) -> bool {
    let mut last = last.lock().expect("clock lock");
    let now = Instant::now();
    if last.is_some_and(|at| now.duration_since(at) < interval) {
        return false;
    }
    *last = Some(now);
    true
}

impl StoreJournal {
    /// A journal for the run `lease` holds, counting on from what earlier attempts of the run journaled.
    pub fn resume(
        db: Db,
        scope: TenantScope,
        flow: FlowKind,
        lease: RunLease,
        counts: Counts,
        stops: StopFlags,
    ) -> Self {
        Self {
            db,
            scope,
            flow,
            lease,
            stops,
            cancelled: AtomicBool::new(false),
            counts: Mutex::new(counts),
            last_progress: Mutex::new(None),
            last_cancel_check: Mutex::new(None),
        }
    }

    /// Creates a run and holds it in this process, outside the job queue (benchmarks, tests): one lease for
    /// as long as the run takes, no heartbeat.
    pub async fn start_run(db: Db, scope: TenantScope, flow: FlowKind, trigger: &str) -> Result<Self, StoreError> {
        let now = koppel_store::now().timestamp_millis();
        let run = runs::create(&db, &scope, flow, trigger, now).await?;
        let owner = format!("{trigger}-{}", uuid::Uuid::new_v4().simple());
        let lease = runs::acquire(&db, &scope, run, &owner, i64::from(i32::MAX), now)
            .await?
            .ok_or(StoreError::Conflict)?;
        Ok(Self::resume(
            db,
            scope,
            flow,
            lease,
            Counts::default(),
            StopFlags::default(),
        ))
    }

    pub fn lease(&self) -> &RunLease {
        &self.lease
    }

    /// Why the run stopped early, if it did: a lost lease first (nothing may be written for the run then),
    /// then a cancellation, then the shutdown.
    pub fn stop_reason(&self) -> Option<StopReason> {
        match self.stops.reason() {
            Some(StopReason::LeaseLost) => Some(StopReason::LeaseLost),
            _ if self.cancelled.load(Ordering::Relaxed) => Some(StopReason::Cancelled),
            other => other,
        }
    }

    /// What the run has journaled so far.
    pub fn counts(&self) -> Counts {
        self.counts.lock().expect("counts lock").clone()
    }
}

fn journal_error(error: impl std::fmt::Display) -> JournalError {
    JournalError(error.to_string())
}

impl Journal for StoreJournal {
    async fn record(&self, entries: Vec<JournalEntry>) -> Result<(), JournalError> {
        // The text forms first: `NewEntry` borrows them.
        let texts = entries
            .iter()
            .map(|entry| {
                let exchanges = serde_json::to_string(&entry.exchanges).map_err(journal_error)?;
                Ok((exchanges, entry.search_keys.join(" ")))
            })
            .collect::<Result<Vec<_>, JournalError>>()?;
        let rows: Vec<journal::NewEntry> = entries
            .iter()
            .zip(&texts)
            .map(|(entry, (exchanges, search_keys))| journal::NewEntry {
                run_id: self.lease.run,
                flow: self.flow,
                entity: &entry.entity,
                source_id: &entry.source_id,
                target_id: entry.target_id.as_deref(),
                outcome: entry.outcome.as_str(),
                reason: entry.reason.as_deref(),
                retryable: entry.retryable(),
                failure_class: entry.failure.map(FailureClass::as_str),
                search_keys,
                source_payload: entry.source_payload.as_str(),
                exchanges,
                content_hash: entry.content_hash.as_deref(),
                at_ms: entry.at.timestamp_millis(),
            })
            .collect();
        let till_vat = entries
            .iter()
            .map(|entry| entry.sale.as_ref().map(|sale| serde_json::to_string(&sale.vat_by_rate)))
            .map(Option::transpose)
            .collect::<Result<Vec<_>, _>>()
            .map_err(journal_error)?;
        let sales: Vec<sales::NewSale> = entries
            .iter()
            .zip(till_vat)
            .enumerate()
            .filter_map(|(index, (entry, vat))| {
                let sale = entry.sale.as_ref()?;
                Some(sales::NewSale {
                    entry: index,
                    source_id: &entry.source_id,
                    number: &sale.number,
                    date: sale.date,
                    till_total_incl: sale.total_incl.to_string(),
                    till_vat: vat?,
                    target_id: entry.target_id.as_deref(),
                })
            })
            .collect();
        journal::record_with_sales(&self.db, &self.scope, &rows, &sales)
            .await
            .map_err(journal_error)?;
        let mut counts = self.counts.lock().expect("counts lock");
        for entry in &entries {
            match entry.outcome {
                Outcome::Created => counts.created += 1,
                Outcome::Updated => counts.updated += 1,
                Outcome::Skipped => counts.skipped += 1,
                Outcome::Failed => counts.failed += 1,
            }
        }
        Ok(())
    }

    async fn sources_of_targets(
        &self,
        flow: FlowKind,
        target_ids: &[String],
    ) -> Result<HashMap<String, String>, JournalError> {
        journal::sources_of_targets(&self.db, &self.scope, flow, target_ids)
            .await
            .map_err(journal_error)
    }

    async fn id_map(&self, source_ids: &[String]) -> Result<HashMap<String, IdMapEntry>, JournalError> {
        let rows = journal::id_map(&self.db, &self.scope, self.flow, source_ids)
            .await
            .map_err(journal_error)?;
        Ok(rows
            .into_iter()
            .filter(|(_, row)| !row.retry_pending)
            .filter_map(|(id, row)| {
                Some((
                    id,
                    IdMapEntry {
                        target_id: row.target_id?,
                        content_hash: row.content_hash.unwrap_or_default(),
                    },
                ))
            })
            .collect())
    }

    async fn cursor(&self) -> Result<Option<i64>, JournalError> {
        let config = flows::get(&self.db, &self.scope, self.flow)
            .await
            .map_err(journal_error)?;
        Ok(config.and_then(|c| c.cursor))
    }

    async fn set_cursor(&self, next: i64) -> Result<(), JournalError> {
        flows::set_cursor(&self.db, &self.scope, self.flow, next)
            .await
            .map_err(journal_error)
    }

    async fn due_retries(&self) -> Result<Vec<String>, JournalError> {
        let now = koppel_store::now().timestamp_millis();
        retries::due(&self.db, &self.scope, self.flow, now, 1_000)
            .await
            .map_err(journal_error)
    }

    async fn progress(&self, done: u64, total: u64) -> Result<(), JournalError> {
        // The last record of a run always reports, so the finished count is exact.
        if done < total && !due(&self.last_progress, CHECK_INTERVAL) {
            return Ok(());
        }
        let counts = self.counts();
        let now = koppel_store::now().timestamp_millis();
        let held = self
            .lease
            .progress(&self.db, &self.scope, done as i64, total as i64, &counts, now)
            .await
            .map_err(journal_error)?;
        if !held {
            self.stops.lease_lost.store(true, Ordering::Relaxed);
            return Err(JournalError("the run was taken over by another process".to_owned()));
        }
        Ok(())
    }

    async fn is_cancelled(&self) -> Result<bool, JournalError> {
        if self.stops.reason().is_some() || self.cancelled.load(Ordering::Relaxed) {
            return Ok(true);
        }
        if !due(&self.last_cancel_check, CHECK_INTERVAL) {
            return Ok(false);
        }
        let cancelled = runs::cancel_requested(&self.db, &self.scope, self.lease.run)
            .await
            .map_err(journal_error)?;
        self.cancelled.store(cancelled, Ordering::Relaxed);
        Ok(cancelled)
    }

    async fn unchecked_sales(&self, limit: usize) -> Result<Vec<UncheckedSale>, JournalError> {
        let rows = sales::unchecked(&self.db, &self.scope, self.flow, limit)
            .await
            .map_err(journal_error)?;
        rows.into_iter()
            .map(|row| {
                let till = TillTotals::from_stored(row.number, &row.sale_date, &row.till_total_incl, &row.till_vat)
                    .map_err(journal_error)?;
                Ok(UncheckedSale {
                    source_id: row.source_id,
                    target_id: row.target_id,
                    till,
                })
            })
            .collect()
    }

    async fn record_sale_checks(&self, checks: Vec<SaleCheck>) -> Result<(), JournalError> {
        let rows: Vec<sales::CheckRow> = checks
            .into_iter()
            .map(|check| sales::CheckRow {
                source_id: check.source_id,
                booked_total_incl: check.booked.map(|b| b.total_incl.to_string()),
                booked_vat: check.booked.and_then(|b| b.vat).map(|vat| vat.to_string()),
                warning: check.warning,
            })
            .collect();
        let now = koppel_store::now().timestamp_millis();
        sales::record_checks(&self.db, &self.scope, self.flow, self.lease.run, &rows, now)
            .await
            .map_err(journal_error)
    }
}
