//! Orders: MplusKASSA orders, invoices or quotations → AFAS `FbSales`, `FbDirectInvoice` or `FbSalesQuotation`.
//!
//! Per sale: the filter (state and document type) → already booked? (id map, then `RfCs` in AFAS: never
//! sent twice, also after a crash between sending and journaling) → map (a missing setting fails here,
//! before any write) → every article exists, or is created when `create_missing_articles` is on → the
//! debtor by e-mail (created, updated when changed, or the default debtor) → the order.
//!
//! VAT code and revenue account come from the per-country maps, keyed by the delivery country (billing when
//! there is none): a table key `NL:9` picks the code for one rate, a plain `NL` is the country's fallback.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use futures::future::{Fuse, FusedFuture};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use rust_decimal::Decimal;

use super::debtors::{KnownDebtors, billing_country, customer_name, debtor_draft, email_key, split_address};
use crate::country::iso2;
use crate::engine::{Run, RunError};
use crate::field_map::{line_source, order_source};
use crate::model::{
    ArticleDraft, ArticleRecord, PaymentStatus, SalesLineDraft, SalesLineKind, SalesOrderDraft, SourceDocumentKind,
    SourceLine, SourceOrder, VatMethod,
};
use crate::money::{afas_order_amount, discount_amount_for};
use crate::ports::{ConnectorResult, ErpTarget, IdMapEntry, Journal, JsonText, Outcome, PosSource, Written};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash, content_hash_with, mapping_failure};
use crate::settings::{FlowSettings, OrderFilter, ValueMap};

/// Fetches the pending retries fresh and runs them as one page (outside the cursor).
pub(crate) async fn retry<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    ids: &[String],
) -> Result<(), RunError> {
    let mut found = Vec::new();
    for id in ids {
        match fetch_fresh(run.source, run.settings, id).await? {
            Some(order) => found.push(order),
            None => {
                let meta = RecordMeta::new("order", id.clone(), &serde_json::Value::Null);
                run.conclude(meta, Ok(Verdict::skipped(super::GONE)), Trail::default())
                    .await?;
            }
        }
    }
    run_pages(run, Feed::Once(found)).await
}

/// The document in whichever selected type has it.
async fn fetch_fresh<S: PosSource>(
    source: &S,
    settings: &FlowSettings,
    id: &str,
) -> Result<Option<SourceOrder>, RunError> {
    for kind in &settings.order_types {
        if let Some(order) = source.order(*kind, id).await? {
            return Ok(Some(order));
        }
    }
    Ok(None)
}

/// Orders in flight at most: AFAS allows 8 concurrent requests per token, and the order is the one write
/// every sale makes, so keeping 8 of them in flight is what brings a run near the time its calls alone take.
pub const SEND_WINDOW: usize = 8;

/// What a page of sales needs to know before its first write: the id map and the target's answers to one
/// batched look-up per kind.
///
/// The next page is planned while this one is still being sent. Its keys that this page also has (a
/// returning customer, a popular article) are not asked then, as this page may be creating that debtor or
/// article, but taken over from this page's plan once its sales are all prepared ([`PagePlan::adopt`]); the
/// other keys this page never writes, so asking about them early is safe.
pub(crate) struct PagePlan {
    known: HashMap<String, IdMapEntry>,
    target: OrderPlan,
    needs: Needs,
    /// Keys shared with the previous page: to be taken over from its plan.
    shared: Needs,
}

impl PagePlan {
    /// Plans a page; with `previous` (the needs of the page still in progress), leaves out the keys shared
    /// with it.
    pub async fn look_up<T: ErpTarget, J: Journal>(
        settings: &FlowSettings,
        target: &T,
        journal: &J,
        orders: &[SourceOrder],
        previous: Option<&Needs>,
    ) -> Result<Self, RunError> {
        let ids: Vec<String> = orders.iter().map(|order| order.id.clone()).collect();
        let known = journal.id_map(&ids).await?;
        let to_plan: Vec<&SourceOrder> = orders
            .iter()
            .filter(|order| selected(order, settings).is_ok() && !known.contains_key(&order.id))
            .collect();
        let needs = Needs::of(&to_plan);
        let (to_ask, shared) = needs.split(previous);
        let target = OrderPlan::look_up(target, &to_ask).await?;
        Ok(Self {
            known,
            target,
            needs,
            shared,
        })
    }

