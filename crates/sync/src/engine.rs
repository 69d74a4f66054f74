//! The entry points the job queue calls: one run of one flow, one record retried, a dry run.
//!
//! A run first retries the records whose automatic retry is due (their last attempt failed for a setting,
//! missing master data or a transient cause, and the flow's settings changed since or the back-off has
//! passed: the journal decides), the same way for every flow with a cursor; stock needs no such step, as it
//! compares every article on every run. Then it reads pages from the cursor. Per page a flow **plans** (one batched target look-up per kind), **maps**, **sends** and
//! **journals** one entry per record; the cursor moves past a page only once every record of it is journaled.
//! Orders run as one pipeline across pages ([`flows::orders::run_pages`]): the next page's sales start while
//! this page's last orders are in flight.
//! A record that fails does not stop the run; a transient or unauthorized error does, with the cursor left
//! at that record.
//!
//! Entries are written in batches (one transaction once [`JOURNAL_BATCH`] records or [`JOURNAL_MAX_WAIT`] have
//! gathered, and at every page end, stop or halt): a crash can lose at most the unwritten batch, whose records
//! the next run meets again and finds in the target (an order by its reference, a debtor by e-mail, an article
//! by code), so nothing is sent twice.

use std::time::{Duration, Instant};

use chrono::Utc;
use koppel_core::FlowKind;
use serde::Serialize;

use crate::flows::{self, Page};
use crate::ports::{
    ConnectorError, ErpTarget, ErrorClass, FailureClass, Journal, JournalEntry, JournalError, Outcome, PosSource,
};
use crate::record::{Failure, RecordMeta, SeenIds, Trail, Verdict};
use crate::settings::FlowSettings;

/// Records gathered before they are written in one transaction. Each transaction costs SQLite a commit and
/// its FTS index a new segment to merge later: batches of 8 took about 15% more of Koppel's CPU per order than
/// batches of 64 (`koppel bench sync --latency-ms 0`).
pub const JOURNAL_BATCH: usize = 64;

/// The longest a concluded record waits to be written (and the dashboard's progress with it) when records
/// come slowly.
pub const JOURNAL_MAX_WAIT: Duration = Duration::from_secs(1);

/// How many records ended which way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failed: u64,
}

impl Counts {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Failed => self.failed += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.created + self.updated + self.skipped + self.failed
    }
}

/// What a run did. A run whose records partly failed has still succeeded; its counts say what failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub counts: Counts,
    /// Records read from the source (retries included).
    pub total_seen: u64,
    /// The cursor after the run (`None` for flows without one, such as stock).
    pub cursor: Option<i64>,
    /// Stopped early because someone cancelled it.
    pub cancelled: bool,
    /// Sales read back from AFAS whose booked totals differ from the till's (each has a warning).
    pub differing: u64,
}

/// Why a run stopped before its end.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// Try the run again later, not before `retry_after`; the cursor is not past the record that hit it.
    #[error("temporarily unavailable: {message}")]
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The connection is broken (credentials, IP restriction): stop and alert the tenant.
    #[error("not authorized: {message}")]
    Unauthorized { message: String },
    /// A call every record depends on was refused (e.g. a look-up connector is missing): retrying the same run
    /// will not help until the setup is fixed. The cursor has not moved.
    #[error("the run cannot proceed: {message}")]
    Refused { message: String },
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl From<ConnectorError> for RunError {
    fn from(error: ConnectorError) -> Self {
        match error.class {
            ErrorClass::Transient => RunError::Transient {
                message: error.message,
                retry_after: error.retry_after,
            },
            ErrorClass::Unauthorized => RunError::Unauthorized { message: error.message },
            ErrorClass::Permanent | ErrorClass::Setting | ErrorClass::MasterData => {
                RunError::Refused { message: error.message }
            }
        }
    }
}

/// Runs one flow once: retries first, then pages from the cursor until the source has nothing more.
pub async fn run_flow<S: PosSource, T: ErpTarget, J: Journal>(
    flow: FlowKind,
    settings: &FlowSettings,
    source: &S,
    target: &T,
    journal: &J,
) -> Result<RunReport, RunError> {
    let settings = settings.for_flow(flow);
    let mut run = Run::new(flow, &settings, source, target, journal);
    // On the heap: a run's future holds every flow's page state (the orders pipeline's is large), and a
    // caller that awaits it on a small stack (a test's thread, a runtime's worker) must not have to hold it.
    Box::pin(run.pages(None)).await?;
    Ok(run.report)
}

