//! What the first run would do, without writing anything: the wizard's review step. It runs the real flow
//! code over the first page with the writes captured instead of sent, AFAS's and the till's (reads still go
//! out, so the plan knows which orders, debtors and articles exist) and a journal that forgets.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use koppel_core::FlowKind;
use rust_decimal::Decimal;
use serde::Serialize;

use chrono::NaiveDate;

use crate::catalogue::{DimensionId, ErpArticle, TillArticle, TillArticleDraft};
use crate::clientele::{ErpDebtor, TillRelation, TillRelationDraft};
use crate::custom_fields::CustomFieldKind;
use crate::deliveries::{ErpOrderState, TillOrderLine};
use crate::engine::{Run, RunError};
use crate::ledger::{FinancialDay, FinancialEntryDraft};
use crate::model::{
    ArticleDraft, ArticleRecord, DebtorDraft, DebtorRecord, OrderTarget, SalesOrderDraft, SourceArticle,
    SourceCustomer, SourceDocumentKind, SourceOrder, StockLevel, StockMutationDraft,
};
use crate::ports::{
    ConnectorResult, Creation, DraftWrite, ErpTarget, Exchange, IdMapEntry, Journal, JournalEntry, JournalError,
    Outcome, PosSource, TillWrite, Written,
};
use crate::pricing::{ErpListPrice, TillArticlePrices, TillPricesDraft};
use crate::proposals::{ErpQuotation, ProposalDraft, TillProposal};
use crate::sales::{BookedTotals, SaleCheck, UncheckedSale};
use crate::settings::{AfasArticleFilter, FlowSettings};
use crate::terms::{ErpDebtorTerms, TermsDraft, TillRelationTerms};

/// One record of the first page and what the run would do with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedWrite {
    pub entity: String,
    pub source_id: String,
    pub search_keys: Vec<String>,
    pub outcome: Outcome,
    pub reason: Option<String>,
    /// The record as it came from the source.
    pub source: serde_json::Value,
    /// The writes it would send, in order (operation and payload; no answers).
    pub writes: Vec<Exchange>,
}

/// Plans the first page of a first run (from the start, ignoring the cursor and the id map).
pub async fn dry_run<S: PosSource, T: ErpTarget>(
    flow: FlowKind,
    settings: &FlowSettings,
    source: &S,
    target: &T,
) -> Result<Vec<PlannedWrite>, RunError> {
    let capturing = CapturingTarget::new(target);
    plan(flow, settings, &CapturingSource::new(source), &capturing).await
}

/// Plans the first page of the first run of each flow, as they run when switched on together: in
/// [`FlowKind::RUN_ORDER`], each seeing the debtors and articles the earlier ones would create (so the orders
/// flow does not plan to create an article the products flow creates first). A flow that cannot be planned
/// stops the plan with its error.
pub async fn dry_run_together<S: PosSource, T: ErpTarget>(
    flows: &[(FlowKind, FlowSettings)],
    source: &S,
    target: &T,
) -> Result<Vec<(FlowKind, Vec<PlannedWrite>)>, (FlowKind, RunError)> {
    let capturing = CapturingTarget::new(target);
    let source = CapturingSource::new(source);
    let mut planned = Vec::new();
    for flow in FlowKind::RUN_ORDER {
        for (_, settings) in flows.iter().filter(|(f, _)| *f == flow) {
            let writes = plan(flow, settings, &source, &capturing).await.map_err(|e| (flow, e))?;
            planned.push((flow, writes));
        }
    }
    Ok(planned)
}

async fn plan<S: PosSource, T: ErpTarget>(
    flow: FlowKind,
    settings: &FlowSettings,
    source: &S,
    capturing: &CapturingTarget<'_, T>,
) -> Result<Vec<PlannedWrite>, RunError> {
    let journal = ForgetfulJournal::default();
    let settings = settings.for_flow(flow);
    let mut run = Run::new(flow, &settings, source, capturing, &journal);
    Box::pin(run.pages(Some(1))).await?;
    let entries = journal.entries.into_inner().unwrap_or_default();
    Ok(entries.into_iter().map(planned).collect())
}

fn planned(entry: JournalEntry) -> PlannedWrite {
    PlannedWrite {
        entity: entry.entity,
        source_id: entry.source_id,
        search_keys: entry.search_keys,
        outcome: entry.outcome,
        reason: entry.reason,
        source: entry.source_payload.to_value(),
        writes: entry.exchanges,
    }
}

