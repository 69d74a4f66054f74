//! The flows. Each reads a page of source records, plans its batched look-ups, and concludes every
//! record through the engine's [`Run`].

pub mod articles;
pub mod customers;
pub mod debtors;
pub mod discounts;
pub mod financial_journal;
pub mod order_status;
pub mod orders;
pub mod prices;
pub mod products;
pub mod proposals;
pub mod relations;
pub mod stock;

use std::collections::HashSet;
use std::future::Future;

use koppel_core::{Direction, FlowKind};

use crate::catalogue::ErpArticle;
use crate::clientele::ErpDebtor;
use crate::deliveries::ErpOrderState;
use crate::engine::{Run, RunError};
use crate::model::{SourceArticle, SourceCustomer};
use crate::ports::{ConnectorResult, ErpTarget, Journal, PosSource};
use crate::proposals::ErpQuotation;
use crate::record::{RecordMeta, Trail, Verdict};
use crate::settings::FlowSettings;

/// One page of records read from the cursor (orders run as one pipeline across pages: [`orders::run_pages`]).
pub(crate) enum Page {
    Customers(Vec<SourceCustomer>),
    Articles(Vec<SourceArticle>),
    /// AFAS's articles, for the till.
    ErpArticles(Vec<ErpArticle>),
    /// AFAS's debtors, for the till.
    ErpDebtors(Vec<ErpDebtor>),
    /// AFAS's delivered sales orders, for the till's orders.
    ErpOrderStates(Vec<ErpOrderState>),
    /// AFAS's quotations, for the till's proposals.
    ErpQuotations(Vec<ErpQuotation>),
}

impl Page {
    pub async fn fetch<S: PosSource, T: ErpTarget>(
        flow: FlowKind,
        settings: &FlowSettings,
        (source, target): (&S, &T),
        from: i64,
        limit: usize,
    ) -> ConnectorResult<Page> {
        Ok(match flow {
            FlowKind::Customers => Page::Customers(source.customers_since(from, limit).await?),
            FlowKind::Products => Page::Articles(source.articles_since(from, limit).await?),
            FlowKind::Articles => {
                let filter = &settings.afas_article_filter;
                Page::ErpArticles(target.erp_articles_since(filter, from, limit).await?)
            }
            FlowKind::Debtors => Page::ErpDebtors(target.erp_debtors_since(from, limit).await?),
            FlowKind::OrderStatus => Page::ErpOrderStates(target.erp_delivered_orders_since(from, limit).await?),
            FlowKind::Quotations if settings.quotations_to_till(flow) => {
                Page::ErpQuotations(target.erp_quotations_since(from, limit).await?)
            }
            FlowKind::Orders
            | FlowKind::Receipts
            | FlowKind::Quotations
            | FlowKind::FinancialJournal
            | FlowKind::Stock
            | FlowKind::Prices
            | FlowKind::Discounts => {
                unreachable!("{flow} has no page of its own")
            }
        })
    }

    pub fn len(&self) -> usize {
        match self {
            Page::Customers(records) => records.len(),
            Page::Articles(records) => records.len(),
            Page::ErpArticles(records) => records.len(),
            Page::ErpDebtors(records) => records.len(),
            Page::ErpOrderStates(records) => records.len(),
            Page::ErpQuotations(records) => records.len(),
        }
    }

    /// Where the next page starts: one past the highest sync marker; `None` for an empty page. AFAS's markers
    /// are modification times in seconds, so the last page stops *at* its last second instead: something AFAS
    /// changes later in that same second is then read by the next run, not missed.
    pub fn next_cursor(&self, full: bool) -> Option<i64> {
        let highest = match self {
            Page::Customers(records) => records.iter().filter_map(|r| r.sync_marker).max(),
            Page::Articles(records) => records.iter().map(|r| r.sync_marker).max(),
            Page::ErpArticles(records) => return at_second(records.iter().map(ErpArticle::sync_marker), full),
            Page::ErpDebtors(records) => return at_second(records.iter().map(ErpDebtor::sync_marker), full),
            Page::ErpOrderStates(records) => {
                return at_second(records.iter().map(ErpOrderState::sync_marker), full);
            }
            Page::ErpQuotations(records) => return at_second(records.iter().map(ErpQuotation::sync_marker), full),
        };
        highest.map(|marker| marker + 1)
    }
}

/// The cursor after a page of AFAS records (markers in seconds): one past its last second when the page is
/// full (it never splits a second), else at its last second.
fn at_second(markers: impl Iterator<Item = i64>, full: bool) -> Option<i64> {
    markers.max().map(|marker| if full { marker + 1 } else { marker })
}

/// Why an AFAS → MplusKASSA record is left alone: the till has it as AFAS does.
pub(crate) const UNCHANGED: &str = "MplusKASSA already has it";

/// Whether a record read from AFAS was journaled by the run before this one: a run starts by reading again
/// the second its cursor stopped at (a change AFAS made later in that second would otherwise be missed), and
/// what that second held and the till already has needs no second entry.
pub(crate) fn seen_last_run(
    resumed_at: Option<i64>,
    marker: i64,
    result: &Result<Verdict, crate::record::Failure>,
) -> bool {
    resumed_at == Some(marker) && matches!(result, Ok(verdict) if verdict.reason.as_deref() == Some(UNCHANGED))
}

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    page: Page,
) -> Result<(), RunError> {
    match page {
        Page::Customers(customers) => customers::run_page(run, customers).await,
        Page::Articles(articles) => products::run_page(run, articles).await,
        Page::ErpArticles(articles) => articles::run_page(run, articles).await,
        Page::ErpDebtors(debtors) => relations::run_page(run, debtors).await,
        Page::ErpOrderStates(states) => order_status::run_page(run, states).await,
        Page::ErpQuotations(quotations) => proposals::run_page(run, quotations).await,
    }
}