    pub fn needs(&self) -> &Needs {
        &self.needs
    }

    /// Completes a plan made while the previous page ran, from that page's plan once its sales are all prepared
    /// (their debtor and article writes done; their orders perhaps still in flight).
    fn adopt(&mut self, previous: Option<&OrderPlan>) {
        if let Some(previous) = previous {
            self.target.adopt(previous, &self.shared);
        }
    }
}

/// Where a pipeline's sales come from.
pub(crate) enum Feed {
    /// These sales, outside the cursor (retries): the cursor does not move.
    Once(Vec<SourceOrder>),
    /// Pages read from `cursor` on, at most `max_pages` of them (a dry run reads one); each page is read and
    /// planned while the pages before it are sent.
    Cursor { cursor: i64, max_pages: Option<usize> },
}

/// A page read from the cursor and planned.
struct ReadPage {
    orders: Vec<SourceOrder>,
    plan: PagePlan,
    /// Where the cursor goes once the page is journaled; `None` when no marker moves it past `from`.
    next_cursor: Option<i64>,
    /// Whether a page may follow (this one was full and moved the cursor).
    more: bool,
}

async fn read_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: (&FlowSettings, &S, &T, &J),
    from: i64,
    size: usize,
    previous: Option<Needs>,
) -> Result<ReadPage, RunError> {
    let (settings, source, target, journal) = run;
    let orders = source.orders_since(&settings.order_types, from, size).await?;
    let plan = PagePlan::look_up(settings, target, journal, &orders, previous.as_ref()).await?;
    let next_cursor = orders
        .iter()
        .map(|order| order.sync_marker + 1)
        .max()
        .filter(|&next| next > from);
    let more = orders.len() >= size && next_cursor.is_some();
    Ok(ReadPage {
        orders,
        plan,
        next_cursor,
        more,
    })
}

/// A page taken into the pipeline: its records end before this index of the run's order, and the cursor
/// moves to `next_cursor` once they are all journaled.
struct PageEnd {
    end: usize,
    next_cursor: Option<i64>,
}

