//! The journal in memory for one tenant and flow, kept across runs like the store's, with a simulated crash
//! or cancellation after a number of records.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use koppel_sync::ports::{IdMapEntry, Journal, JournalEntry, JournalError, Outcome};
use koppel_sync::sales::{SaleCheck, TillTotals, UncheckedSale};

/// A sale held against the books, as the store keeps it: the till's totals, the AFAS number once booked, and
/// the last read-back.
#[derive(Debug, Clone)]
struct Sale {
    till: TillTotals,
    target_id: Option<String>,
    check: Option<SaleCheck>,
}

#[derive(Debug, Default)]
struct JournalState {
    entries: Vec<JournalEntry>,
    id_map: HashMap<String, IdMapEntry>,
    cursor: Option<i64>,
    progress: Option<(u64, u64)>,
    records_before_cancel: Option<usize>,
    records_before_crash: Option<usize>,
    sales: BTreeMap<String, Sale>,
}

/// A journal in memory for one tenant and flow (kept across runs, like the store's).
#[derive(Debug, Default)]
pub struct FakeJournal {
    state: Mutex<JournalState>,
}

impl FakeJournal {
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.state.lock().unwrap().entries.clone()
    }

    /// The entries of one source record, oldest first.
    pub fn entries_for(&self, source_id: &str) -> Vec<JournalEntry> {
        self.entries()
            .into_iter()
            .filter(|e| e.source_id == source_id)
            .collect()
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.state
            .lock()
            .unwrap()
            .entries
            .iter()
            .filter(|e| e.outcome == outcome)
            .count()
    }

    pub fn id_map_entry(&self, source_id: &str) -> Option<IdMapEntry> {
        self.state.lock().unwrap().id_map.get(source_id).cloned()
    }

    /// The last read-back of each sale checked so far, by source id.
    pub fn sale_checks(&self) -> BTreeMap<String, SaleCheck> {
        let state = self.state.lock().unwrap();
        let checked = state
            .sales
            .iter()
            .filter_map(|(id, sale)| Some((id.clone(), sale.check.clone()?)));
        checked.collect()
    }

    /// The warnings of the sales checked so far, by source id.
    pub fn sale_warnings(&self) -> BTreeMap<String, String> {
        let checks = self.sale_checks().into_iter();
        checks.filter_map(|(id, check)| Some((id, check.warning?))).collect()
    }

    pub fn current_cursor(&self) -> Option<i64> {
        self.state.lock().unwrap().cursor
    }

    pub fn last_progress(&self) -> Option<(u64, u64)> {
        self.state.lock().unwrap().progress
    }

    /// Puts the cursor back, as if the flow were reset to read from `cursor` again.
    pub fn set_cursor_for_test(&self, cursor: i64) {
        self.state.lock().unwrap().cursor = Some(cursor);
    }

    /// The run is cancelled once `records` more entries are recorded.
    pub fn cancel_after(&self, records: usize) {
        self.state.lock().unwrap().records_before_cancel = Some(records);
    }

    /// Simulates a worker dying: after `records` more entries, the next `record` call fails without recording.
    pub fn crash_after(&self, records: usize) {
        self.state.lock().unwrap().records_before_crash = Some(records);
    }

    /// The worker is back: records are accepted again and nobody cancels.
    pub fn recover(&self) {
        let mut state = self.state.lock().unwrap();
        state.records_before_crash = None;
        state.records_before_cancel = None;
    }

    /// Takes `records` from the crash budget, or fails (recording nothing) when fewer are left.
    fn ensure_alive(state: &mut JournalState, records: usize) -> Result<(), JournalError> {
        match state.records_before_crash.as_mut() {
            Some(left) if *left < records => {
                *left = 0;
                Err(JournalError("the worker died".into()))
            }
            Some(left) => {
                *left -= records;
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl Journal for FakeJournal {
    async fn record(&self, entries: Vec<JournalEntry>) -> Result<(), JournalError> {
        let mut state = self.state.lock().unwrap();
        // All or none, like the store's transaction: a crash inside a batch loses the whole batch.
        Self::ensure_alive(&mut state, entries.len())?;
        for entry in entries {
            let links = matches!(entry.outcome, Outcome::Created | Outcome::Updated | Outcome::Skipped);
            if let (true, Some(target_id), Some(content_hash)) = (links, &entry.target_id, &entry.content_hash) {
                let link = IdMapEntry {
                    target_id: target_id.clone(),
                    content_hash: content_hash.clone(),
                };
                state.id_map.insert(entry.source_id.clone(), link);
            }
            if let Some(left) = state.records_before_cancel.as_mut() {
                *left = left.saturating_sub(1);
            }
            if let Some(till) = &entry.sale {
                let earlier = state.sales.get(&entry.source_id);
                let target_id = entry
                    .target_id
                    .clone()
                    .or_else(|| earlier.and_then(|s| s.target_id.clone()));
                // A sale booked again or changed on the till is read back again.
                let unchanged =
                    earlier.is_some_and(|s| s.target_id == target_id && s.till.total_incl == till.total_incl);
                let check = earlier.and_then(|s| s.check.clone()).filter(|_| unchanged);
                let sale = Sale {
                    till: till.clone(),
                    target_id,
                    check,
                };
                state.sales.insert(entry.source_id.clone(), sale);
            }
            state.entries.push(entry);
        }
        Ok(())
    }

    /// Every flow's entries are this journal's (a test shares one journal between flows to link them).
    async fn sources_of_targets(
        &self,
        _flow: koppel_core::FlowKind,
        target_ids: &[String],
    ) -> Result<HashMap<String, String>, JournalError> {
        let state = self.state.lock().unwrap();
        Ok(state
            .id_map
            .iter()
            .filter(|(_, entry)| target_ids.contains(&entry.target_id))
            .map(|(source, entry)| (entry.target_id.clone(), source.clone()))
            .collect())
    }

    async fn id_map(&self, source_ids: &[String]) -> Result<HashMap<String, IdMapEntry>, JournalError> {
        let state = self.state.lock().unwrap();
        Ok(source_ids
            .iter()
            .filter_map(|id| state.id_map.get(id).map(|e| (id.clone(), e.clone())))
            .collect())
    }

    async fn cursor(&self) -> Result<Option<i64>, JournalError> {
        Ok(self.state.lock().unwrap().cursor)
    }

    async fn set_cursor(&self, next: i64) -> Result<(), JournalError> {
        self.state.lock().unwrap().cursor = Some(next);
        Ok(())
    }

    /// Every record whose last attempt failed retryably, at once: this journal has no clock or settings.
    async fn due_retries(&self) -> Result<Vec<String>, JournalError> {
        let state = self.state.lock().unwrap();
        let mut last: Vec<(&str, &JournalEntry)> = Vec::new();
        for entry in &state.entries {
            last.retain(|(id, _)| *id != entry.source_id);
            last.push((&entry.source_id, entry));
        }
        Ok(last
            .into_iter()
            .filter(|(_, e)| e.outcome == Outcome::Failed && e.retryable())
            .map(|(id, _)| id.to_owned())
            .collect())
    }

    async fn progress(&self, done: u64, total: u64) -> Result<(), JournalError> {
        self.state.lock().unwrap().progress = Some((done, total));
        Ok(())
    }

    async fn is_cancelled(&self) -> Result<bool, JournalError> {
        Ok(self.state.lock().unwrap().records_before_cancel == Some(0))
    }
    async fn unchecked_sales(&self, limit: usize) -> Result<Vec<UncheckedSale>, JournalError> {
        let state = self.state.lock().unwrap();
        let unchecked = state.sales.iter().filter(|(_, sale)| sale.check.is_none());
        Ok(unchecked
            .filter_map(|(id, sale)| {
                Some(UncheckedSale {
                    source_id: id.clone(),
                    target_id: sale.target_id.clone()?,
                    till: sale.till.clone(),
                })
            })
            .take(limit)
            .collect())
    }
    async fn record_sale_checks(&self, checks: Vec<SaleCheck>) -> Result<(), JournalError> {
        let mut state = self.state.lock().unwrap();
        for check in checks {
            if let Some(sale) = state.sales.get_mut(&check.source_id) {
                sale.check = Some(check);
            }
        }
        Ok(())
    }
}
