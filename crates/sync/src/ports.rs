//! The engine's only doors to the outside: a point-of-sale source, an ERP target, and a journal. The jobs
//! crate implements them with the MplusKASSA and AFAS clients and the store; tests implement them in memory
//! or against the sandbox.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ledger::{FinancialDay, FinancialEntryDraft};
use crate::model::{
    Address, ArticleDraft, ArticleRecord, DebtorDraft, DebtorRecord, OrderTarget, SalesOrderDraft, SourceArticle,
    SourceCustomer, SourceDocumentKind, SourceOrder, StockLevel, StockMutationDraft,
};
use crate::requirements::AfasList;

/// JSON kept as text: made (or checked) once and written to the journal as it is. A tree of
/// `serde_json::Value`s per record, built only to be written out again, cost a fifth of Koppel's CPU per order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonText(Box<serde_json::value::RawValue>);

impl JsonText {
    /// The JSON of a value (`null` if it cannot be serialized).
    pub fn of(value: &impl Serialize) -> Self {
        Self(serde_json::value::to_raw_value(value).unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned()))
    }

    /// A body as received: itself when it is JSON, else the text as a JSON string; `null` when empty.
    pub fn from_body(body: Option<&str>) -> Self {
        match body {
            None => Self::default(),
            Some(text) if text.trim().is_empty() => Self::default(),
            Some(text) => serde_json::value::RawValue::from_string(text.trim().to_owned())
                .map(Self)
                .unwrap_or_else(|_| Self::of(&text)),
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// As a tree, for the few places that look inside (the dry run, previews, tests).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).unwrap_or_default()
    }
}

impl Default for JsonText {
    fn default() -> Self {
        Self(serde_json::value::RawValue::NULL.to_owned())
    }
}

impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// One request/response with an outside system, secrets removed: what the journal shows as "sent" and
/// "answered".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Exchange {
    /// e.g. `POST FbSales` or `getOrders`.
    pub operation: String,
    pub request: JsonText,
    pub status: Option<u16>,
    pub response: JsonText,
}

/// A write that succeeded, with the key the target assigned and the exchange that did it.
#[derive(Debug, Clone, PartialEq)]
pub struct Written<T> {
    pub value: T,
    pub exchange: Exchange,
}

/// What a create of master data did (a debtor, an article).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// Made it; the key the target assigned.
    Created(String),
    /// Did not make it: it appeared in the target after this run looked (another flow or process of the company
    /// made it at the same time), so the record links to the one that exists rather than making a duplicate.
    Found(String),
}

impl Creation {
    pub fn key(&self) -> &str {
        match self {
            Creation::Created(key) | Creation::Found(key) => key,
        }
    }

    pub fn into_key(self) -> String {
        match self {
            Creation::Created(key) | Creation::Found(key) => key,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The record itself is refused (validation, business rule): retrying the same data will not help.
    Permanent,
    /// A setting is missing or wrong (e.g. no article group to give a new article): the record can succeed
    /// once the tenant changes the flow's settings.
    Setting,
    /// The record refers to master data the target lacks (an article, a debtor, a unit): it can succeed once
    /// someone creates it there.
    MasterData,
    /// Maintenance, timeouts, connection errors, "record locked": the same call can succeed later.
    Transient,
    /// Credentials or IP restriction: nothing will work until the tenant fixes the connection.
    Unauthorized,
}

/// A failed call to the source or the target.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ConnectorError {
    pub class: ErrorClass,
    /// In plain words, for the journal and the alert (e.g. AFAS's `externalMessage`).
    pub message: String,
    /// Wait at least this long before trying again (AFAS's `retry_after`).
    pub retry_after: Option<Duration>,
    /// The failed exchange, when one happened.
    pub exchange: Option<Exchange>,
}

impl ConnectorError {
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            class: ErrorClass::Permanent,
            message: message.into(),
            retry_after: None,
            exchange: None,
        }
    }
    /// A refusal only a settings change can lift.
    pub fn setting(message: impl Into<String>) -> Self {
        Self {
            class: ErrorClass::Setting,
            ..Self::permanent(message)
        }
    }
    /// A refusal because the target lacks master data the record refers to.
    pub fn master_data(message: impl Into<String>) -> Self {
        Self {
            class: ErrorClass::MasterData,
            ..Self::permanent(message)
        }
    }
    pub fn transient(message: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            class: ErrorClass::Transient,
            message: message.into(),
            retry_after,
            exchange: None,
        }
    }
    pub fn is_retryable(&self) -> bool {
        self.class == ErrorClass::Transient
    }
}