/// Reads go through; writes are captured and answered with placeholder keys. Debtors and articles it would
/// have created are found by later look-ups, as they would be in AFAS.
struct CapturingTarget<'a, T> {
    inner: &'a T,
    next_id: AtomicU64,
    /// By e-mail address in lower case.
    debtors: Mutex<HashMap<String, DebtorRecord>>,
    articles: Mutex<HashMap<String, ArticleRecord>>,
}

impl<'a, T: ErpTarget> CapturingTarget<'a, T> {
    fn new(inner: &'a T) -> Self {
        Self {
            inner,
            next_id: AtomicU64::new(1),
            debtors: Mutex::default(),
            articles: Mutex::default(),
        }
    }

    /// The request the real target would send (a body it refuses to build fails the record, as in a run).
    #[allow(clippy::result_large_err)]
    fn capture<V>(&self, write: DraftWrite<'_>, value: V) -> ConnectorResult<Written<V>> {
        let exchange = self.inner.render_write(&write)?;
        Ok(Written { value, exchange })
    }

    fn placeholder(&self) -> String {
        format!("(new {})", self.next_id.fetch_add(1, Ordering::Relaxed))
    }
}

impl<T: ErpTarget> ErpTarget for CapturingTarget<'_, T> {
    async fn existing_orders(
        &self,
        document: OrderTarget,
        references: &[String],
    ) -> ConnectorResult<HashMap<String, String>> {
        self.inner.existing_orders(document, references).await
    }
    async fn booked_totals(
        &self,
        document: OrderTarget,
        numbers: &[String],
    ) -> ConnectorResult<HashMap<String, BookedTotals>> {
        self.inner.booked_totals(document, numbers).await
    }
    async fn debtors_by_key(&self, keys: &[String]) -> ConnectorResult<HashMap<String, DebtorRecord>> {
        let mut found = self.inner.debtors_by_key(keys).await?;
        let created = self.debtors.lock().expect("dry-run debtors");
        for key in keys {
            if let Some(record) = created.get(key) {
                found.insert(key.clone(), record.clone());
            }
        }
        Ok(found)
    }
    async fn articles_by_code(&self, item_codes: &[String]) -> ConnectorResult<HashMap<String, ArticleRecord>> {
        let mut found = self.inner.articles_by_code(item_codes).await?;
        let created = self.articles.lock().expect("dry-run articles");
        for code in item_codes {
            if let Some(record) = created.get(code) {
                found.insert(code.clone(), record.clone());
            }
        }
        Ok(found)
    }
    fn render_write(&self, write: &DraftWrite<'_>) -> ConnectorResult<Exchange> {
        self.inner.render_write(write)
    }
    async fn create_debtor(&self, debtor: &DebtorDraft) -> ConnectorResult<Written<Creation>> {
        let written = self.capture(DraftWrite::CreateDebtor(debtor), self.placeholder())?;
        let record = crate::flows::debtors::record_of(&written.value, debtor);
        let mut created = self.debtors.lock().expect("dry-run debtors");
        created.insert(debtor.key().unwrap_or_default(), record);
        Ok(Written {
            value: Creation::Created(written.value),
            exchange: written.exchange,
        })
    }
    async fn update_debtor(&self, debtor_id: &str, debtor: &DebtorDraft) -> ConnectorResult<Written<()>> {
        self.capture(DraftWrite::UpdateDebtor(debtor_id, debtor), ())
    }
    async fn create_order(&self, order: &SalesOrderDraft) -> ConnectorResult<Written<String>> {
        self.capture(DraftWrite::CreateOrder(order), self.placeholder())
    }
    async fn create_article(&self, article: &ArticleDraft) -> ConnectorResult<Written<Creation>> {
        let written = self.capture(DraftWrite::CreateArticle(article), article.item_code.clone())?;
        let record = ArticleRecord {
            item_code: written.value.clone(),
            description: article.description.clone(),
        };
        let mut created = self.articles.lock().expect("dry-run articles");
        created.insert(article.item_code.clone(), record);
        Ok(Written {
            value: Creation::Created(written.value),
            exchange: written.exchange,
        })
    }
    async fn update_article(&self, article: &ArticleDraft) -> ConnectorResult<Written<()>> {
        self.capture(DraftWrite::UpdateArticle(article), ())
    }
    async fn stock_levels(&self, warehouse: &str, item_codes: &[String]) -> ConnectorResult<HashMap<String, Decimal>> {
        self.inner.stock_levels(warehouse, item_codes).await
    }
    async fn post_stock_mutation(&self, mutation: &StockMutationDraft) -> ConnectorResult<Written<()>> {
        self.capture(DraftWrite::StockMutation(mutation), ())
    }
    async fn existing_financial_entries(&self, vouchers: &[String]) -> ConnectorResult<HashMap<String, String>> {
        self.inner.existing_financial_entries(vouchers).await
    }
    async fn post_financial_entry(&self, entry: &FinancialEntryDraft) -> ConnectorResult<Written<String>> {
        self.capture(DraftWrite::FinancialEntry(entry), self.placeholder())
    }
    async fn erp_articles_since(
        &self,
        filter: &AfasArticleFilter,
        from: i64,
        limit: usize,
    ) -> ConnectorResult<Vec<ErpArticle>> {
        self.inner.erp_articles_since(filter, from, limit).await
    }
    async fn erp_article(&self, filter: &AfasArticleFilter, item_code: &str) -> ConnectorResult<Option<ErpArticle>> {
        self.inner.erp_article(filter, item_code).await
    }
    async fn erp_debtors_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<ErpDebtor>> {
        self.inner.erp_debtors_since(from, limit).await
    }
    async fn erp_debtor(&self, debtor_id: &str) -> ConnectorResult<Option<ErpDebtor>> {
        self.inner.erp_debtor(debtor_id).await
    }
    async fn erp_delivered_orders_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<ErpOrderState>> {
        self.inner.erp_delivered_orders_since(from, limit).await
    }
    async fn erp_order_state(&self, order_number: &str) -> ConnectorResult<Option<ErpOrderState>> {
        self.inner.erp_order_state(order_number).await
    }
    async fn erp_quotations_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<ErpQuotation>> {
        self.inner.erp_quotations_since(from, limit).await
    }
    async fn erp_quotation(&self, quotation_number: &str) -> ConnectorResult<Option<ErpQuotation>> {
        self.inner.erp_quotation(quotation_number).await
    }
    async fn erp_list_prices(&self, lists: &[String], items: Option<&[String]>) -> ConnectorResult<Vec<ErpListPrice>> {
        self.inner.erp_list_prices(lists, items).await
    }
    async fn erp_debtor_terms(
        &self,
        debtors: Option<&[String]>,
        discount_groups: bool,
    ) -> ConnectorResult<Vec<ErpDebtorTerms>> {
        self.inner.erp_debtor_terms(debtors, discount_groups).await
    }
}