/// The sales as one pipeline, across pages. Each sale is prepared in order (filter, look-ups, debtor and
/// article writes, so a later sale sees what an earlier one created); its order then joins up to
/// [`SEND_WINDOW`] others in flight. Each answer frees its slot for the next sale as soon as it comes,
/// whatever the order of the answers; answers are concluded in order and journaled in batches, each written
/// while the next answers come in.
///
/// The next page is taken in as soon as this page's sales are all prepared, so the window stays full across
/// page ends (waiting for a page's last answers cost about a round trip per page). Its plan, made while
/// earlier pages ran, takes over from the current plan what those pages may have written: the keys it shares
/// with the page before it, and every order booked so far. A page's cursor is saved once all its records are
/// journaled. A halt stops the preparing; what is in flight is still concluded, then the run stops at the
/// first halted record and saves no cursor past it.
pub(crate) async fn run_pages<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    feed: Feed,
) -> Result<(), RunError> {
    let (settings, target, journal) = (run.settings, run.target, run.journal);
    let ports = (settings, run.source, target, journal);
    let size = run.page_size();
    let from_cursor = matches!(feed, Feed::Cursor { .. });
    // The first page: read here for the cursor, given for retries.
    let (first, mut pages_left) = match feed {
        Feed::Once(orders) => {
            let plan = PagePlan::look_up(settings, target, journal, &orders, None).await?;
            let page = ReadPage {
                orders,
                plan,
                next_cursor: None,
                more: false,
            };
            (page, 0)
        }
        Feed::Cursor { cursor, max_pages } => {
            let page = read_page(ports, cursor, size, None).await?;
            (page, max_pages.unwrap_or(usize::MAX))
        }
    };
    let settings_hash = content_hash(settings);

    let mut queue: VecDeque<SourceOrder> = VecDeque::new();
    let mut known: HashMap<String, IdMapEntry> = HashMap::new();
    let mut plan: Option<OrderPlan> = None;
    let mut ends: VecDeque<PageEnd> = VecDeque::new();
    // Records taken into this pipeline: a record met again in a later page (changed while the run read) is
    // not done twice.
    let mut taken: HashSet<String> = HashSet::new();
    let mut reading = Fuse::terminated();
    let mut read = Some(Ok(first));
    let mut read_error = None;

    let mut in_flight = FuturesUnordered::new();
    // Answers that came before an earlier sale's, waiting to be concluded in order.
    let mut answered: BTreeMap<usize, Answered> = BTreeMap::new();
    let (mut prepared_count, mut concluded_count) = (0, 0);
    // The journal batch being written while answers come in.
    let mut writing = Fuse::terminated();
    // Numbers of the orders in flight: a second sale with one of them waits until it is booked.
    let mut sending: HashSet<String> = HashSet::new();
    let (mut stopping, mut first_halt, mut finished) = (false, None, false);
    loop {
        // Pages whose records are all journaled move the cursor, up to the first halt.
        while first_halt.is_none() && ends.front().is_some_and(|page| page.end <= concluded_count) {
            let page = ends.pop_front().expect("a finished page");
            if !writing.is_terminated() {
                (&mut writing).await?;
            }
            run.flush().await?;
            if let Some(next) = page.next_cursor {
                journal.set_cursor(next).await?;
                run.report.cursor = Some(next);
            }
        }
        if finished {
            break;
        }
        // The next page, once every sale taken so far is prepared.
        if queue.is_empty()
            && !stopping
            && let Some(result) = read.take()
        {
            match result {
                Err(error) => {
                    read_error = Some(error);
                    stopping = true;
                }
                Ok(page) => {
                    pages_left = pages_left.saturating_sub(1);
                    let ReadPage {
                        orders,
                        plan: mut page_plan,
                        next_cursor,
                        more,
                    } = page;
                    if let (true, Some(from)) = (more && pages_left > 0, next_cursor) {
                        let needs = page_plan.needs().clone();
                        reading = read_page(ports, from, size, Some(needs)).boxed().fuse();
                    }
                    page_plan.adopt(plan.as_ref());
                    known.extend(page_plan.known);
                    plan = Some(page_plan.target);
                    run.report.total_seen += orders.len() as u64;
                    queue.extend(
                        orders
                            .into_iter()
                            .filter(|order| !run.already_handled(&order.id) && taken.insert(order.id.clone())),
                    );
                    ends.push_back(PageEnd {
                        end: prepared_count + queue.len(),
                        next_cursor: next_cursor.filter(|_| from_cursor),
                    });
                }
            }
        }
        let current = plan.as_mut().expect("the first page is taken in at once");
        while !stopping && sending.len() < SEND_WINDOW {
            let Some(order) = queue.front().filter(|order| !sending.contains(&order.number)) else {
                break;
            };
            let marker = from_cursor.then_some(order.sync_marker);
            if run.should_stop_before(marker).await? {
                stopping = true;
                break;
            }
            let order = queue.pop_front().expect("the front sale");
            let mut trail = Trail::default();
            let payload = JsonText::of(&order);
            let hash = content_hash_with(&payload, &settings_hash);
            // The next page's reading goes on meanwhile: its look-ups may hold some of the client's 8
            // permits, and this sale's debtor or article write could otherwise wait for them forever.
            let step = {
                let preparing = prepare(
                    settings,
                    target,
                    current,
                    &order,
                    known.get(&order.id),
                    hash,
                    &mut trail,
                )
                .fuse();
                futures::pin_mut!(preparing);
                loop {
                    futures::select_biased! {
                        step = preparing => break step,
                        page = reading => read = Some(page),
                    }
                }
            };
            stopping = matches!(step, Err(Failure::Halt(_)));
            if matches!(step, Ok(Step::Send(..))) {
                sending.insert(order.number.clone());
            }
            let prepared = Prepared {
                order,
                payload,
                marker,
                step,
                trail,
            };
            // Boxed: the future (the sale and the whole HTTP exchange's state) is kilobytes, and the set would
            // otherwise copy it by value into its task.
            in_flight.push(Box::pin(send(target, prepared_count, prepared)));
            prepared_count += 1;
        }
        if writing.is_terminated()
            && let Some(batch) = run.full_batch()
        {
            writing = batch.write(journal).boxed().fuse();
        }
        let waiting_for_page = queue.is_empty() && !stopping && !reading.is_terminated();
        if in_flight.is_empty() && !waiting_for_page {
            // Once more round, for the cursor of the last page.
            finished = true;
            continue;
        }
        // Answers first: each frees a slot. The next page is needed only once this one is all prepared.
        futures::select_biased! {
            (index, prepared, answer) = in_flight.select_next_some() => {
                // The answer is taken in at once, so its slot is free for the next sale and a twin sale
                // sees the booked order; the journal follows the sales' order.
                let Prepared { order, payload, marker, step, mut trail } = prepared;
                let result = match (step, answer) {
                    (Ok(Step::Send(_, hash)), Some(answer)) => {
                        sending.remove(&order.number);
                        trail.write(answer).map(|number| {
                            current.existing.insert(order.number.clone(), number.clone());
                            Verdict::written(Outcome::Created, number, hash)
                        })
                    }
                    (Ok(Step::Done(verdict)), _) => Ok(verdict),
                    (Err(failure), _) => Err(failure),
                    (Ok(Step::Send(..)), None) => unreachable!("a prepared order is always sent"),
                };
                stopping |= matches!(result, Err(Failure::Halt(_)));
                answered.insert(index, Answered { meta: meta(&order, payload, marker), result, trail });
                while let Some(next) = answered.remove(&concluded_count) {
                    concluded_count += 1;
                    if let Some(halt) = run.conclude_later(next.meta, next.result, next.trail) {
                        first_halt = first_halt.or(Some(halt));
                    }
                }
            }
            written = writing => written?,
            page = reading => read = Some(page),
            complete => finished = true,
        }
    }
    if !writing.is_terminated() {
        writing.await?;
    }
    run.flush().await?;
    if let Some(halt) = first_halt {
        return Err(run.halt_at(halt));
    }
    read_error.map_or(Ok(()), Err)
}