/// Tries these records again with fresh source data and the current settings, as one run: each is journaled
/// as a new attempt (written before this returns) and counted in the report.
pub async fn retry_records<S: PosSource, T: ErpTarget, J: Journal>(
    flow: FlowKind,
    settings: &FlowSettings,
    source: &S,
    target: &T,
    journal: &J,
    source_ids: &[String],
) -> Result<RunReport, RunError> {
    let settings = settings.for_flow(flow);
    let mut run = Run::new(flow, &settings, source, target, journal);
    Box::pin(run.retry_pages(source_ids)).await?;
    Ok(run.report)
}

/// The state of one run, shared by the flows.
pub(crate) struct Run<'a, S, T, J> {
    pub flow: FlowKind,
    pub settings: &'a FlowSettings,
    pub source: &'a S,
    pub target: &'a T,
    pub journal: &'a J,
    pub report: RunReport,
    /// Source ids journaled in this run: a retried record met again in a page is not done twice.
    handled: SeenIds,
    /// Where the cursor may stop when the run halts inside a page.
    stop_marker: Option<i64>,
    /// Concluded records not yet written to the journal, and since when the oldest waits.
    unwritten: Vec<JournalEntry>,
    unwritten_since: Option<Instant>,
}

impl<'a, S: PosSource, T: ErpTarget, J: Journal> Run<'a, S, T, J> {
    pub fn new(flow: FlowKind, settings: &'a FlowSettings, source: &'a S, target: &'a T, journal: &'a J) -> Self {
        Self {
            flow,
            settings,
            source,
            target,
            journal,
            report: RunReport::default(),
            handled: SeenIds::default(),
            stop_marker: None,
            unwritten: Vec::new(),
            unwritten_since: None,
        }
    }

    pub(crate) fn page_size(&self) -> usize {
        self.settings.batch_size.max(1) as usize
    }

    /// The page loop; `max_pages` limits a dry run.
    pub async fn pages(&mut self, max_pages: Option<usize>) -> Result<(), RunError> {
        // Stock, prices and discounts have no cursor: every run compares everything.
        match self.flow {
            FlowKind::Stock => return self.stock_pages(max_pages).await,
            // Boxed: its reads in parallel make a large future, which would grow every flow's run on the stack.
            FlowKind::Prices => return Box::pin(flows::prices::run(self, None, max_pages)).await,
            FlowKind::Discounts => return Box::pin(flows::discounts::run(self, None, max_pages)).await,
            _ => {}
        }
        self.retry_due().await?;
        let stored = self.journal.cursor().await?;
        let cursor = stored.unwrap_or(0);
        self.report.cursor = Some(cursor);
        let outcome = match self.flow {
            FlowKind::Quotations if self.settings.quotations_to_till(self.flow) => {
                self.record_pages(cursor, max_pages).await
            }
            FlowKind::Orders | FlowKind::Receipts | FlowKind::Quotations => {
                flows::orders::run_pages(self, flows::orders::Feed::Cursor { cursor, max_pages }).await
            }
            FlowKind::FinancialJournal => flows::financial_journal::run_days(self, stored, max_pages).await,
            _ => self.record_pages(cursor, max_pages).await,
        };
        let outcome = self.flushed(outcome).await;
        let checks_bookings = matches!(self.flow, FlowKind::Orders | FlowKind::Receipts) && max_pages.is_none();
        if outcome.is_ok() && !self.report.cancelled && checks_bookings {
            flows::orders::check_bookings(self).await?;
        }
        if outcome.is_err() || self.report.cancelled {
            let saved = self.report.cursor.unwrap_or(cursor);
            self.keep_cursor_at_stop(saved, &outcome).await?;
        }
        outcome
    }

