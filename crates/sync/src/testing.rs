//! In-memory fakes of the three ports, for this crate's tests and (with the `testing` feature) other crates':
//! a MplusKASSA source, an AFAS target that keeps what it received, and a journal. Each counts its calls per
//! operation and can be told to fail an operation (transient with `retry_after`, permanent, unauthorized),
//! for every call, for one key (an order reference, an e-mail, an item code), or a number of times.
//!
//! The target behaves like AFAS where it matters to the engine: it accepts a second order with the same
//! reference (AFAS does not enforce `RfCs` uniqueness, so duplicates stay visible to tests), and it refuses
//! an order whose debtor or article does not exist.

use crate::ports::JsonText;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ledger::{FinancialDay, FinancialEntryDraft, LedgerGroup, LedgerGroupKind, LedgerVat};
use crate::model::{
    ArticleDraft, ArticleRecord, DebtorDraft, DebtorParty, DebtorRecord, OrderTarget, PaymentStatus, PersonName,
    SalesLineKind, SalesOrderDraft, SourceAddress, SourceArticle, SourceCustomer, SourceDocumentKind, SourceLine,
    SourceOrder, SourcePayment, SourceShipping, StockLevel, StockMutationDraft, VatMethod,
};
use crate::money::round_cents;
use crate::ports::{
    ConnectorError, ConnectorResult, Creation, ErpTarget, ErrorClass, Exchange, IdMapEntry, Journal, JournalEntry,
    JournalError, Outcome, PosSource, Written,
};
use crate::settings::{CompanySettings, FlowSettings, ValueMap};

/// Every operation of the three ports, for call counts and faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    OrdersSince,
    Order,
    CustomersSince,
    ArticlesSince,
    Stock,
    Customer,
    Article,
    ExistingOrders,
    DebtorsByEmail,
    ArticlesByCode,
    CreateDebtor,
    UpdateDebtor,
    CreateOrder,
    CreateArticle,
    UpdateArticle,
    StockLevels,
    PostStockMutation,
    FinancialDay,
    ExistingFinancialEntries,
    PostFinancialEntry,
}

impl Op {
    pub const WRITES: [Op; 7] = [
        Op::CreateDebtor,
        Op::UpdateDebtor,
        Op::CreateOrder,
        Op::CreateArticle,
        Op::UpdateArticle,
        Op::PostStockMutation,
        Op::PostFinancialEntry,
    ];
}

/// How an injected fault fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Transient { retry_after: Option<Duration> },
    Permanent,
    Unauthorized,
}

impl FaultKind {
    fn error(self, op: Op) -> ConnectorError {
        let message = format!("injected fault on {op:?}");
        match self {
            FaultKind::Transient { retry_after } => ConnectorError::transient(message, retry_after),
            FaultKind::Permanent => ConnectorError::permanent(message),
            FaultKind::Unauthorized => ConnectorError {
                class: ErrorClass::Unauthorized,
                ..ConnectorError::permanent(message)
            },
        }
    }
}

#[derive(Debug, Clone)]
struct Fault {
    op: Op,
    key: Option<String>,
    kind: FaultKind,
    remaining: Option<u32>,
}

/// Call counters and faults, shared by the fakes.
#[derive(Debug, Default)]
pub struct Switchboard {
    calls: Mutex<BTreeMap<Op, usize>>,
    faults: Mutex<Vec<Fault>>,
}

impl Switchboard {
    /// Fails every call of `op` from now on.
    pub fn fail(&self, op: Op, kind: FaultKind) {
        self.push(Fault {
            op,
            key: None,
            kind,
            remaining: None,
        });
    }

    /// Fails the next `times` calls of `op`.
    pub fn fail_times(&self, op: Op, kind: FaultKind, times: u32) {
        self.push(Fault {
            op,
            key: None,
            kind,
            remaining: Some(times),
        });
    }