/// A sale whose answer is in, to be concluded in page order.
struct Answered {
    meta: RecordMeta,
    result: Result<Verdict, Failure>,
    trail: Trail,
}

/// Sends the prepared order, if it has one to send.
async fn send<T: ErpTarget>(
    target: &T,
    index: usize,
    prepared: Prepared,
) -> (usize, Prepared, Option<ConnectorResult<Written<String>>>) {
    let answer = match &prepared.step {
        Ok(Step::Send(draft, _)) => Some(target.create_order(draft).await),
        _ => None,
    };
    (index, prepared, answer)
}

/// A sale on its way: prepared, perhaps in flight.
struct Prepared {
    order: SourceOrder,
    /// The sale's JSON for the journal, made once (its content hash is taken from it too).
    payload: JsonText,
    marker: Option<i64>,
    step: Result<Step, Failure>,
    trail: Trail,
}

/// What is left to do for a sale once it is prepared.
enum Step {
    /// Decided without sending an order (skipped).
    Done(Verdict),
    /// The order to send, and the content hash to remember it by.
    Send(Box<SalesOrderDraft>, String),
}

fn meta(order: &SourceOrder, payload: JsonText, marker: Option<i64>) -> RecordMeta {
    let customer = order.customer.as_ref();
    let skus: BTreeSet<String> = order.lines.iter().map(|line| line.sku.clone()).collect();
    let keys = [
        Some(order.number.clone()),
        customer.and_then(|c| c.email.clone()),
        customer.and_then(customer_name),
    ];
    RecordMeta::with_payload(entity(order.kind), order.id.clone(), payload)
        .keys(keys.into_iter().chain(skus.into_iter().map(Some)))
        .at_marker(marker)
}

