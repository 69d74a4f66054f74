//! The journal in memory for one tenant and flow, kept across runs like the store's, with a simulated crash
//! or cancellation after a number of records.

use std::collections::HashMap;
use std::sync::Mutex;

use koppel_sync::ports::{IdMapEntry, Journal, JournalEntry, JournalError, Outcome};

#[derive(Debug, Default)]
struct JournalState {
    entries: Vec<JournalEntry>,
    id_map: HashMap<String, IdMapEntry>,
    cursor: Option<i64>,
    progress: Option<(u64, u64)>,
    records_before_cancel: Option<usize>,
    records_before_crash: Option<usize>,
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
            state.entries.push(entry);
        }
        Ok(())
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
}