    /// Fails calls of `op` about `key` (a reference, an e-mail, an item code); `times: None` for always.
    pub fn fail_key(&self, op: Op, key: &str, kind: FaultKind, times: Option<u32>) {
        self.push(Fault {
            op,
            key: Some(key.to_owned()),
            kind,
            remaining: times,
        });
    }

    pub fn clear_faults(&self) {
        self.faults.lock().unwrap().clear();
    }

    pub fn calls(&self, op: Op) -> usize {
        self.calls.lock().unwrap().get(&op).copied().unwrap_or(0)
    }

    pub fn all_calls(&self) -> BTreeMap<Op, usize> {
        self.calls.lock().unwrap().clone()
    }

    pub fn reset_calls(&self) {
        self.calls.lock().unwrap().clear();
    }

    fn push(&self, fault: Fault) {
        self.faults.lock().unwrap().push(fault);
    }

    /// Counts the call and fails it if a fault says so (in the ports' own error type).
    #[allow(clippy::result_large_err)]
    fn enter(&self, op: Op, key: &str) -> ConnectorResult<()> {
        *self.calls.lock().unwrap().entry(op).or_default() += 1;
        let mut faults = self.faults.lock().unwrap();
        let hit = faults
            .iter_mut()
            .find(|f| f.op == op && f.key.as_deref().is_none_or(|k| k == key) && f.remaining != Some(0));
        match hit {
            Some(fault) => {
                fault.remaining = fault.remaining.map(|n| n - 1);
                Err(fault.kind.error(op))
            }
            None => Ok(()),
        }
    }
}