fn entity(kind: SourceDocumentKind) -> &'static str {
    match kind {
        SourceDocumentKind::Order => "order",
        SourceDocumentKind::Invoice => "invoice",
        SourceDocumentKind::Quotation => "quotation",
    }
}

/// The keys a page asks AFAS about: sale references, customer e-mail addresses (lower-cased), item codes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Needs {
    references: BTreeSet<String>,
    emails: BTreeSet<String>,
    skus: BTreeSet<String>,
}

impl Needs {
    fn of(orders: &[&SourceOrder]) -> Self {
        Self {
            references: orders.iter().map(|order| order.number.clone()).collect(),
            emails: orders
                .iter()
                .filter_map(|order| order.customer.as_ref().and_then(email_key))
                .collect(),
            skus: orders
                .iter()
                .flat_map(|order| order.lines.iter().map(|l| l.sku.clone()))
                .collect(),
        }
    }

    /// These keys without those of `other`, and the ones they share.
    fn split(&self, other: Option<&Needs>) -> (Needs, Needs) {
        let Some(other) = other else {
            return (self.clone(), Needs::default());
        };
        let part = |mine: &BTreeSet<String>, theirs: &BTreeSet<String>, shared: bool| -> BTreeSet<String> {
            mine.iter().filter(|k| theirs.contains(*k) == shared).cloned().collect()
        };
        let side = |shared| Needs {
            references: part(&self.references, &other.references, shared),
            emails: part(&self.emails, &other.emails, shared),
            skus: part(&self.skus, &other.skus, shared),
        };
        (side(false), side(true))
    }
}

/// What the target already has, looked up once per page and kept current as the page writes.
pub(crate) struct OrderPlan {
    existing: HashMap<String, String>,
    debtors: KnownDebtors,
    articles: HashMap<String, ArticleRecord>,
}

impl OrderPlan {
    async fn look_up<T: ErpTarget>(target: &T, needs: &Needs) -> Result<Self, RunError> {
        let references: Vec<String> = needs.references.iter().cloned().collect();
        let emails: Vec<String> = needs.emails.iter().cloned().collect();
        let skus: Vec<String> = needs.skus.iter().cloned().collect();
        // Three independent questions: asked together, they cost one round trip instead of three.
        let existing = async {
            match references.is_empty() {
                true => Ok(HashMap::new()),
                false => target.existing_orders(&references).await,
            }
        };
        let articles = async {
            match skus.is_empty() {
                true => Ok(HashMap::new()),
                false => target.articles_by_code(&skus).await,
            }
        };
        let (existing, debtors, articles) =
            futures::try_join!(existing, KnownDebtors::look_up(target, emails), articles)?;
        Ok(Self {
            existing,
            debtors,
            articles,
        })
    }

    /// Takes over what the previous page's plan knows (after its writes) of the keys this page shares with it.
    fn adopt(&mut self, earlier: &OrderPlan, shared: &Needs) {
        // Every order booked so far, not only the shared references: an order of an earlier page may have
        // been in flight while this page was looked up. (About 100 bytes an order, for the run's length.)
        for (reference, number) in &earlier.existing {
            self.existing.insert(reference.clone(), number.clone());
        }
        self.debtors.adopt(&earlier.debtors, &shared.emails);
        for sku in &shared.skus {
            match earlier.articles.get(sku) {
                Some(article) => self.articles.insert(sku.clone(), article.clone()),
                None => self.articles.remove(sku),
            };
        }
    }
}

