//! The orders flow as one pipeline across pages: sales prepared in order, their orders sent up to
//! [`SEND_WINDOW`] at a time, the answers concluded in order and journaled in batches, the cursor saved per
//! page.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use futures::future::{Fuse, FusedFuture};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use super::plan::{Needs, OrderPlan, PagePlan};
use super::prepare::{Step, entity, prepare};
use super::writes::Writes;
use crate::engine::{Run, RunError};
use crate::flows::debtors::customer_name;
use crate::model::{SourceDocumentKind, SourceOrder};
use crate::ports::{ConnectorResult, ErpTarget, IdMapEntry, Journal, JsonText, Outcome, PosSource, Written};
use crate::record::{Failure, RecordMeta, SeenIds, Trail, Verdict, content_hash, content_hash_with};
use crate::sales::TillTotals;
use crate::settings::FlowSettings;

/// Why a till proposal is not booked in AFAS: the quotations flow made it from an AFAS quotation.
const MADE_FROM_AFAS: &str = "Koppel made this proposal at MplusKASSA from an AFAS quotation";

/// Sales on their way to AFAS at most (their debtor and article writes, then their order). AFAS allows 8
/// concurrent requests per token, which the client enforces; twice as many sales keep 8 requests out while
/// some wait for a write another sale started or for a claim in the database, so a run comes near the time its
/// calls alone take, also a first sync that creates a debtor for most sales.
pub const SEND_WINDOW: usize = 16;

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
    let plan = PagePlan::look_up(settings, source, target, journal, &orders, previous.as_ref()).await?;
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

