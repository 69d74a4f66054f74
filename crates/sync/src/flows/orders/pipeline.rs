//! The orders flow as one pipeline across pages: sales prepared in order, their orders sent up to
//! [`SEND_WINDOW`] at a time, the answers concluded in order and journaled in batches, the cursor saved per
//! page.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use futures::future::{Fuse, FusedFuture};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use super::plan::{Needs, OrderPlan, PagePlan};
use super::prepare::{Step, entity, prepare};
use crate::engine::{Run, RunError};
use crate::flows::debtors::customer_name;
use crate::model::{SourceDocumentKind, SourceOrder};
use crate::ports::{ConnectorResult, ErpTarget, IdMapEntry, Journal, JsonText, Outcome, PosSource, Written};
use crate::record::{Failure, RecordMeta, Trail, Verdict, content_hash, content_hash_with};
use crate::sales::TillTotals;
use crate::settings::FlowSettings;

/// Orders in flight at most: AFAS allows 8 concurrent requests per token, and the order is the one write
/// every sale makes, so keeping 8 of them in flight is what brings a run near the time its calls alone take.
pub const SEND_WINDOW: usize = 8;

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
    loop {
        for (index, prepared, answer) in arrived.drain(..) {
            // The answer is taken in at once, so its slot is free for the next sale and a twin sale sees the
            // booked order; the journal follows the sales' order.
            let Prepared {
                order,
                payload,
                marker,
                step,
                mut trail,
            } = prepared;
            let result = match (step, answer) {
                (Ok(Step::Send(_, hash)), Some(answer)) => {
                    sending.remove(&order.number);
                    let current = plan.as_mut().expect("a plan before any answer");
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
            // The next page's reading, the orders in flight and the journal batch being written go on
            // meanwhile. The first two hold some of the client's 8 permits while their requests are out, which
            // AFAS shares with every other run of this environment in the process, and this sale's debtor or
            // article write could otherwise wait for them forever (two runs preparing at once, each holding
            // permits in unpolled requests).
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
                        done = in_flight.select_next_some() => arrived.push(done),
                        // A journal batch being written holds SQLite's write lock until it commits: left
                        // unpolled, this sale's own writes (a master-data claim) would wait for it forever.
                        written = writing => written?,
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
        if !arrived.is_empty() {
            // Answers came in while preparing: conclude them (freeing their slots) before waiting again.
            continue;
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

/// A sale whose answer is in, to be concluded in page order.
struct Answered {
    meta: RecordMeta,
    result: Result<Verdict, Failure>,
    trail: Trail,
}

/// A sale's index in the run, the sale, and AFAS's answer when it was sent.
type Sent = (usize, Prepared, Option<ConnectorResult<Written<String>>>);

/// Sends the prepared order, if it has one to send.
async fn send<T: ErpTarget>(target: &T, index: usize, prepared: Prepared) -> Sent {
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