    /// Customers, products and articles: page by page from the cursor, the next page read while this one is sent.
    async fn record_pages(&mut self, mut cursor: i64, max_pages: Option<usize>) -> Result<(), RunError> {
        let mut pages_done = 0;
        let (flow, settings, size) = (self.flow, self.settings, self.page_size());
        let ends = (self.source, self.target);
        let mut prefetched: Option<Page> = None;
        while !self.report.cancelled && max_pages.is_none_or(|max| pages_done < max) {
            let page = match prefetched.take() {
                Some(ahead) => ahead,
                None => Page::fetch(flow, settings, ends, cursor, size).await?,
            };
            if page.len() == 0 {
                break;
            }
            let full = page.len() >= size;
            let next = page.next_cursor(full).filter(|&next| next > cursor);
            let more = full && next.is_some() && max_pages.is_none_or(|max| pages_done + 1 < max);
            self.report.total_seen += page.len() as u64;
            // The next page is read while this one is sent: reading moves nothing, and a run that stops simply
            // drops it.
            let read_ahead = async {
                let next = next.filter(|_| more)?;
                Some(Page::fetch(flow, settings, ends, next, size).await)
            };
            let (outcome, read_ahead) = futures::join!(flows::run_page(self, page), read_ahead);
            // The page's entries are written before its cursor is.
            self.flushed(outcome).await?;
            if self.report.cancelled {
                break;
            }
            // A page without a marker past the cursor cannot move it: stop rather than read it again forever.
            let Some(next) = next else { break };
            cursor = next;
            self.journal.set_cursor(cursor).await?;
            self.report.cursor = Some(cursor);
            pages_done += 1;
            if !full {
                break;
            }
            // A failed read ahead stops the run only now, with this page's cursor saved.
            prefetched = read_ahead.transpose()?;
        }
        Ok(())
    }

    /// After a stop inside a page, moves the cursor up to (not past) the record that stopped it.
    async fn keep_cursor_at_stop(&mut self, cursor: i64, outcome: &Result<(), RunError>) -> Result<(), RunError> {
        if matches!(outcome, Err(RunError::Journal(_))) {
            return Ok(());
        }
        if let Some(marker) = self.stop_marker.filter(|&marker| marker > cursor) {
            self.journal.set_cursor(marker).await?;
            self.report.cursor = Some(marker);
        }
        Ok(())
    }

    /// Stock has no cursor: every run compares the full list, page by page.
    async fn stock_pages(&mut self, max_pages: Option<usize>) -> Result<(), RunError> {
        let levels = self.source.stock(self.settings.company.stock_branch.as_deref()).await?;
        self.report.total_seen = levels.len() as u64;
        let pages: Vec<_> = levels.chunks(self.page_size()).map(<[_]>::to_vec).collect();
        for page in pages.into_iter().take(max_pages.unwrap_or(usize::MAX)) {
            let outcome = flows::stock::run_page(self, page).await;
            self.flushed(outcome).await?;
            if self.report.cancelled {
                break;
            }
        }
        Ok(())
    }

    /// The records whose automatic retry is due, fetched fresh, a page at a time (outside the cursor).
    async fn retry_due(&mut self) -> Result<(), RunError> {
        let due = self.journal.due_retries().await?;
        self.retry_pages(&due).await
    }

    /// These records fetched fresh, a page at a time (outside the cursor), each page's entries written before
    /// the next is read.
    async fn retry_pages(&mut self, source_ids: &[String]) -> Result<(), RunError> {
        for chunk in source_ids.chunks(self.page_size()) {
            let outcome = flows::retry(self, chunk).await;
            self.flushed(outcome).await?;
            if self.report.cancelled {
                break;
            }
        }
        Ok(())
    }

    /// Whether the run must stop before the next record (someone cancelled it); remembers where.
    pub async fn should_stop_before(&mut self, marker: Option<i64>) -> Result<bool, RunError> {
        if self.journal.is_cancelled().await? {
            self.report.cancelled = true;
            self.stop_marker = marker;
        }
        Ok(self.report.cancelled)
    }

    /// Whether this run already journaled the record.
    pub fn already_handled(&self, source_id: &str) -> bool {
        self.handled.contains(source_id)
    }

    /// Journals one record; a halting failure is journaled as transient and then stops the run.
    pub async fn conclude(
        &mut self,
        meta: RecordMeta,
        result: Result<Verdict, Failure>,
        trail: Trail,
    ) -> Result<(), RunError> {
        let halt = self.conclude_later(meta, result, trail);
        if halt.is_some() {
            self.flush().await?;
        } else {
            self.flush_when_full().await?;
        }
        halt.map_or(Ok(()), |halt| Err(self.halt_at(halt)))
    }