/// One sale up to its order: filter, already booked?, map, articles, debtor. The writes it needs (articles,
/// the debtor) happen here, in page order, so later sales of the window see them.
async fn prepare<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
    plan: &mut OrderPlan,
    order: &SourceOrder,
    known: Option<&IdMapEntry>,
    hash: String,
    trail: &mut Trail,
) -> Result<Step, Failure> {
    // Booked before: say so even when the sale no longer passes the filter (e.g. cancelled since).
    if let Some(entry) = known {
        return Ok(Step::Done(already_booked(entry, hash)));
    }
    if let Err(reason) = selected(order, settings) {
        return Ok(Step::Done(Verdict::skipped(reason)));
    }
    if let Some(number) = plan.existing.get(&order.number) {
        let reason = format!("already in AFAS as order {number}");
        return Ok(Step::Done(Verdict::skipped_existing(reason, number.clone(), hash)));
    }
    let mut draft = map_order(order, settings)?;
    let missing = missing_articles(order, &plan.articles, settings)?;
    create_articles(target, plan, &missing, order, settings, trail).await?;
    draft.debtor_id = debtor_for(settings, target, plan, order, trail).await?;
    Ok(Step::Send(Box::new(draft), hash))
}

fn already_booked(entry: &IdMapEntry, hash: String) -> Verdict {
    let reason = if entry.content_hash == hash {
        "unchanged".to_owned()
    } else {
        format!(
            "already in AFAS as order {}; changes after booking are not sent",
            entry.target_id
        )
    };
    Verdict::skipped_existing(reason, entry.target_id.clone(), entry.content_hash.clone())
}

/// Whether the sale passes the document-type selection and the state filter; the reason when not.
pub fn selected(order: &SourceOrder, settings: &FlowSettings) -> Result<(), String> {
    if !settings.order_types.contains(&order.kind) {
        return Err(format!(
            "{} documents are not selected (order_types)",
            entity(order.kind)
        ));
    }
    if order.cancelled {
        return Err("cancelled in MplusKASSA".to_owned());
    }
    let (passes, state, filter) = match settings.order_filter {
        OrderFilter::Paid => (order.payment_status == PaymentStatus::Paid, "fully paid", "paid"),
        OrderFilter::Any => (true, "", "any"),
        OrderFilter::Delivered => (order.delivered, "delivered", "delivered"),
        OrderFilter::Completed => (order.completed, "completed", "completed"),
    };
    if passes {
        Ok(())
    } else {
        Err(format!("not {state} (order filter: {filter})"))
    }
}

/// The debtor id: the customer's (created or updated as needed) or, without an e-mail, the default debtor.
async fn debtor_for<T: ErpTarget>(
    settings: &FlowSettings,
    target: &T,
    plan: &mut OrderPlan,
    order: &SourceOrder,
    trail: &mut Trail,
) -> Result<String, Failure> {
    let customer = order.customer.as_ref();
    let Some((customer, email)) = customer.and_then(|c| email_key(c).map(|email| (c, email))) else {
        return settings
            .default_debtor
            .clone()
            .ok_or_else(|| Failure::missing_setting("default_debtor", "this sale has no customer e-mail address"));
    };
    let draft = debtor_draft(customer, &email, settings, order)?;
    let (debtor_id, _) = plan.debtors.upsert(target, &draft, trail).await?;
    Ok(debtor_id)
}

/// The order's lines whose article AFAS lacks (one per SKU); a failure when they may not be created.
fn missing_articles<'o>(
    order: &'o SourceOrder,
    articles: &HashMap<String, ArticleRecord>,
    settings: &FlowSettings,
) -> Result<Vec<&'o SourceLine>, Failure> {
    let mut seen = BTreeSet::new();
    let missing: Vec<&SourceLine> = order
        .lines
        .iter()
        .filter(|l| !articles.contains_key(&l.sku) && seen.insert(l.sku.as_str()))
        .collect();
    if missing.is_empty() || settings.create_missing_articles {
        return Ok(missing);
    }
    let skus: Vec<&str> = missing.iter().map(|line| line.sku.as_str()).collect();
    Err(Failure::master_data(format!(
        "article {} does not exist in AFAS; create it there or turn on `create_missing_articles`",
        skus.join(", ")
    )))
}