/// The sales as one pipeline, across pages. Each sale is prepared in order (filter, look-ups, and the debtor
/// and article writes it needs started or shared, so a later sale uses what an earlier one writes); it then
/// joins up to [`SEND_WINDOW`] others in flight, where it waits for its own writes only and sends its order. Each answer frees its slot for the next sale as soon as it comes,
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
            let plan = PagePlan::look_up(settings, run.source, target, journal, &orders, None).await?;
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
    let mut made_from_afas: HashSet<String> = HashSet::new();
    let mut plan: Option<OrderPlan> = None;
    let mut writes = Writes::default();
    let mut pages_taken = 0;
    let mut ends: VecDeque<PageEnd> = VecDeque::new();
    // Records taken into this pipeline: a record met again in a later page (changed while the run read) is
    // not done twice.
    let mut taken = SeenIds::default();
    let mut reading = Fuse::terminated();
    let mut read = Some(Ok(first));
    let mut read_error = None;

    let mut in_flight = FuturesUnordered::new();
    // Answers taken from `in_flight`, to be concluded at the top of the loop.
    let mut arrived: Vec<Sent> = Vec::new();
    // Answers that came before an earlier sale's, waiting to be concluded in order.
    let mut answered: BTreeMap<usize, Answered> = BTreeMap::new();
    let (mut prepared_count, mut concluded_count) = (0, 0);
    // The journal batch being written while answers come in.
    let mut writing = Fuse::terminated();
    // Numbers of the orders in flight: a second sale with one of them waits until it is booked.
    let mut sending: HashSet<String> = HashSet::new();
    let (mut stopping, mut first_halt, mut finished) = (false, None, false);
    // Journal work, done while the sales in flight, the batch being written and the next page's reading go on.
    macro_rules! alongside {
        ($work:expr, $writing:expr) => {
            alongside(
                $work,
                &mut in_flight,
                &mut arrived,
                &mut reading,
                &mut read,
                $writing,
            )
            .await??
        };
    }
    loop {
        for (index, prepared, answer) in arrived.drain(..) {
            // The answer is taken in at once, so its slot is free for the next sale and a twin sale sees the
            // booked order; the journal follows the sales' order.
            let Prepared {
                order,
                payload,
                marker,
                mut trail,
                sends,
            } = prepared;
            if sends {
                sending.remove(&order.number);
            }
            let result = match answer {
                Settled::Answered(hash, answer) => {
                    let current = plan.as_mut().expect("a plan before any answer");
                    trail.write(answer).map(|number| {
                        current.existing.insert(order.number.clone(), number.clone());
                        Verdict::written(Outcome::Created, number, hash)
                    })
                }
                Settled::Decided(result) => result,
            };
            stopping |= matches!(result, Err(Failure::Halt(_)));
            answered.insert(
                index,
                Answered {
                    meta: meta(&order, payload, marker),
                    result,
                    trail,
                },
            );
            while let Some(next) = answered.remove(&concluded_count) {
                concluded_count += 1;
                if let Some(halt) = run.conclude_later(next.meta, next.result, next.trail) {
                    first_halt = first_halt.or(Some(halt));
                }
            }
        }
        // Pages whose records are all journaled move the cursor, up to the first halt.
        while first_halt.is_none() && ends.front().is_some_and(|page| page.end <= concluded_count) {
            let page = ends.pop_front().expect("a finished page");
            if !writing.is_terminated() {
                let mut idle = Fuse::<futures::future::Ready<Result<(), RunError>>>::terminated();
                alongside!(&mut writing, &mut idle);
            }
            if let Some(batch) = run.take_batch() {
                alongside!(batch.write(journal), &mut writing);
            }
            if let Some(next) = page.next_cursor {
                alongside!(journal.set_cursor(next), &mut writing);
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
                    page_plan.adopt(plan.as_ref());
                    // Before the next page's look-up begins: what is written by now, it will see.
                    writes.settle(pages_taken, &mut page_plan.target);
                    pages_taken += 1;
                    if let (true, Some(from)) = (more && pages_left > 0, next_cursor) {
                        let needs = page_plan.needs().clone();
                        reading = read_page(ports, from, size, Some(needs)).boxed().fuse();
                    }
                    known.extend(page_plan.known);
                    made_from_afas.extend(page_plan.made_from_afas);
                    plan = Some(page_plan.target);
                    run.report.total_seen += orders.len() as u64;
                    queue.extend(
                        orders
                            .into_iter()
                            .filter(|order| !run.already_handled(&order.id) && taken.insert(&order.id)),
                    );
                    ends.push_back(PageEnd {
                        end: prepared_count + queue.len(),
                        next_cursor: next_cursor.filter(|_| from_cursor),
                    });
                }
            }
        }
        let current = plan.as_ref().expect("the first page is taken in at once");
        while !stopping && sending.len() < SEND_WINDOW {
            let Some(order) = queue.front().filter(|order| !sending.contains(&order.number)) else {
                break;
            };
            let marker = from_cursor.then_some(order.sync_marker);
            if alongside!(run.should_stop_before(marker), &mut writing) {
                stopping = true;
                break;
            }
            let order = queue.pop_front().expect("the front sale");
            let payload = JsonText::of(&order);
            let hash = content_hash_with(&payload, &settings_hash);
            // Nothing here waits for AFAS: the sale's writes start now and run with the others in flight.
            let step = match made_from_afas.contains(&order.id) {
                true => Ok(Step::Done(Verdict::skipped(MADE_FROM_AFAS))),
                false => prepare(
                    settings,
                    target,
                    current,
                    &mut writes,
                    &order,
                    known.get(&order.id),
                    hash,
                ),
            };
            let sends = matches!(step, Ok(Step::Send(..)));
            if sends {
                sending.insert(order.number.clone());
            }
            let prepared = Prepared {
                order,
                payload,
                marker,
                trail: Trail::default(),
                sends,
            };
            // Boxed: the future (the sale and the whole HTTP exchange's state) is kilobytes, and the set would
            // otherwise copy it by value into its task.
            in_flight.push(Box::pin(send(target, prepared_count, prepared, step)));
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
            done = in_flight.select_next_some() => arrived.push(done),
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

/// Does `work` (journal work: it needs a database connection) while the sales in flight, the journal batch
/// being written and the next page's reading go on. Left unpolled they could hold every connection of the pool
/// (SQLite's has 8; a sale's master-data claim holds one while its statement runs, and waits for the write lock
/// of the batch being written), and the work would wait for one forever. Fails when the batch does.
async fn alongside<W, S, R, B>(
    work: W,
    in_flight: &mut S,
    arrived: &mut Vec<Sent>,
    mut reading: &mut R,
    read: &mut Option<R::Output>,
    mut writing: &mut B,
) -> Result<W::Output, RunError>
where
    W: Future,
    S: futures::stream::FusedStream<Item = Sent> + Unpin,
    R: FusedFuture + Unpin,
    B: FusedFuture<Output = Result<(), RunError>> + Unpin,
{
    let work = work.fuse();
    futures::pin_mut!(work);
    loop {
        futures::select_biased! {
            output = work => return Ok(output),
            done = in_flight.select_next_some() => arrived.push(done),
            written = writing => written?,
            page = reading => *read = Some(page),
        }
    }
}

/// A sale whose answer is in, to be concluded in page order.
struct Answered {
    meta: RecordMeta,
    result: Result<Verdict, Failure>,
    trail: Trail,
}

/// A sale's index in the run, the sale, and how it ended.
type Sent = (usize, Prepared, Settled);

/// How a sale on its way ended.
enum Settled {
    /// Without an order sent: skipped, or failed (in preparing, or in a write its order needed).
    Decided(Result<Verdict, Failure>),
    /// AFAS's answer to its order, and the order's content hash.
    Answered(String, ConnectorResult<Written<String>>),
}

/// Waits for the writes the sale's order needs, then sends the order, if it has one to send.
async fn send<T: ErpTarget>(target: &T, index: usize, mut prepared: Prepared, step: Result<Step<'_>, Failure>) -> Sent {
    let settled = match step {
        Ok(Step::Done(verdict)) => Settled::Decided(Ok(verdict)),
        Err(failure) => Settled::Decided(Err(failure)),
        Ok(Step::Send(outgoing)) => match outgoing.ready(target, &prepared.order, &mut prepared.trail).await {
            Ok((draft, hash)) => Settled::Answered(hash, target.create_order(&draft).await),
            Err(failure) => Settled::Decided(Err(failure)),
        },
    };
    (index, prepared, settled)
}

/// A sale on its way: prepared, perhaps in flight.
struct Prepared {
    order: SourceOrder,
    /// The sale's JSON for the journal, made once (its content hash is taken from it too).
    payload: JsonText,
    marker: Option<i64>,
    trail: Trail,
    /// Whether an order is to be sent (its number is in flight until it ends).
    sends: bool,
}

fn meta(order: &SourceOrder, payload: JsonText, marker: Option<i64>) -> RecordMeta {
    let customer = order.customer.as_ref();
    let skus: BTreeSet<String> = order.lines.iter().map(|line| line.sku.clone()).collect();
    let keys = [
        Some(order.number.clone()),
        customer.and_then(|c| c.email.clone()),
        customer.and_then(customer_name),
    ];
    let meta = RecordMeta::with_payload(entity(order.kind), order.id.clone(), payload)
        .keys(keys.into_iter().chain(skus.into_iter().map(Some)))
        .at_marker(marker);
    // A quotation is no turnover: nothing to hold against the books.
    match order.kind {
        SourceDocumentKind::Quotation => meta,
        _ => meta.sale(TillTotals::of(order)),
    }
}
