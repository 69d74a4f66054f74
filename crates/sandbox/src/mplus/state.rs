//! The simulator's mutable state: the seeded shop plus everything changed since, per entity family, with the
//! sync-marker counters. Handlers take it through [`MplusState`].

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{NaiveDateTime, Utc};

use super::article_groups::ArticleGroups;
use super::orders::OrderBook;
use super::products::Catalogue;
use super::receipts::ReceiptBook;
use super::relations::RelationBook;
use super::seed::{self, Shop};
use super::stock::StockBook;
use super::sync::SyncMarkers;
use crate::control::{Control, HasControl};

/// Everything the SOAP operations read and change.
#[derive(Debug)]
pub struct Store {
    pub shop: Arc<Shop>,
    pub markers: SyncMarkers,
    pub orders: OrderBook,
    pub receipts: ReceiptBook,
    pub relations: RelationBook,
    pub catalogue: Catalogue,
    pub article_groups: ArticleGroups,
    pub stock: StockBook,
}

impl Store {
    pub fn new(seed: u64, orders: usize) -> Self {
        let shop = Arc::new(seed::generate(seed, orders));
        let catalogue = Catalogue::new(&shop);
        let article_groups = ArticleGroups::new(&shop);
        let relations = RelationBook::new(&shop);
        let stock = StockBook::new(&shop);
        let orders = OrderBook::new(&shop);
        let receipts = ReceiptBook::new(&shop);
        let markers = SyncMarkers {
            article: catalogue.high_marker(),
            article_group: article_groups.high_marker(),
            relation: relations.high_marker(),
            employee: shop.employees.len() as i64,
            invoice: orders.high_invoice_marker(),
            receipt: receipts.high_marker(),
            order: shop.order_count() as i64,
            proposal: shop.proposals.len() as i64,
            stock_id: stock.high_stock_id(),
        };
        Self {
            shop,
            markers,
            orders,
            receipts,
            relations,
            catalogue,
            article_groups,
            stock,
        }
    }
}

/// The backend's clock: Europe/Amsterdam wall-clock time (CET, or CEST in summer).
pub fn now() -> NaiveDateTime {
    let utc = Utc::now().naive_utc();
    let winter = utc + chrono::Duration::hours(1);
    if super::model::is_eu_summer_time(winter) {
        utc + chrono::Duration::hours(2)
    } else {
        winter
    }
}

/// One shop's till: the store, the seed it was made from (for resets), the credentials it accepts, and the
/// control plane.
#[derive(Debug, Clone)]
pub struct MplusState {
    store: Arc<RwLock<Store>>,
    pub control: Arc<Control>,
    pub ident: Arc<str>,
    pub secret: Arc<str>,
    seed: u64,
    orders: usize,
}

impl MplusState {
    pub fn new(config: &crate::SandboxConfig) -> Self {
        Self {
            store: Arc::new(RwLock::new(Store::new(config.seed, config.orders))),
            control: Arc::new(Control::new()),
            ident: config.mplus_ident.as_str().into(),
            secret: config.mplus_secret.as_str().into(),
            seed: config.seed,
            orders: config.orders,
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Regenerates the shop (with the configured seed and size unless given) and forgets the control state.
    pub fn reset(&self, seed: Option<u64>, orders: Option<usize>) {
        let fresh = Store::new(seed.unwrap_or(self.seed), orders.unwrap_or(self.orders));
        *self.write() = fresh;
        self.control.reset();
    }
}

impl HasControl for MplusState {
    fn control(&self) -> &Control {
        &self.control
    }
}
