//! The four flows. Each reads a page of source records, plans its batched look-ups, and concludes every
//! record through the engine's [`Run`].

pub mod customers;
pub mod debtors;
pub mod orders;
pub mod products;
pub mod stock;

use koppel_core::FlowKind;

use crate::engine::{Run, RunError};
use crate::model::{SourceArticle, SourceCustomer};
use crate::ports::{ConnectorResult, ErpTarget, Journal, PosSource};

/// One page of records read from the cursor (orders run as one pipeline across pages: [`orders::run_pages`]).
pub(crate) enum Page {
    Customers(Vec<SourceCustomer>),
    Articles(Vec<SourceArticle>),
}

impl Page {
    pub async fn fetch<S: PosSource>(flow: FlowKind, source: &S, from: i64, limit: usize) -> ConnectorResult<Page> {
        Ok(match flow {
            FlowKind::Customers => Page::Customers(source.customers_since(from, limit).await?),
            FlowKind::Products => Page::Articles(source.articles_since(from, limit).await?),
            FlowKind::Orders | FlowKind::Stock => unreachable!("{flow} has no page of its own"),
        })
    }

    pub fn len(&self) -> usize {
        match self {
            Page::Customers(records) => records.len(),
            Page::Articles(records) => records.len(),
        }
    }

    /// One past the highest sync marker; `None` for an empty page.
    pub fn next_cursor(&self) -> Option<i64> {
        let highest = match self {
            Page::Customers(records) => records.iter().filter_map(|r| r.sync_marker).max(),
            Page::Articles(records) => records.iter().map(|r| r.sync_marker).max(),
        };
        highest.map(|marker| marker + 1)
    }
}

pub(crate) async fn run_page<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    page: Page,
) -> Result<(), RunError> {
    match page {
        Page::Customers(customers) => customers::run_page(run, customers).await,
        Page::Articles(articles) => products::run_page(run, articles).await,
    }
}

/// Fetches one record fresh and runs it as a page of one (the dashboard's "retry this record").
pub(crate) async fn retry_one<S: PosSource, T: ErpTarget, J: Journal>(
    run: &mut Run<'_, S, T, J>,
    source_id: &str,
) -> Result<(), RunError> {
    match run.flow {
        FlowKind::Orders => orders::retry(run, &[source_id.to_owned()]).await,
        FlowKind::Customers => {
            let customer = run.source.customer(source_id).await?;
            run.report.total_seen += u64::from(customer.is_some());
            customers::run_page(run, customer.into_iter().collect()).await
        }
        FlowKind::Products => {
            let article = run.source.article(source_id).await?;
            run.report.total_seen += u64::from(article.is_some());
            products::run_page(run, article.into_iter().collect()).await
        }
        FlowKind::Stock => {
            let levels = run.source.stock(run.settings.stock_branch.as_deref()).await?;
            let level: Vec<_> = levels.into_iter().filter(|level| level.sku == source_id).collect();
            run.report.total_seen += level.len() as u64;
            stock::run_page(run, level).await
        }
    }
}