/// The till's side of a dry run: reads go through, article writes are captured (and later look-ups of the
/// plan see the articles it would create).
struct CapturingSource<'a, S> {
    inner: &'a S,
    articles: Mutex<HashMap<i64, TillArticle>>,
    /// Relations it would create, by AFAS debtor id.
    relations: Mutex<HashMap<String, TillRelation>>,
}

impl<'a, S: PosSource> CapturingSource<'a, S> {
    fn new(inner: &'a S) -> Self {
        Self {
            inner,
            articles: Mutex::default(),
            relations: Mutex::default(),
        }
    }

    #[allow(clippy::result_large_err)]
    fn capture<V>(&self, write: TillWrite<'_>, value: V) -> ConnectorResult<Written<V>> {
        let exchange = self.inner.render_till_write(&write)?;
        Ok(Written { value, exchange })
    }
}

impl<S: PosSource> PosSource for CapturingSource<'_, S> {
    async fn orders_since(
        &self,
        kinds: &[SourceDocumentKind],
        from: i64,
        limit: usize,
    ) -> ConnectorResult<Vec<SourceOrder>> {
        self.inner.orders_since(kinds, from, limit).await
    }
    async fn order(&self, kind: SourceDocumentKind, id: &str) -> ConnectorResult<Option<SourceOrder>> {
        self.inner.order(kind, id).await
    }
    async fn customers_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<SourceCustomer>> {
        self.inner.customers_since(from, limit).await
    }
    async fn articles_since(&self, from: i64, limit: usize) -> ConnectorResult<Vec<SourceArticle>> {
        self.inner.articles_since(from, limit).await
    }
    async fn stock(&self, branch: Option<&str>) -> ConnectorResult<Vec<StockLevel>> {
        self.inner.stock(branch).await
    }
    async fn customer(&self, relation_number: &str) -> ConnectorResult<Option<SourceCustomer>> {
        self.inner.customer(relation_number).await
    }
    async fn article(&self, sku: &str) -> ConnectorResult<Option<SourceArticle>> {
        self.inner.article(sku).await
    }
    async fn financial_day(&self, date: NaiveDate) -> ConnectorResult<FinancialDay> {
        self.inner.financial_day(date).await
    }
    async fn till_articles(&self, numbers: &[i64]) -> ConnectorResult<HashMap<i64, TillArticle>> {
        let mut found = self.inner.till_articles(numbers).await?;
        let created = self.articles.lock().expect("dry-run till articles");
        found.extend(numbers.iter().filter_map(|n| created.get(n).map(|a| (*n, a.clone()))));
        Ok(found)
    }
    async fn till_dimension_ids(&self, numbers: &[String]) -> ConnectorResult<HashMap<String, DimensionId>> {
        self.inner.till_dimension_ids(numbers).await
    }
    async fn till_combinations(&self, numbers: &[i64]) -> ConnectorResult<HashMap<i64, Vec<i64>>> {
        self.inner.till_combinations(numbers).await
    }
    async fn create_till_article(&self, draft: &TillArticleDraft) -> ConnectorResult<Written<Creation>> {
        let number = draft.article_number.to_string();
        let written = self.capture(TillWrite::CreateArticle(draft), Creation::Created(number))?;
        let created = crate::flows::articles::created(draft);
        self.articles
            .lock()
            .expect("dry-run till articles")
            .insert(draft.article_number, created);
        Ok(written)
    }
    async fn update_till_article(
        &self,
        current: &TillArticle,
        draft: &TillArticleDraft,
    ) -> ConnectorResult<Written<()>> {
        self.capture(TillWrite::UpdateArticle(current, draft), ())
    }
    fn render_till_write(&self, write: &TillWrite<'_>) -> ConnectorResult<Exchange> {
        self.inner.render_till_write(write)
    }
    async fn till_relations(&self, numbers: &[i64]) -> ConnectorResult<HashMap<i64, TillRelation>> {
        self.inner.till_relations(numbers).await
    }
    async fn find_till_relation(
        &self,
        ext_relation_id: &str,
        email: Option<&str>,
    ) -> ConnectorResult<Option<TillRelation>> {
        if let Some(planned) = self.relations.lock().expect("dry-run relations").get(ext_relation_id) {
            return Ok(Some(planned.clone()));
        }
        self.inner.find_till_relation(ext_relation_id, email).await
    }
    async fn create_till_relation(&self, draft: &TillRelationDraft) -> ConnectorResult<Written<i64>> {
        let written = self.capture(TillWrite::CreateRelation(draft), 0)?;
        let planned = draft.created(0);
        let mut relations = self.relations.lock().expect("dry-run relations");
        relations.insert(draft.ext_relation_id.clone(), planned);
        Ok(written)
    }
    async fn update_till_relation(&self, number: i64, draft: &TillRelationDraft) -> ConnectorResult<Written<()>> {
        self.capture(TillWrite::UpdateRelation(number, draft), ())
    }
    async fn deliver_till_order(&self, order_id: &str) -> ConnectorResult<Written<bool>> {
        self.capture(TillWrite::DeliverOrder(order_id), true)
    }
    async fn till_order_lines(&self, order_id: &str) -> ConnectorResult<Option<Vec<TillOrderLine>>> {
        self.inner.till_order_lines(order_id).await
    }
    async fn deliver_till_order_lines(
        &self,
        order_id: &str,
        lines: &[(String, Decimal)],
    ) -> ConnectorResult<Written<bool>> {
        self.capture(TillWrite::DeliverOrderLines(order_id, lines), true)
    }
    /// The till's prices, and the articles the plan would create (without prices yet).
    async fn till_article_prices(&self, numbers: Option<&[i64]>) -> ConnectorResult<Vec<TillArticlePrices>> {
        let mut found = self.inner.till_article_prices(numbers).await?;
        let created = self.articles.lock().expect("dry-run till articles");
        let planned = created
            .keys()
            .filter(|n| numbers.is_none_or(|numbers| numbers.contains(n)))
            .filter(|n| !found.iter().any(|f| f.article_number == **n))
            .map(|&article_number| TillArticlePrices {
                article_number,
                product_number: 0,
                prices: Vec::new(),
                combinations: Vec::new(),
            })
            .collect::<Vec<_>>();
        found.extend(planned);
        Ok(found)
    }
    async fn till_price_groups(&self) -> ConnectorResult<Vec<(i32, String)>> {
        self.inner.till_price_groups().await
    }
    async fn till_article_groups(&self) -> ConnectorResult<HashMap<String, i32>> {
        self.inner.till_article_groups().await
    }
    /// Captured; the plan's later articles see no number for it (0), as the till has not made it.
    async fn create_till_article_group(&self, afas_group: &str) -> ConnectorResult<Written<i32>> {
        self.capture(TillWrite::CreateArticleGroup(afas_group), 0)
    }
    async fn add_to_till_article_group(&self, group: i32, product_number: i64) -> ConnectorResult<Written<()>> {
        self.capture(TillWrite::AddToArticleGroup(group, product_number), ())
    }
    async fn remove_from_till_article_group(&self, group: i32, product_number: i64) -> ConnectorResult<Written<()>> {
        self.capture(TillWrite::RemoveFromArticleGroup(group, product_number), ())
    }
    /// The till's linked relations, and those the plan would create (without terms yet).
    async fn till_relation_terms(&self, debtors: Option<&[String]>) -> ConnectorResult<Vec<TillRelationTerms>> {
        let mut found = self.inner.till_relation_terms(debtors).await?;
        let planned = self.relations.lock().expect("dry-run relations");
        let new = planned
            .keys()
            .filter(|id| debtors.is_none_or(|debtors| debtors.contains(id)))
            .filter(|id| !found.iter().any(|f| &f.debtor_id == *id))
            .map(|debtor_id| TillRelationTerms {
                relation_number: 0,
                debtor_id: debtor_id.clone(),
                discount_percentage: None,
                entries: Vec::new(),
            })
            .collect::<Vec<_>>();
        found.extend(new);
        Ok(found)
    }
    async fn update_till_terms(&self, current: &TillRelationTerms, draft: &TermsDraft) -> ConnectorResult<Written<()>> {
        self.capture(TillWrite::UpdateTerms(current, draft), ())
    }
    async fn update_till_prices(
        &self,
        current: &TillArticlePrices,
        draft: &TillPricesDraft,
    ) -> ConnectorResult<Written<()>> {
        self.capture(TillWrite::UpdatePrices(current, draft), ())
    }
    async fn till_custom_fields(&self) -> ConnectorResult<std::collections::BTreeMap<String, CustomFieldKind>> {
        self.inner.till_custom_fields().await
    }
    async fn till_proposal(&self, proposal_id: &str) -> ConnectorResult<Option<TillProposal>> {
        self.inner.till_proposal(proposal_id).await
    }
    /// Captured; the till has not numbered it, so the plan names no proposal id.
    async fn create_till_proposal(&self, draft: &ProposalDraft) -> ConnectorResult<Written<Creation>> {
        self.capture(TillWrite::CreateProposal(draft), Creation::Created(String::new()))
    }
    async fn replace_till_proposal(
        &self,
        current: &TillProposal,
        draft: &ProposalDraft,
    ) -> ConnectorResult<Written<()>> {
        self.capture(TillWrite::ReplaceProposal(current, draft), ())
    }
}