pub type ConnectorResult<T> = Result<T, ConnectorError>;

/// The point of sale (MplusKASSA). Lists return records with sync marker `>= from`, ascending, at most
/// `limit` of them (a product is never split, so `articles_since` may return a few more).
pub trait PosSource: Send + Sync {
    fn orders_since(
        &self,
        kinds: &[SourceDocumentKind],
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceOrder>>> + Send;
    /// One document, fresh (for retries); `None` when it no longer exists.
    fn order(
        &self,
        kind: SourceDocumentKind,
        id: &str,
    ) -> impl Future<Output = ConnectorResult<Option<SourceOrder>>> + Send;
    fn customers_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceCustomer>>> + Send;
    fn articles_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceArticle>>> + Send;
    /// Current stock of every stock article in the branch (the shop's branch when `None`).
    fn stock(&self, branch: Option<&str>) -> impl Future<Output = ConnectorResult<Vec<StockLevel>>> + Send;
    /// One relation by relation number, fresh (for "retry this record"); `None` when it no longer exists.
    /// The default says the source cannot do it, which fails only that retry.
    fn customer(&self, relation_number: &str) -> impl Future<Output = ConnectorResult<Option<SourceCustomer>>> + Send {
        let _ = relation_number;
        async { Err(ConnectorError::permanent("this source cannot fetch a single relation")) }
    }
    /// One article by article number (SKU), fresh (for "retry this record"); `None` when it no longer exists.
    fn article(&self, sku: &str) -> impl Future<Output = ConnectorResult<Option<SourceArticle>>> + Send {
        let _ = sku;
        async { Err(ConnectorError::permanent("this source cannot fetch a single article")) }
    }
    /// The financial journal of one financial day (every branch), and whether the day is closed. The default
    /// says the source has none, which stops the financial journal flow's run.
    fn financial_day(&self, date: NaiveDate) -> impl Future<Output = ConnectorResult<FinancialDay>> + Send {
        let _ = date;
        async { Err(ConnectorError::permanent("this source has no financial journal")) }
    }
}

/// A write named with its draft, for [`ErpTarget::render_write`].
#[derive(Debug, Clone, Copy)]
pub enum DraftWrite<'a> {
    CreateDebtor(&'a DebtorDraft),
    UpdateDebtor(&'a str, &'a DebtorDraft),
    CreateOrder(&'a SalesOrderDraft),
    CreateArticle(&'a ArticleDraft),
    UpdateArticle(&'a ArticleDraft),
    StockMutation(&'a StockMutationDraft),
    FinancialEntry(&'a FinancialEntryDraft),
}

impl DraftWrite<'_> {
    /// What the write does, in words (`create order`, `update debtor 10001`).
    pub fn label(&self) -> String {
        match self {
            DraftWrite::CreateDebtor(_) => "create debtor".to_owned(),
            DraftWrite::UpdateDebtor(id, _) => format!("update debtor {id}"),
            DraftWrite::CreateOrder(_) => "create order".to_owned(),
            DraftWrite::CreateArticle(_) => "create article".to_owned(),
            DraftWrite::UpdateArticle(_) => "update article".to_owned(),
            DraftWrite::StockMutation(_) => "stock mutation".to_owned(),
            DraftWrite::FinancialEntry(entry) => format!("financial entry {}", entry.voucher),
        }
    }

    /// The draft as JSON.
    pub fn draft(&self) -> serde_json::Value {
        let value = match self {
            DraftWrite::CreateDebtor(d) | DraftWrite::UpdateDebtor(_, d) => serde_json::to_value(d),
            DraftWrite::CreateOrder(d) => serde_json::to_value(d),
            DraftWrite::CreateArticle(d) | DraftWrite::UpdateArticle(d) => serde_json::to_value(d),
            DraftWrite::StockMutation(d) => serde_json::to_value(d),
            DraftWrite::FinancialEntry(d) => serde_json::to_value(d),
        };
        value.unwrap_or_default()
    }
}

/// The ERP (AFAS Profit). Look-ups take many keys at once: one call per batch, never one per record.
pub trait ErpTarget: Send + Sync {
    /// The exact request `write` would send, built and checked like a real write but not sent (the dry run
    /// and the field-mapping preview show it). The default shows the draft itself.
    // The port's error by value, like the async methods return it (it carries the exchange, so it is large).
    #[allow(clippy::result_large_err)]
    fn render_write(&self, write: &DraftWrite<'_>) -> ConnectorResult<Exchange> {
        Ok(Exchange {
            operation: write.label(),
            request: JsonText::of(&write.draft()),
            ..Exchange::default()
        })
    }
    /// Which of these references (`RfCs`) already exist as documents of the kind `document` (sales orders and
    /// direct invoices, or quotations), with their numbers.
    fn existing_orders(
        &self,
        document: OrderTarget,
        references: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, String>>> + Send;
    /// Debtors by key ([`crate::model::debtor_key`]: an e-mail address in lower case, or `vat:` and a VAT
    /// number); the map's keys are the keys asked for.
    fn debtors_by_key(
        &self,
        keys: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, DebtorRecord>>> + Send;
    /// Articles by item code.
    fn articles_by_code(
        &self,
        item_codes: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, ArticleRecord>>> + Send;
    /// Creates a debtor unless one with its key (e-mail address, or VAT number) appeared since the caller looked (then
    /// [`Creation::Found`]); the value holds the debtor id. Never creates two for one address, whatever runs at
    /// the same time.
    fn create_debtor(&self, debtor: &DebtorDraft) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send;
    fn update_debtor(
        &self,
        debtor_id: &str,
        debtor: &DebtorDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send;
    /// Books a sale; the value is the AFAS order (or invoice/quotation) number.
    fn create_order(&self, order: &SalesOrderDraft) -> impl Future<Output = ConnectorResult<Written<String>>> + Send;
    /// Creates an article unless its item code appeared since the caller looked (then [`Creation::Found`]); the
    /// value holds the item code. Never creates one code twice, whatever runs at the same time.
    fn create_article(&self, article: &ArticleDraft)
    -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send;
    fn update_article(&self, article: &ArticleDraft) -> impl Future<Output = ConnectorResult<Written<()>>> + Send;
    /// Current stock per item code in a warehouse.
    fn stock_levels(
        &self,
        warehouse: &str,
        item_codes: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, Decimal>>> + Send;
    fn post_stock_mutation(
        &self,
        mutation: &StockMutationDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send;
    /// Which of these codes exist in one of the target's reference lists (the preflight's live check), or
    /// `None` when this target cannot tell. One call per list.
    fn existing_codes(
        &self,
        list: AfasList,
        codes: &[String],
    ) -> impl Future<Output = ConnectorResult<Option<HashSet<String>>>> + Send {
        let _ = (list, codes);
        async { Ok(None) }
    }
    /// The debtor's delivery address with exactly this address (its number, for a sales document's `DlAd`):
    /// found, or added to the debtor once, whatever runs at the same time. `None` when this target keeps
    /// delivery addresses only as the document's text (the default; the dry run too, which writes nothing).
    fn delivery_address(
        &self,
        debtor_id: &str,
        organisation: bool,
        address: &Address,
    ) -> impl Future<Output = ConnectorResult<Option<Written<String>>>> + Send {
        let _ = (debtor_id, organisation, address);
        async { Ok(None) }
    }
    /// Which of these voucher numbers (`BpNr`) already have a financial entry, with its entry number. The
    /// default says the target cannot tell, which stops the run (never "none": that could book a day twice).
    fn existing_financial_entries(
        &self,
        vouchers: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, String>>> + Send {
        let _ = vouchers;
        async {
            Err(ConnectorError::permanent(
                "this target cannot look up financial entries",
            ))
        }
    }
    /// Books a financial entry; the value is its entry number.
    fn post_financial_entry(
        &self,
        entry: &FinancialEntryDraft,
    ) -> impl Future<Output = ConnectorResult<Written<String>>> + Send {
        let _ = entry;
        async { Err(ConnectorError::permanent("this target cannot book financial entries")) }
    }
}

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
}

// Shared handles: a source or target behind an `Arc` (a client shared by runs, a fake shared with a test)
// is a source or target too.

impl<T: PosSource> PosSource for std::sync::Arc<T> {
    fn orders_since(
        &self,
        kinds: &[SourceDocumentKind],
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceOrder>>> + Send {
        (**self).orders_since(kinds, from, limit)
    }
    fn order(
        &self,
        kind: SourceDocumentKind,
        id: &str,
    ) -> impl Future<Output = ConnectorResult<Option<SourceOrder>>> + Send {
        (**self).order(kind, id)
    }
    fn customers_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceCustomer>>> + Send {
        (**self).customers_since(from, limit)
    }
    fn articles_since(
        &self,
        from: i64,
        limit: usize,
    ) -> impl Future<Output = ConnectorResult<Vec<SourceArticle>>> + Send {
        (**self).articles_since(from, limit)
    }
    fn stock(&self, branch: Option<&str>) -> impl Future<Output = ConnectorResult<Vec<StockLevel>>> + Send {
        (**self).stock(branch)
    }
    fn customer(&self, relation_number: &str) -> impl Future<Output = ConnectorResult<Option<SourceCustomer>>> + Send {
        (**self).customer(relation_number)
    }
    fn article(&self, sku: &str) -> impl Future<Output = ConnectorResult<Option<SourceArticle>>> + Send {
        (**self).article(sku)
    }
    fn financial_day(&self, date: NaiveDate) -> impl Future<Output = ConnectorResult<FinancialDay>> + Send {
        (**self).financial_day(date)
    }
}

impl<T: ErpTarget> ErpTarget for std::sync::Arc<T> {
    #[allow(clippy::result_large_err)]
    fn render_write(&self, write: &DraftWrite<'_>) -> ConnectorResult<Exchange> {
        (**self).render_write(write)
    }
    fn existing_orders(
        &self,
        document: OrderTarget,
        references: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, String>>> + Send {
        (**self).existing_orders(document, references)
    }
    fn debtors_by_key(
        &self,
        keys: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, DebtorRecord>>> + Send {
        (**self).debtors_by_key(keys)
    }
    fn articles_by_code(
        &self,
        item_codes: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, ArticleRecord>>> + Send {
        (**self).articles_by_code(item_codes)
    }
    fn create_debtor(&self, debtor: &DebtorDraft) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send {
        (**self).create_debtor(debtor)
    }
    fn update_debtor(
        &self,
        debtor_id: &str,
        debtor: &DebtorDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).update_debtor(debtor_id, debtor)
    }
    fn create_order(&self, order: &SalesOrderDraft) -> impl Future<Output = ConnectorResult<Written<String>>> + Send {
        (**self).create_order(order)
    }
    fn create_article(
        &self,
        article: &ArticleDraft,
    ) -> impl Future<Output = ConnectorResult<Written<Creation>>> + Send {
        (**self).create_article(article)
    }
    fn update_article(&self, article: &ArticleDraft) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).update_article(article)
    }
    fn stock_levels(
        &self,
        warehouse: &str,
        item_codes: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, Decimal>>> + Send {
        (**self).stock_levels(warehouse, item_codes)
    }
    fn post_stock_mutation(
        &self,
        mutation: &StockMutationDraft,
    ) -> impl Future<Output = ConnectorResult<Written<()>>> + Send {
        (**self).post_stock_mutation(mutation)
    }
    fn existing_codes(
        &self,
        list: AfasList,
        codes: &[String],
    ) -> impl Future<Output = ConnectorResult<Option<HashSet<String>>>> + Send {
        (**self).existing_codes(list, codes)
    }
    fn delivery_address(
        &self,
        debtor_id: &str,
        organisation: bool,
        address: &Address,
    ) -> impl Future<Output = ConnectorResult<Option<Written<String>>>> + Send {
        (**self).delivery_address(debtor_id, organisation, address)
    }
    fn existing_financial_entries(
        &self,
        vouchers: &[String],
    ) -> impl Future<Output = ConnectorResult<HashMap<String, String>>> + Send {
        (**self).existing_financial_entries(vouchers)
    }
    fn post_financial_entry(
        &self,
        entry: &FinancialEntryDraft,
    ) -> impl Future<Output = ConnectorResult<Written<String>>> + Send {
        (**self).post_financial_entry(entry)
    }
}