/// Like a real target's, a fake write is not instant: the run's other work (the next page's look-ups, other
/// orders in flight) goes on meanwhile, as it would against AFAS. How long it takes (one to four turns of the
/// executor) depends on what is written, so writes in flight together finish in another order than they
/// started, as real answers do.
async fn a_write_takes_a_moment(key: &str) {
    let mut turns = 1 + key
        .bytes()
        .fold(0usize, |sum, byte| sum.wrapping_mul(31).wrapping_add(byte.into()))
        % 4;
    futures::future::poll_fn(|cx| {
        if turns == 0 {
            return std::task::Poll::Ready(());
        }
        turns -= 1;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await
}

// ---- source -------------------------------------------------------------------------------------------

/// A MplusKASSA in memory.
#[derive(Debug, Default)]
pub struct FakePos {
    pub orders: Mutex<Vec<SourceOrder>>,
    pub customers: Mutex<Vec<SourceCustomer>>,
    pub articles: Mutex<Vec<SourceArticle>>,
    pub stock: Mutex<Vec<StockLevel>>,
    /// The financial journal by day. A day not in it is closed and empty, or open when it comes after every day
    /// in it (the till's today).
    pub journal: Mutex<BTreeMap<NaiveDate, FinancialDay>>,
    pub switchboard: Switchboard,
}

impl FakePos {
    /// Puts a day's financial journal (replacing the day's earlier one).
    pub fn put_day(&self, day: FinancialDay) {
        self.journal.lock().unwrap().insert(day.date, day);
    }

    pub fn with_orders(orders: Vec<SourceOrder>) -> Self {
        Self {
            orders: Mutex::new(orders),
            ..Self::default()
        }
    }

    /// Replaces the order with the same id, or adds it.
    pub fn put_order(&self, order: SourceOrder) {
        let mut orders = self.orders.lock().unwrap();
        orders.retain(|o| o.id != order.id);
        orders.push(order);
    }
}

fn since<R: Clone>(records: &[R], marker: impl Fn(&R) -> i64, from: i64, limit: usize) -> Vec<R> {
    let mut found: Vec<R> = records.iter().filter(|r| marker(r) >= from).cloned().collect();
    found.sort_by_key(|r| marker(r));
    found.truncate(limit);
    found
}

impl PosSource for FakePos {
    async fn orders_since(
        &self,
        kinds: &[SourceDocumentKind],
        from: i64,
        limit: usize,
    ) -> ConnectorResult<Vec<SourceOrder>> {
        self.switchboard.enter(Op::OrdersSince, "")?;
        let orders: Vec<SourceOrder> = self
            .orders
            .lock()
            .unwrap()
            .iter()
            .filter(|o| kinds.contains(&o.kind))
            .cloned()
            .collect();
        Ok(since(&orders, |o| o.sync_marker, from, limit))
    }

    async fn order(&self, kind: SourceDocumentKind, id: &str) -> ConnectorResult<Option<SourceOrder>> {
        self.switchboard.enter(Op::Order, id)?;
        Ok(self
            .orders
            .lock()
            .unwrap()
            .iter()
            .find(|o| o.kind == kind && o.id == id)
            .cloned())
    }

    async fn customers_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<SourceCustomer>> {
        self.switchboard.enter(Op::CustomersSince, "")?;
        Ok(since(
            &self.customers.lock().unwrap(),
            |c| c.sync_marker.unwrap_or(0),
            from,
            limit,
        ))
    }

    /// Like MplusKASSA, never splits a product: the limit counts articles, the last product comes whole.
    async fn articles_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<SourceArticle>> {
        self.switchboard.enter(Op::ArticlesSince, "")?;
        let all = since(&self.articles.lock().unwrap(), |a| a.sync_marker, from, usize::MAX);
        let mut page: Vec<SourceArticle> = Vec::new();
        for article in all {
            let same_product = page
                .last()
                .is_some_and(|last| last.product_number == article.product_number);
            if page.len() >= limit && !same_product {
                break;
            }
            page.push(article);
        }
        Ok(page)
    }

    async fn stock(&self, _branch: Option<&str>) -> ConnectorResult<Vec<StockLevel>> {
        self.switchboard.enter(Op::Stock, "")?;
        Ok(self.stock.lock().unwrap().clone())
    }

    async fn customer(&self, relation_number: &str) -> ConnectorResult<Option<SourceCustomer>> {
        self.switchboard.enter(Op::Customer, relation_number)?;
        let customers = self.customers.lock().unwrap();
        Ok(customers
            .iter()
            .find(|c| c.relation_number.as_deref() == Some(relation_number))
            .cloned())
    }

    async fn financial_day(&self, date: NaiveDate) -> ConnectorResult<FinancialDay> {
        self.switchboard.enter(Op::FinancialDay, &date.to_string())?;
        let journal = self.journal.lock().unwrap();
        let today = journal.keys().next_back().is_some_and(|last| date > *last);
        Ok(journal.get(&date).cloned().unwrap_or(FinancialDay {
            date,
            closed: !today,
            groups: Vec::new(),
        }))
    }

    async fn article(&self, sku: &str) -> ConnectorResult<Option<SourceArticle>> {
        self.switchboard.enter(Op::Article, sku)?;
        Ok(self.articles.lock().unwrap().iter().find(|a| a.sku == sku).cloned())
    }
}

// ---- target -------------------------------------------------------------------------------------------

/// What the fake AFAS holds.
#[derive(Debug, Default, Clone)]
pub struct ErpState {
    /// Every order booked, in order, duplicates included: `(number, draft)`.
    pub orders: Vec<(String, SalesOrderDraft)>,
    /// Debtors by id.
    pub debtors: BTreeMap<String, DebtorDraft>,
    pub articles: BTreeMap<String, ArticleDraft>,
    /// `(warehouse, item code)` → quantity.
    pub stock: BTreeMap<(String, String), Decimal>,
    /// Every stock mutation received.
    pub mutations: Vec<StockMutationDraft>,
    /// Every financial entry booked, in order, duplicates included: `(entry number, draft)`.
    pub financial_entries: Vec<(String, FinancialEntryDraft)>,
    next_number: u64,
}

/// An AFAS in memory.
#[derive(Debug, Default)]
pub struct FakeErp {
    pub state: Mutex<ErpState>,
    pub switchboard: Switchboard,
}

impl FakeErp {
    pub fn snapshot(&self) -> ErpState {
        self.state.lock().unwrap().clone()
    }

    /// A debtor that already exists (e.g. the default debtor, or a customer AFAS knows).
    pub fn add_debtor(&self, debtor_id: &str, draft: DebtorDraft) {
        self.state.lock().unwrap().debtors.insert(debtor_id.to_owned(), draft);
    }

    pub fn add_article(&self, item_code: &str, description: &str) {
        let draft = ArticleDraft {
            item_code: item_code.to_owned(),
            description: description.to_owned(),
            long_description: None,
            short_description: None,
            group: None,
            unit: None,
            price: Decimal::ZERO,
            price_includes_vat: true,
            ean: None,
            vat_group: None,
        };
        self.state.lock().unwrap().articles.insert(item_code.to_owned(), draft);
    }

    pub fn set_stock(&self, warehouse: &str, item_code: &str, quantity: Decimal) {
        self.state
            .lock()
            .unwrap()
            .stock
            .insert((warehouse.to_owned(), item_code.to_owned()), quantity);
    }

    /// Calls to every write operation together.
    pub fn write_calls(&self) -> usize {
        Op::WRITES.iter().map(|op| self.switchboard.calls(*op)).sum()
    }

    fn next_key(state: &mut ErpState, start: u64) -> String {
        state.next_number += 1;
        (start + state.next_number).to_string()
    }
}

fn exchange(operation: &str, request: &impl serde::Serialize, response: serde_json::Value) -> Exchange {
    Exchange {
        operation: operation.to_owned(),
        request: JsonText::of(request),
        status: Some(201),
        response: JsonText::of(&response),
    }
}

impl ErpTarget for FakeErp {
    async fn existing_orders(
        &self,
        _document: OrderTarget,
        references: &[String],
    ) -> ConnectorResult<HashMap<String, String>> {
        self.switchboard.enter(Op::ExistingOrders, "")?;
        let state = self.state.lock().unwrap();
        let found = state
            .orders
            .iter()
            .filter(|(_, order)| references.contains(&order.reference));
        Ok(found
            .map(|(number, order)| (order.reference.clone(), number.clone()))
            .collect())
    }

    async fn debtors_by_key(&self, keys: &[String]) -> ConnectorResult<HashMap<String, DebtorRecord>> {
        self.switchboard.enter(Op::DebtorsByEmail, "")?;
        let state = self.state.lock().unwrap();
        Ok(state
            .debtors
            .iter()
            .filter_map(|(id, draft)| Some((draft.key()?, crate::flows::debtors::record_of(id, draft))))
            .filter(|(key, _)| keys.contains(key))
            .collect())
    }

    async fn articles_by_code(&self, item_codes: &[String]) -> ConnectorResult<HashMap<String, ArticleRecord>> {
        self.switchboard.enter(Op::ArticlesByCode, "")?;
        let state = self.state.lock().unwrap();
        let found = item_codes.iter().filter_map(|code| state.articles.get(code));
        Ok(found
            .map(|a| {
                (
                    a.item_code.clone(),
                    ArticleRecord {
                        item_code: a.item_code.clone(),
                        description: a.description.clone(),
                    },
                )
            })
            .collect())
    }

    async fn create_debtor(&self, debtor: &DebtorDraft) -> ConnectorResult<Written<Creation>> {
        let key = debtor.key().unwrap_or_default();
        a_write_takes_a_moment(&key).await;
        self.switchboard.enter(Op::CreateDebtor, &key)?;
        let mut state = self.state.lock().unwrap();
        let id = Self::next_key(&mut state, 10_000);
        state.debtors.insert(id.clone(), debtor.clone());
        Ok(Written {
            exchange: exchange("POST KnSalesRelation", debtor, serde_json::json!({ "DbId": id })),
            value: Creation::Created(id),
        })
    }

    async fn update_debtor(&self, debtor_id: &str, debtor: &DebtorDraft) -> ConnectorResult<Written<()>> {
        let key = debtor.key().unwrap_or_default();
        a_write_takes_a_moment(&key).await;
        self.switchboard.enter(Op::UpdateDebtor, &key)?;
        let mut state = self.state.lock().unwrap();
        let Some(existing) = state.debtors.get_mut(debtor_id) else {
            return Err(ConnectorError::permanent(format!("debtor {debtor_id} does not exist")));
        };
        // As AFAS: a field the update leaves out keeps its value.
        let keep = |sent: &Option<String>, held: &Option<String>| sent.clone().or_else(|| held.clone());
        *existing = DebtorDraft {
            phone: keep(&debtor.phone, &existing.phone),
            address: debtor.address.clone().or_else(|| existing.address.clone()),
            ledger_account: keep(&debtor.ledger_account, &existing.ledger_account),
            payment_terms: keep(&debtor.payment_terms, &existing.payment_terms),
            currency: keep(&debtor.currency, &existing.currency),
            vat_duty: keep(&debtor.vat_duty, &existing.vat_duty),
            vat_code: keep(&debtor.vat_code, &existing.vat_code),
            revenue_account: keep(&debtor.revenue_account, &existing.revenue_account),
            vat_number: keep(&debtor.vat_number, &existing.vat_number),
            ..debtor.clone()
        };
        Ok(Written {
            value: (),
            exchange: exchange("PUT KnSalesRelation", debtor, serde_json::Value::Null),
        })
    }

    async fn create_order(&self, order: &SalesOrderDraft) -> ConnectorResult<Written<String>> {
        a_write_takes_a_moment(&order.reference).await;
        self.switchboard.enter(Op::CreateOrder, &order.reference)?;
        let mut state = self.state.lock().unwrap();
        if !state.debtors.contains_key(&order.debtor_id) {
            return Err(ConnectorError::permanent(format!(
                "The entered value for 'DbId' ({}) does not exist.",
                order.debtor_id
            )));
        }
        let unknown = order
            .lines
            .iter()
            .find(|l| l.kind == SalesLineKind::Article && !state.articles.contains_key(&l.item_code));
        if let Some(line) = unknown {
            return Err(ConnectorError::permanent(format!(
                "The entered value for 'ItCd' ({}) does not exist.",
                line.item_code
            )));
        }
        let number = Self::next_key(&mut state, 50_000);
        state.orders.push((number.clone(), order.clone()));
        Ok(Written {
            exchange: exchange("POST FbSales", order, serde_json::json!({ "OrNu": number })),
            value: number,
        })
    }

    async fn create_article(&self, article: &ArticleDraft) -> ConnectorResult<Written<Creation>> {
        a_write_takes_a_moment(&article.item_code).await;
        self.switchboard.enter(Op::CreateArticle, &article.item_code)?;
        let mut state = self.state.lock().unwrap();
        if state.articles.contains_key(&article.item_code) {
            return Err(ConnectorError::permanent(format!(
                "Item code {} already exists.",
                article.item_code
            )));
        }
        state.articles.insert(article.item_code.clone(), article.clone());
        let response = serde_json::json!({ "ItCd": article.item_code });
        Ok(Written {
            exchange: exchange("POST FbItemArticle", article, response),
            value: Creation::Created(article.item_code.clone()),
        })
    }

    async fn update_article(&self, article: &ArticleDraft) -> ConnectorResult<Written<()>> {
        a_write_takes_a_moment(&article.item_code).await;
        self.switchboard.enter(Op::UpdateArticle, &article.item_code)?;
        let mut state = self.state.lock().unwrap();
        let Some(existing) = state.articles.get_mut(&article.item_code) else {
            return Err(ConnectorError::permanent(format!(
                "Item code {} does not exist.",
                article.item_code
            )));
        };
        *existing = article.clone();
        Ok(Written {
            value: (),
            exchange: exchange("PUT FbItemArticle", article, serde_json::Value::Null),
        })
    }

    async fn stock_levels(&self, warehouse: &str, item_codes: &[String]) -> ConnectorResult<HashMap<String, Decimal>> {
        self.switchboard.enter(Op::StockLevels, warehouse)?;
        let state = self.state.lock().unwrap();
        let found = item_codes.iter().filter_map(|code| {
            state
                .stock
                .get(&(warehouse.to_owned(), code.clone()))
                .map(|quantity| (code.clone(), *quantity))
        });
        Ok(found.collect())
    }

    async fn post_stock_mutation(&self, mutation: &StockMutationDraft) -> ConnectorResult<Written<()>> {
        a_write_takes_a_moment(&mutation.item_code).await;
        self.switchboard.enter(Op::PostStockMutation, &mutation.item_code)?;
        let mut state = self.state.lock().unwrap();
        *state
            .stock
            .entry((mutation.warehouse.clone(), mutation.item_code.clone()))
            .or_default() += mutation.quantity;
        state.mutations.push(mutation.clone());
        Ok(Written {
            value: (),
            exchange: exchange("POST FbStockMutation", mutation, serde_json::Value::Null),
        })
    }

    async fn existing_financial_entries(&self, vouchers: &[String]) -> ConnectorResult<HashMap<String, String>> {
        self.switchboard.enter(Op::ExistingFinancialEntries, "")?;
        let state = self.state.lock().unwrap();
        Ok(state
            .financial_entries
            .iter()
            .filter(|(_, entry)| vouchers.contains(&entry.voucher))
            .map(|(number, entry)| (entry.voucher.clone(), number.clone()))
            .collect())
    }

    async fn post_financial_entry(&self, entry: &FinancialEntryDraft) -> ConnectorResult<Written<String>> {
        a_write_takes_a_moment(&entry.voucher).await;
        self.switchboard.enter(Op::PostFinancialEntry, &entry.voucher)?;
        if entry.debit_total() != entry.credit_total() {
            return Err(ConnectorError::permanent("the entry is not in balance"));
        }
        let mut state = self.state.lock().unwrap();
        let number = Self::next_key(&mut state, 70_000);
        state.financial_entries.push((number.clone(), entry.clone()));
        Ok(Written {
            value: number.clone(),
            exchange: exchange("POST FiEntries", entry, serde_json::json!({ "EnNo": number })),
        })
    }
}

// ---- journal ------------------------------------------------------------------------------------------

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

// ---- generated data ------------------------------------------------------------------------------------

/// A small deterministic random generator (xorshift64*), so generated data is the same on every run.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with `percent` % chance.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The SKUs generated orders use (articles `1001`..`1012`).
pub fn generated_skus() -> Vec<String> {
    (1001..=1012).map(|n| n.to_string()).collect()
}

fn cents(amount: u64) -> Decimal {
    Decimal::new(amount as i64, 2)
}

/// A customer as MplusKASSA would have it: a company (30 %) or a person, in NL, BE or DE.
pub fn generated_customer(rng: &mut Rng, index: usize) -> SourceCustomer {
    let (street, postcode, city, country) = rng.pick(&[
        ("Kerkstraat 12a", "1017 GC", "Amsterdam", "NL"),
        ("Laan van Meerdervoort 1024-B", "2564 AZ", "Den Haag", "NL"),
        ("Rue de la Loi 16 bus 3", "1000", "Brussel", "BE"),
        ("Meir 45/2", "2000", "Antwerpen", "BE"),
        ("Königsallee 1", "40212", "Düsseldorf", "DE"),
    ]);
    let company = rng.chance(30).then(|| format!("Bedrijf {index} BV"));
    SourceCustomer {
        relation_number: Some((5000 + index).to_string()),
        sync_marker: Some(index as i64 + 1),
        company_name: company,
        first_name: Some(format!("Voornaam{index}")),
        last_name: Some(format!("Achternaam{index}")),
        email: Some(format!("klant{index}@example.nl")),
        phone: None,
        address: Some(SourceAddress {
            street_line: (*street).to_owned(),
            postcode: (*postcode).to_owned(),
            city: (*city).to_owned(),
            country: (*country).to_owned(),
        }),
        delivery_address: None,
        vat_number: None,
    }
}

/// A line computed as MplusKASSA does: gross rounded to cents, the discount rounded on that, then subtracted.
fn generated_line(rng: &mut Rng) -> SourceLine {
    let quantity = match rng.below(4) {
        0 => Decimal::new(rng.below(4000) as i64 + 1, 3),
        1 => Decimal::new(rng.below(8) as i64 + 1, 1) * Decimal::new(5, 0),
        _ => Decimal::from(rng.below(5) + 1),
    };
    let unit_price = cents(rng.below(20_000) + 1);
    let discount_percentage: Decimal = rng
        .pick(&["0", "0", "0", "5", "10", "12.5", "15", "33", "7.77"])
        .parse()
        .unwrap();
    let gross = round_cents(quantity * unit_price);
    let line_total = gross - round_cents(gross * discount_percentage / Decimal::ONE_HUNDRED);
    let vat_percentage = Decimal::from(*rng.pick(&[21, 21, 9, 0]));
    let sku = rng.pick(&generated_skus()).clone();
    SourceLine {
        description: format!("Artikel {sku}"),
        sku,
        quantity,
        unit_price,
        discount_percentage,
        vat_percentage,
        line_total,
    }
}

/// A sale as MplusKASSA would send it: 60 % fully paid, some anonymous, some without e-mail, cash rounding to
/// 5 cents on some, shipping on half; marker `index + 1`.
pub fn generated_order(seed: u64, index: usize) -> SourceOrder {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0x1000_0000_01B3));
    let vat_method = if rng.chance(80) {
        VatMethod::Including
    } else {
        VatMethod::Excluding
    };
    let lines: Vec<SourceLine> = (0..rng.below(4) + 1).map(|_| generated_line(&mut rng)).collect();
    let shipped = rng.chance(50).then(|| {
        let method = rng.pick(&["PostNL", "DHL"]).to_string();
        let shipping = SourceShipping {
            cost: *rng.pick(&[cents(495), cents(695)]),
            vat_percentage: Decimal::from(21),
        };
        (method, shipping)
    });
    let (delivery_method, shipping) = shipped.map_or((None, None), |(method, shipping)| (Some(method), Some(shipping)));
    let subtotal =
        lines.iter().map(|l| l.line_total).sum::<Decimal>() + shipping.as_ref().map_or(Decimal::ZERO, |s| s.cost);
    let total_incl_vat = match vat_method {
        VatMethod::Including if rng.chance(20) => (subtotal * Decimal::from(20)).round() / Decimal::from(20),
        VatMethod::Including => subtotal,
        VatMethod::Excluding => round_cents(subtotal * Decimal::new(121, 2)),
    };
    let customer = match rng.below(100) {
        0..15 => None,
        15..25 => Some(SourceCustomer {
            email: None,
            ..generated_customer(&mut rng, index)
        }),
        _ => Some(generated_customer(&mut rng, index)),
    };
    let payment_status = *rng.pick(&[
        PaymentStatus::Paid,
        PaymentStatus::Paid,
        PaymentStatus::Paid,
        PaymentStatus::PartlyPaid,
        PaymentStatus::Unpaid,
    ]);
    let payments = match payment_status {
        PaymentStatus::Unpaid => Vec::new(),
        _ => vec![SourcePayment {
            method: rng.pick(&["CASH", "PIN", "IDEAL"]).to_string(),
            amount: total_incl_vat,
        }],
    };
    SourceOrder {
        id: format!("order-{index}"),
        number: format!("2026-{index:06}"),
        kind: SourceDocumentKind::Order,
        sync_marker: index as i64 + 1,
        date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        payment_status,
        delivered: rng.chance(50),
        completed: rng.chance(30),
        cancelled: rng.chance(5),
        vat_method,
        vat_country: None,
        vat_shifted: false,
        customer,
        lines,
        shipping,
        delivery_method,
        payments,
        total_incl_vat,
        branch: None,
    }
}