/// Fetches these records fresh and runs them as one page, outside the cursor: the automatic retries at a
/// run's start and the dashboard's "retry". A record the source no longer has is journaled as skipped, so
/// nothing waits for it any more.
pub(crate) async fn retry<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    source_ids: &[String],
) -> Result<(), RunError> {
    let (source, entity) = (run.source, entity(run.flow));
    let mut gone = Vec::new();
    match run.flow {
        FlowKind::Quotations if run.settings.quotations_to_till(run.flow) => {
            let target = run.target;
            let (found, missing) = fetch_each(source_ids, |id| target.erp_quotation(id)).await?;
            gone = missing;
            run.report.total_seen += found.len() as u64;
            proposals::run_page(run, found).await?;
        }
        FlowKind::Orders | FlowKind::Receipts | FlowKind::Quotations => return orders::retry(run, source_ids).await,
        FlowKind::FinancialJournal => return financial_journal::retry(run, source_ids).await,
        // Read fresh for these articles; one AFAS no longer prices and the till has no price for is simply not
        // met again (nothing waits for it).
        FlowKind::Prices => return Box::pin(prices::run(run, Some(source_ids), None)).await,
        FlowKind::Discounts => return Box::pin(discounts::run(run, Some(source_ids), None)).await,
        FlowKind::Customers => {
            let (found, missing) = fetch_each(source_ids, |id| source.customer(id)).await?;
            gone = missing;
            run.report.total_seen += found.len() as u64;
            customers::run_page(run, found).await?;
        }
        FlowKind::Products => {
            let (found, missing) = fetch_each(source_ids, |id| source.article(id)).await?;
            gone = missing;
            run.report.total_seen += found.len() as u64;
            products::run_page(run, found).await?;
        }
        FlowKind::Articles => {
            let (target, filter) = (run.target, &run.settings.afas_article_filter);
            let (found, missing) = fetch_each(source_ids, |id| target.erp_article(filter, id)).await?;
            gone = missing;
            run.report.total_seen += found.len() as u64;
            articles::run_page(run, found).await?;
        }
        FlowKind::Debtors => {
            let target = run.target;
            let (found, missing) = fetch_each(source_ids, |id| target.erp_debtor(id)).await?;
            gone = missing;
            run.report.total_seen += found.len() as u64;
            relations::run_page(run, found).await?;
        }
        FlowKind::OrderStatus => {
            let target = run.target;
            let (found, missing) = fetch_each(source_ids, |id| target.erp_order_state(id)).await?;
            gone = missing;
            run.report.total_seen += found.len() as u64;
            order_status::run_page(run, found).await?;
        }
        FlowKind::Stock => {
            let levels = source.stock(run.settings.company.stock_branch.as_deref()).await?;
            let wanted: HashSet<&String> = source_ids.iter().collect();
            let levels: Vec<_> = levels.into_iter().filter(|level| wanted.contains(&level.sku)).collect();
            gone.extend(
                source_ids
                    .iter()
                    .filter(|id| !levels.iter().any(|level| &level.sku == *id)),
            );
            run.report.total_seen += levels.len() as u64;
            stock::run_page(run, levels).await?;
        }
    }
    let gone_reason = match run.settings.direction(run.flow) {
        Direction::MplusToAfas => GONE,
        Direction::AfasToMplus => GONE_FROM_AFAS,
    };
    for id in gone {
        let meta = RecordMeta::new(entity, id.clone(), &serde_json::Value::Null);
        run.conclude(meta, Ok(Verdict::skipped(gone_reason)), Trail::default())
            .await?;
    }
    Ok(())
}

/// Each record fetched fresh, and the ids the source no longer has.
async fn fetch_each<'a, T, Fetch>(
    ids: &'a [String],
    fetch: impl Fn(&'a str) -> Fetch,
) -> Result<(Vec<T>, Vec<&'a String>), RunError>
where
    Fetch: Future<Output = ConnectorResult<Option<T>>>,
{
    let (mut found, mut gone) = (Vec::new(), Vec::new());
    for id in ids {
        match fetch(id).await? {
            Some(record) => found.push(record),
            None => gone.push(id),
        }
    }
    Ok((found, gone))
}

/// Why a record retried is skipped when the source no longer has it.
pub(crate) const GONE: &str = "no longer exists in MplusKASSA";
const GONE_FROM_AFAS: &str = "no longer exists in AFAS, or the flow's filter leaves it out";

/// The journal's entity of a flow's records (orders name theirs by document type).
fn entity(flow: FlowKind) -> &'static str {
    match flow {
        FlowKind::Orders => "order",
        FlowKind::Receipts => "receipt",
        FlowKind::Quotations => "quotation",
        FlowKind::FinancialJournal => financial_journal::ENTITY,
        FlowKind::Customers => "customer",
        FlowKind::Products => "article",
        FlowKind::Stock => "stock",
        FlowKind::Articles => articles::ENTITY,
        FlowKind::Prices => prices::ENTITY,
        FlowKind::Discounts => discounts::ENTITY,
        FlowKind::Debtors => relations::ENTITY,
        FlowKind::OrderStatus => order_status::ENTITY,
    }
}
