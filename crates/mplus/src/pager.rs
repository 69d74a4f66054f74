//! Sync-marker paging: MplusKASSA's only paging. Ask for items with marker ≥ m (at most `limit`), continue at
//! the highest marker seen + 1, and stop at a short page. Each page carries the marker to store once the page
//! is processed, so a crash never skips items.

use std::future::Future;

use futures::{Stream, stream};

use crate::model::{ArticleGroup, Employee, Invoice, Order, Product, Proposal, Receipt, Relation};
use crate::operations::{DocumentFilter, ProductFilter};
use crate::{MplusClient, MplusError};

/// Anything read by sync marker.
pub trait SyncItem {
    fn sync_marker(&self) -> Option<i64>;

    /// How much of the limit the item uses (`getProducts` counts articles, not products).
    fn weight(&self) -> usize {
        1
    }
}

/// One page of items, with the marker to resume from after it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncPage<T> {
    pub items: Vec<T>,
    /// The highest marker in the page + 1: store it as the cursor once the page is handled.
    pub next_marker: i64,
}

/// Pages from `from_marker` on, `limit` at a time, fetched with `fetch(marker, limit)` as the stream is polled.
pub fn sync_pages<T, F, Fut>(
    from_marker: i64,
    limit: u32,
    fetch: F,
) -> impl Stream<Item = Result<SyncPage<T>, MplusError>>
where
    T: SyncItem,
    F: Fn(i64, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, MplusError>>,
{
    let limit = limit.max(1);
    stream::try_unfold((Some(from_marker), fetch), move |(next, fetch)| async move {
        let Some(marker) = next else {
            return Ok(None);
        };
        let items = fetch(marker, limit).await?;
        let Some(highest) = items.iter().filter_map(SyncItem::sync_marker).max() else {
            return Ok(None);
        };
        let next_marker = (highest + 1).max(marker);
        let weight: usize = items.iter().map(SyncItem::weight).sum();
        // A short page means nothing newer exists now; a page that did not advance would repeat forever.
        let more = weight >= limit as usize && next_marker > marker;
        let page = SyncPage { items, next_marker };
        Ok(Some((page, (more.then_some(next_marker), fetch))))
    })
}

macro_rules! sync_item {
    ($($type:ty),*) => {$(
        impl SyncItem for $type {
            fn sync_marker(&self) -> Option<i64> {
                self.sync_marker
            }
        }
    )*};
}

sync_item!(Order, Invoice, Proposal, Receipt, Relation, Employee, ArticleGroup);

impl SyncItem for Product {
    fn sync_marker(&self) -> Option<i64> {
        self.sync_marker
            .or_else(|| self.article_list.iter().filter_map(|a| a.sync_marker).max())
    }

    fn weight(&self) -> usize {
        self.article_list.len().max(1)
    }
}

impl MplusClient {
    /// Orders in pages from `from_marker`.
    pub fn order_pages(
        &self,
        filter: DocumentFilter,
        from_marker: i64,
        limit: u32,
    ) -> impl Stream<Item = Result<SyncPage<Order>, MplusError>> + '_ {
        sync_pages(from_marker, limit, move |marker, limit| {
            let filter = filter.clone();
            async move { self.get_orders(&filter, marker, limit).await }
        })
    }

    /// Invoices in pages from `from_marker`.
    pub fn invoice_pages(
        &self,
        filter: DocumentFilter,
        from_marker: i64,
        limit: u32,
    ) -> impl Stream<Item = Result<SyncPage<Invoice>, MplusError>> + '_ {
        sync_pages(from_marker, limit, move |marker, limit| {
            let filter = filter.clone();
            async move { self.get_invoices(&filter, marker, limit).await }
        })
    }

    /// Proposals in pages from `from_marker`.
    pub fn proposal_pages(
        &self,
        filter: DocumentFilter,
        from_marker: i64,
        limit: u32,
    ) -> impl Stream<Item = Result<SyncPage<Proposal>, MplusError>> + '_ {
        sync_pages(from_marker, limit, move |marker, limit| {
            let filter = filter.clone();
            async move { self.get_proposals(&filter, marker, limit).await }
        })
    }

    /// Receipts in pages from `from_marker`.
    pub fn receipt_pages(
        &self,
        filter: DocumentFilter,
        from_marker: i64,
        limit: u32,
    ) -> impl Stream<Item = Result<SyncPage<Receipt>, MplusError>> + '_ {
        sync_pages(from_marker, limit, move |marker, limit| {
            let filter = filter.clone();
            async move { self.get_receipts(&filter, marker, limit).await }
        })
    }

    /// Relations in pages from `from_marker`.
    pub fn relation_pages(
        &self,
        from_marker: i64,
        limit: u32,
    ) -> impl Stream<Item = Result<SyncPage<Relation>, MplusError>> + '_ {
        sync_pages(from_marker, limit, move |marker, limit| {
            self.get_relations(&[], marker, limit)
        })
    }

    /// Products in pages from `from_marker` (`limit` counts articles).
    pub fn product_pages(
        &self,
        filter: ProductFilter,
        from_marker: i64,
        limit: u32,
    ) -> impl Stream<Item = Result<SyncPage<Product>, MplusError>> + '_ {
        sync_pages(from_marker, limit, move |marker, limit| {
            let filter = filter.clone();
            async move { self.get_products(&filter, marker, limit).await }
        })
    }

    /// Article groups in pages from `from_marker`.
    pub fn article_group_pages(
        &self,
        from_marker: i64,
        limit: u32,
    ) -> impl Stream<Item = Result<SyncPage<ArticleGroup>, MplusError>> + '_ {
        sync_pages(from_marker, limit, move |marker, limit| {
            self.get_article_groups(marker, limit)
        })
    }

    /// Employees in pages from `from_marker`.
    pub fn employee_pages(
        &self,
        from_marker: i64,
        limit: u32,
    ) -> impl Stream<Item = Result<SyncPage<Employee>, MplusError>> + '_ {
        sync_pages(from_marker, limit, move |marker, limit| {
            self.get_employees(&[], marker, limit)
        })
    }
}

#[cfg(test)]
mod tests {
    use futures::TryStreamExt;

    use super::*;

    struct Item(i64);

    impl SyncItem for Item {
        fn sync_marker(&self) -> Option<i64> {
            Some(self.0)
        }
    }

    #[tokio::test]
    async fn pages_continue_after_the_highest_marker_and_stop_at_a_short_page() {
        let markers = [3, 4, 7, 9, 10];
        let calls = std::sync::Mutex::new(Vec::new());
        let pages: Vec<SyncPage<Item>> = sync_pages(1, 2, |from, limit| {
            calls.lock().unwrap().push(from);
            let items = markers
                .iter()
                .filter(|m| **m >= from)
                .take(limit as usize)
                .map(|m| Item(*m))
                .collect();
            async move { Ok(items) }
        })
        .try_collect()
        .await
        .unwrap();
        let seen: Vec<Vec<i64>> = pages.iter().map(|p| p.items.iter().map(|i| i.0).collect()).collect();
        assert_eq!(seen, vec![vec![3, 4], vec![7, 9], vec![10]]);
        assert_eq!(pages.last().unwrap().next_marker, 11);
        assert_eq!(*calls.lock().unwrap(), vec![1, 5, 10]);
    }
}
