//! The point-of-sale source (MplusKASSA): the records it lists by sync marker and the ones it reads by key.

use std::future::Future;

use chrono::NaiveDate;

use super::*;
use crate::ledger::FinancialDay;
use crate::model::{SourceArticle, SourceCustomer, SourceDocumentKind, SourceOrder, StockLevel};

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