// ---- ready-made tenants -------------------------------------------------------------------------------

/// The AFAS debtor id of anonymous till sales in [`wizard_settings`].
pub const DEFAULT_DEBTOR: &str = "10000";

pub fn dec(value: &str) -> Decimal {
    value.parse().unwrap()
}

pub fn map(pairs: &[(&str, &str)]) -> ValueMap {
    ValueMap {
        table: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..ValueMap::default()
    }
}

/// Settings a tenant would have after the wizard, fitting the generated orders.
pub fn wizard_settings() -> FlowSettings {
    FlowSettings {
        company: CompanySettings {
            administration: Some("1".into()),
            debtor_ledger_account: Some("1300".into()),
            payment_terms: Some("14".into()),
            default_debtor: Some(DEFAULT_DEBTOR.into()),
            vat_duty: Some("1".into()),
            warehouse: Some("01".into()),
            payment_method_map: map(&[("PIN", "02"), ("CASH", "01"), ("IDEAL", "03")]),
            vat_code_by_country: map(&[("NL", "NL-HOOG"), ("NL:9", "NL-LAAG"), ("BE", "BE-21"), ("DE", "DE-19")]),
            revenue_account_by_country: map(&[("NL", "8000"), ("BE", "8100"), ("DE", "8200")]),
            ..CompanySettings::default()
        },
        shipping_cost_item: Some("VERZEND".into()),
        rounding_cost_item: Some("AFRONDING".into()),
        shipping_method_map: map(&[("PostNL", "PNL"), ("DHL", "DHL")]),
        journal_code: Some("90".into()),
        journal_start_date: NaiveDate::from_ymd_opt(2026, 12, 1),
        ..FlowSettings::default()
    }
}