async fn create_articles<T: ErpTarget>(
    target: &T,
    plan: &mut OrderPlan,
    missing: &[&SourceLine],
    order: &SourceOrder,
    settings: &FlowSettings,
    trail: &mut Trail,
) -> Result<(), Failure> {
    for line in missing {
        let draft = article_from_line(line, order.vat_method, settings);
        let item_code = trail.write(target.create_article(&draft).await)?;
        plan.articles.insert(
            line.sku.clone(),
            ArticleRecord {
                item_code,
                description: draft.description,
            },
        );
    }
    Ok(())
}

fn article_from_line(line: &SourceLine, vat_method: VatMethod, settings: &FlowSettings) -> ArticleDraft {
    ArticleDraft {
        item_code: line.sku.clone(),
        description: line.description.clone(),
        long_description: None,
        short_description: None,
        group: settings.article_group_map.resolve(None).map(str::to_owned),
        unit: None,
        price: line.unit_price,
        price_includes_vat: vat_method == VatMethod::Including,
        ean: None,
        vat_group: settings
            .vat_group_map
            .resolve(Some(&percentage_key(line.vat_percentage)))
            .map(str::to_owned),
        variant: None,
    }
}

pub(crate) fn percentage_key(percentage: Decimal) -> String {
    percentage.normalize().to_string()
}

/// The AFAS document for a sale, all but the debtor (which may need a write to know).
pub(crate) fn map_order(order: &SourceOrder, settings: &FlowSettings) -> Result<SalesOrderDraft, Failure> {
    let country = order_country(order);
    let ledger = |percentage: Decimal| LineLedger::for_rate(settings, country.as_deref(), percentage);
    let mut lines: Vec<SalesLineDraft> = order
        .lines
        .iter()
        .map(|line| article_line(line, ledger(line.vat_percentage)))
        .collect();
    lines.extend(shipping_line(order, settings, &ledger)?);
    lines.extend(rounding_line(order, settings, &lines, &ledger)?);
    let customer = order.customer.as_ref();
    let delivery = customer.and_then(|c| c.delivery_address.as_ref().or(c.address.as_ref()));
    let mut draft = SalesOrderDraft {
        target: settings.order_target,
        administration: settings.administration.clone(),
        debtor_id: String::new(),
        reference: order.number.clone(),
        date: order.date,
        currency: Some(settings.currency.clone()),
        warehouse: settings.warehouse.clone(),
        payment_method: payment_method(order, &settings.payment_method_map),
        shipping_method: order
            .shipping
            .as_ref()
            .and_then(|s| settings.shipping_method_map.resolve(s.method.as_deref()))
            .map(str::to_owned),
        prices_include_vat: order.vat_method == VatMethod::Including,
        delivery_address: delivery.map(split_address),
        lines,
    };
    apply_field_map(order, settings, &mut draft)?;
    Ok(draft)
}

/// The tenant's rules over the default draft: the order's fields, then each article line with its source
/// line as `line` (article lines come first, one per source line; cost lines have no source line).
fn apply_field_map(order: &SourceOrder, settings: &FlowSettings, draft: &mut SalesOrderDraft) -> Result<(), Failure> {
    let map = &settings.field_map;
    if map.is_empty() {
        return Ok(());
    }
    let source = order_source(order);
    map.apply("order", &source, draft).map_err(mapping_failure)?;
    for (line, drafted) in order.lines.iter().zip(draft.lines.iter_mut()) {
        map.apply("line", &line_source(&source, line), drafted)
            .map_err(mapping_failure)?;
    }
    Ok(())
}

/// The delivery country (ISO-2), else the billing country.
fn order_country(order: &SourceOrder) -> Option<String> {
    let customer = order.customer.as_ref()?;
    customer
        .delivery_address
        .as_ref()
        .map(|a| iso2(&a.country))
        .or_else(|| billing_country(customer))
}

/// The payment method of the largest payment, through the mapping table.
fn payment_method(order: &SourceOrder, map: &ValueMap) -> Option<String> {
    let largest = order
        .payments
        .iter()
        .max_by_key(|payment| payment.amount)
        .map(|p| p.method.as_str());
    map.resolve(largest).map(str::to_owned)
}