/// A journal for one dry run: no cursor, no id map, keeps the entries in memory.
#[derive(Default)]
struct ForgetfulJournal {
    entries: Mutex<Vec<JournalEntry>>,
}

impl Journal for ForgetfulJournal {
    async fn record(&self, entries: Vec<JournalEntry>) -> Result<(), JournalError> {
        self.entries
            .lock()
            .map_err(|_| JournalError("dry-run journal poisoned".into()))?
            .extend(entries);
        Ok(())
    }
    async fn id_map(&self, _source_ids: &[String]) -> Result<HashMap<String, IdMapEntry>, JournalError> {
        Ok(HashMap::new())
    }
    async fn cursor(&self) -> Result<Option<i64>, JournalError> {
        Ok(None)
    }
    async fn set_cursor(&self, _next: i64) -> Result<(), JournalError> {
        Ok(())
    }
    async fn due_retries(&self) -> Result<Vec<String>, JournalError> {
        Ok(Vec::new())
    }
    async fn progress(&self, _done: u64, _total: u64) -> Result<(), JournalError> {
        Ok(())
    }
    async fn is_cancelled(&self) -> Result<bool, JournalError> {
        Ok(false)
    }
    async fn unchecked_sales(&self, _limit: usize) -> Result<Vec<UncheckedSale>, JournalError> {
        Ok(Vec::new())
    }
    async fn record_sale_checks(&self, _checks: Vec<SaleCheck>) -> Result<(), JournalError> {
        Ok(())
    }
    async fn sources_of_targets(
        &self,
        _flow: FlowKind,
        _target_ids: &[String],
    ) -> Result<HashMap<String, String>, JournalError> {
        Ok(HashMap::new())
    }
}