    /// Counts the record and queues its entry for the next [`Run::flush`]; hands back what halts the run, if
    /// anything (the caller decides when to stop, e.g. after the records still in flight).
    pub fn conclude_later(&mut self, meta: RecordMeta, result: Result<Verdict, Failure>, trail: Trail) -> Option<Halt> {
        let (verdict, failure, halt) = match result {
            Ok(verdict) => (verdict, None, None),
            Err(Failure::Record(class, reason)) => (failed(reason), Some(class), None),
            Err(Failure::Halt(error)) => (failed(error.message.clone()), Some(error.class.into()), Some(error)),
        };
        let marker = meta.marker;
        self.handled.insert(&meta.source_id);
        self.report.counts.add(verdict.outcome);
        self.unwritten_since.get_or_insert_with(Instant::now);
        self.unwritten.push(entry(meta, verdict, failure, trail));
        halt.map(|error| Halt { error, marker })
    }

    /// The run's error for a halt, with the cursor to stop at that record.
    pub fn halt_at(&mut self, halt: Halt) -> RunError {
        self.stop_marker = halt.marker;
        (*halt.error).into()
    }

    /// Writes the queued entries once a batch is full.
    pub async fn flush_when_full(&mut self) -> Result<(), RunError> {
        match self.full_batch() {
            Some(batch) => batch.write(self.journal).await,
            None => Ok(()),
        }
    }

    /// Writes the queued entries in one transaction and reports progress.
    pub async fn flush(&mut self) -> Result<(), RunError> {
        match self.take_batch() {
            Some(batch) => batch.write(self.journal).await,
            None => Ok(()),
        }
    }

    /// The queued entries once they fill a batch, to be written while the run goes on (see [`Batch`]).
    pub fn full_batch(&mut self) -> Option<Batch> {
        let waited = self
            .unwritten_since
            .is_some_and(|since| since.elapsed() >= JOURNAL_MAX_WAIT);
        (self.unwritten.len() >= JOURNAL_BATCH || waited)
            .then(|| self.take_batch())
            .flatten()
    }

    /// The queued entries, to be written now (see [`Batch`]).
    pub(crate) fn take_batch(&mut self) -> Option<Batch> {
        self.unwritten_since = None;
        (!self.unwritten.is_empty()).then(|| Batch {
            entries: std::mem::take(&mut self.unwritten),
            done: self.report.counts.total(),
            total: self.report.total_seen,
        })
    }

    /// A page's outcome once its queued entries are written (a failed write wins over the page's outcome:
    /// the cursor must then stay where it is).
    pub(crate) async fn flushed(&mut self, outcome: Result<(), RunError>) -> Result<(), RunError> {
        match self.flush().await {
            Ok(()) => outcome,
            Err(error) => {
                self.unwritten.clear();
                Err(error)
            }
        }
    }
}

/// Concluded entries taken from the run to be written, with the progress they bring. Writing needs only the
/// journal, not the run, so a flow can write one batch while it waits for the answers of the next records.
pub(crate) struct Batch {
    entries: Vec<JournalEntry>,
    done: u64,
    total: u64,
}

impl Batch {
    pub async fn write<J: Journal>(self, journal: &J) -> Result<(), RunError> {
        journal.record(self.entries).await?;
        journal.progress(self.done, self.total).await?;
        Ok(())
    }
}

/// What stopped a run at a record: the error, and the record's sync marker (where the cursor stops).
pub(crate) struct Halt {
    error: Box<ConnectorError>,
    marker: Option<i64>,
}

fn failed(reason: String) -> Verdict {
    Verdict {
        outcome: Outcome::Failed,
        reason: Some(reason),
        target_id: None,
        content_hash: None,
    }
}

fn entry(meta: RecordMeta, verdict: Verdict, failure: Option<FailureClass>, trail: Trail) -> JournalEntry {
    // A sale filtered out is not the books' business; one booked, found in AFAS, or failed is.
    let books_it = verdict.target_id.is_some() || verdict.outcome == Outcome::Failed;
    JournalEntry {
        entity: meta.entity.to_owned(),
        source_id: meta.source_id,
        search_keys: meta.search_keys,
        outcome: verdict.outcome,
        reason: verdict.reason,
        failure,
        target_id: verdict.target_id,
        source_payload: meta.payload,
        exchanges: trail.0,
        sale: meta.sale.filter(|_| books_it),
        content_hash: verdict.content_hash,
        at: Utc::now(),
    }
}