/// VAT code and revenue account for one VAT rate in the order's country.
struct LineLedger {
    vat_code: Option<String>,
    revenue_account: Option<String>,
}

impl LineLedger {
    fn for_rate(settings: &FlowSettings, country: Option<&str>, percentage: Decimal) -> Self {
        let rate_key = country.map(|c| format!("{c}:{}", percentage_key(percentage)));
        let candidates = [rate_key.as_deref(), country];
        Self {
            vat_code: settings
                .vat_code_by_country
                .resolve_first(&candidates)
                .map(str::to_owned),
            revenue_account: settings
                .revenue_account_by_country
                .resolve_first(&candidates)
                .map(str::to_owned),
        }
    }
}

/// An article line; the discount goes as an amount only when the percentage would miss the cent.
fn article_line(line: &SourceLine, ledger: LineLedger) -> SalesLineDraft {
    SalesLineDraft {
        kind: SalesLineKind::Article,
        item_code: line.sku.clone(),
        description: line.description.clone(),
        quantity: line.quantity,
        unit_price: line.unit_price,
        discount_percentage: line.discount_percentage,
        discount_amount: discount_amount_for(
            line.quantity,
            line.unit_price,
            line.discount_percentage,
            line.line_total,
        ),
        vat_code: ledger.vat_code,
        revenue_account: ledger.revenue_account,
    }
}

fn cost_line(item_code: String, description: &str, amount: Decimal, ledger: LineLedger) -> SalesLineDraft {
    SalesLineDraft {
        kind: SalesLineKind::Cost,
        item_code,
        description: description.to_owned(),
        quantity: Decimal::ONE,
        unit_price: amount,
        discount_percentage: Decimal::ZERO,
        discount_amount: None,
        vat_code: ledger.vat_code,
        revenue_account: ledger.revenue_account,
    }
}

fn shipping_line(
    order: &SourceOrder,
    settings: &FlowSettings,
    ledger: &impl Fn(Decimal) -> LineLedger,
) -> Result<Option<SalesLineDraft>, Failure> {
    let Some(shipping) = order.shipping.as_ref().filter(|s| !s.cost.is_zero()) else {
        return Ok(None);
    };
    let item = settings
        .shipping_cost_item
        .clone()
        .ok_or_else(|| Failure::missing_setting("shipping_cost_item", "this sale has shipping costs"))?;
    Ok(Some(cost_line(
        item,
        "Verzendkosten",
        shipping.cost,
        ledger(shipping.vat_percentage),
    )))
}

/// What MplusKASSA says the lines add up to, in the order's price terms.
fn source_total(order: &SourceOrder) -> Decimal {
    match order.vat_method {
        VatMethod::Including => order.total_incl_vat,
        // Without a total excl. VAT in the source, the lines and shipping are the total.
        VatMethod::Excluding => {
            order.lines.iter().map(|l| l.line_total).sum::<Decimal>()
                + order.shipping.as_ref().map_or(Decimal::ZERO, |s| s.cost)
        }
    }
}

/// A cost line for whatever the lines miss of MplusKASSA's total (cash rounding, an order discount).
fn rounding_line(
    order: &SourceOrder,
    settings: &FlowSettings,
    lines: &[SalesLineDraft],
    ledger: &impl Fn(Decimal) -> LineLedger,
) -> Result<Option<SalesLineDraft>, Failure> {
    let difference = source_total(order) - afas_order_amount(lines);
    if difference.is_zero() {
        return Ok(None);
    }
    let item = settings.rounding_cost_item.clone().ok_or_else(|| {
        Failure::missing_setting(
            "rounding_cost_item",
            &format!("the lines differ {difference} from MplusKASSA's total"),
        )
    })?;
    let highest_rate = order.lines.iter().map(|l| l.vat_percentage).max().unwrap_or_default();
    Ok(Some(cost_line(
        item,
        "Afrondingsverschil",
        difference,
        ledger(highest_rate),
    )))
}