/// A closed till day of one branch: clothing at 21% and books at 9%, paid by pin and in cash, to the cent.
pub fn till_day(date: NaiveDate, branch: &str) -> FinancialDay {
    let turnover =
        |name: &str, account: &str, percentage: &str, excl: &str, vat: &str, vat_account: &str| LedgerGroup {
            kind: LedgerGroupKind::Turnover,
            from_receipts: true,
            name: name.into(),
            account: account.into(),
            branch: branch.into(),
            incl: dec(excl) + dec(vat),
            vat: vec![LedgerVat {
                country: Some("NL".into()),
                percentage: dec(percentage),
                excl: dec(excl),
                vat: dec(vat),
                account: Some(vat_account.into()),
            }],
        };
    let payment = |name: &str, account: &str, amount: &str| LedgerGroup {
        kind: LedgerGroupKind::Payment,
        from_receipts: true,
        name: name.into(),
        account: account.into(),
        branch: branch.into(),
        incl: dec(amount),
        vat: Vec::new(),
    };
    FinancialDay {
        date,
        closed: true,
        groups: vec![
            turnover("Kleding", "8000", "21", "100.00", "21.00", "1500"),
            turnover("Boeken", "8020", "9", "50.00", "4.50", "1501"),
            payment("Pin", "1010", "150.00"),
            payment("Contant", "1000", "25.50"),
        ],
    }
}

/// An AFAS with the generated articles and the default debtor.
pub fn stocked_erp() -> FakeErp {
    let erp = FakeErp::default();
    for sku in generated_skus() {
        erp.add_article(&sku, &format!("Artikel {sku}"));
    }
    erp.add_debtor(DEFAULT_DEBTOR, debtor("kassa@winkel.nl", "Kassaverkoop"));
    erp
}

pub fn debtor(email: &str, last_name: &str) -> DebtorDraft {
    DebtorDraft {
        party: DebtorParty::Person(PersonName {
            first_name: None,
            last_name: last_name.into(),
        }),
        email: Some(email.into()),
        phone: None,
        address: None,
        ledger_account: None,
        payment_terms: None,
        currency: None,
        vat_duty: None,
        vat_code: None,
        revenue_account: None,
        vat_number: None,
    }
}
