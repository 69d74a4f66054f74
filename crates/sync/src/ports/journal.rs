//! The journal: what happened to each record in each run, the id map from source to target, and the cursor.

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::sales::{SaleCheck, TillTotals, UncheckedSale};

/// What happened to one record in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Skipped,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// Why a record failed, which decides whether Koppel tries it again by itself (see `docs/retries.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// A setting the record needs is missing or wrong: retried at once after the flow's settings change,
    /// else with back-off.
    Setting,
    /// The target lacks master data the record refers to (an article, a debtor): retried with back-off.
    MasterData,
    /// The connection failed (maintenance, a timeout, a lock): retried with back-off.
    Transient,
    /// The record can never succeed as it is (AFAS refused its own data, the source record is malformed):
    /// not retried automatically.
    Permanent,
}

impl FailureClass {
    pub const ALL: [FailureClass; 4] = [
        FailureClass::Setting,
        FailureClass::MasterData,
        FailureClass::Transient,
        FailureClass::Permanent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::Setting => "setting",
            FailureClass::MasterData => "master_data",
            FailureClass::Transient => "transient",
            FailureClass::Permanent => "permanent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|class| class.as_str() == text)
    }

    /// Whether the flow's next runs try the record again by themselves.
    pub fn retried_automatically(self) -> bool {
        self != FailureClass::Permanent
    }
}

impl From<ErrorClass> for FailureClass {
    fn from(class: ErrorClass) -> Self {
        match class {
            ErrorClass::Permanent => FailureClass::Permanent,
            ErrorClass::Setting => FailureClass::Setting,
            ErrorClass::MasterData => FailureClass::MasterData,
            // A broken connection is fixed outside the flow, like a passing fault: back-off.
            ErrorClass::Transient | ErrorClass::Unauthorized => FailureClass::Transient,
        }
    }
}

/// One journal entry: one record of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// e.g. `order`, `invoice`, `customer`, `article`, `stock`.
    pub entity: String,
    /// The source's id of the record (the id-map key).
    pub source_id: String,
    /// What people search by: order number, e-mail, SKU, customer name.
    pub search_keys: Vec<String>,
    pub outcome: Outcome,
    /// Why it was skipped or failed, in plain words.
    pub reason: Option<String>,
    /// Why it failed (only for failures).
    pub failure: Option<FailureClass>,
    pub target_id: Option<String>,
    /// The record as it came from the source.
    pub source_payload: JsonText,
    /// Every exchange with the target for this record, in order (what was sent and what was answered).
    pub exchanges: Vec<Exchange>,
    /// Hash of the mapped content: an unchanged record is skipped without any call next time.
    pub content_hash: Option<String>,
    pub at: DateTime<Utc>,
    /// A sale to be booked: the till's totals, kept for the read-back check and the reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale: Option<TillTotals>,
}

impl JournalEntry {
    /// Whether the flow's next runs try it again by themselves (only failures are).
    pub fn retryable(&self) -> bool {
        self.failure.is_some_and(FailureClass::retried_automatically)
    }
}

/// What the id map remembers of a record sent earlier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdMapEntry {
    pub target_id: String,
    pub content_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("journal: {0}")]
pub struct JournalError(pub String);

/// Where a run writes down what it did. Bound by the caller to one tenant, one flow and one run.
pub trait Journal: Send + Sync {
    /// Records entries (a window of records, in order) all or none and, for created/updated/skipped-as-existing
    /// records with a target id, the id map.
    fn record(&self, entries: Vec<JournalEntry>) -> impl Future<Output = Result<(), JournalError>> + Send;
    fn id_map(
        &self,
        source_ids: &[String],
    ) -> impl Future<Output = Result<HashMap<String, IdMapEntry>, JournalError>> + Send;
    /// The flow's cursor (the next sync marker to read); `None` before the first run.
    fn cursor(&self) -> impl Future<Output = Result<Option<i64>, JournalError>> + Send;
    /// Moves the cursor; called only once every record before it is journaled.
    fn set_cursor(&self, next: i64) -> impl Future<Output = Result<(), JournalError>> + Send;
    /// Source ids whose last attempt failed and whose automatic retry is due now (after a settings change,
    /// or once the back-off has passed): tried again at the start of a run.
    fn due_retries(&self) -> impl Future<Output = Result<Vec<String>, JournalError>> + Send;
    /// Live progress for the dashboard.
    fn progress(&self, done: u64, total: u64) -> impl Future<Output = Result<(), JournalError>> + Send;
    /// Whether someone cancelled the run; checked between records.
    fn is_cancelled(&self) -> impl Future<Output = Result<bool, JournalError>> + Send;
    /// Sales booked in AFAS (by this run or an earlier one that stopped before it could check) whose totals
    /// have not been read back yet, at most `limit`.
    fn unchecked_sales(&self, limit: usize) -> impl Future<Output = Result<Vec<UncheckedSale>, JournalError>> + Send;
    /// Writes down what reading sales back found (the warning on the record, counted on the run).
    fn record_sale_checks(&self, checks: Vec<SaleCheck>) -> impl Future<Output = Result<(), JournalError>> + Send;
    /// What another flow of the company wrote: target id → source id in `flow`'s id map (the order_status flow
    /// finds the till's order of an AFAS order the orders flow booked).
    fn sources_of_targets(
        &self,
        flow: koppel_core::FlowKind,
        target_ids: &[String],
    ) -> impl Future<Output = Result<HashMap<String, String>, JournalError>> + Send;
}
