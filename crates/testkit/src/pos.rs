//! A MplusKASSA in memory: orders, customers, articles, stock and the financial journal a test puts in it.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::NaiveDate;
use koppel_sync::ledger::FinancialDay;
use koppel_sync::model::{SourceArticle, SourceCustomer, SourceDocumentKind, SourceOrder, StockLevel};
use koppel_sync::ports::{ConnectorResult, PosSource};

use crate::*;

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
