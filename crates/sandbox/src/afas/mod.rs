//! The AFAS Profit REST simulator (`/ProfitRestServices/...`): token auth, GetConnectors with Profit's
//! paging, sorting and filtering, UpdateConnectors validated against the official schemas and Profit's
//! business rules, metainfo, and `/_sandbox/` controls for tests, demos and benchmarks.
//!
//! Module map: `guard` (query length, IP allow-list, token, concurrency), `api` (the Profit endpoints),
//! `get_connectors` (reads; its module comment lists every GetConnector's field ids), `update` (writes),
//! `schema` (body validation), `metainfo`, `catalog` (GetConnector definitions), `store` / `table` / `views`
//! (data), `seed` (start data), `faults` (injected failures), `controls` (the `/_sandbox/` endpoints).

mod api;
mod arithmetic;
pub mod catalog;
mod controls;
mod error;
mod faults;
mod fields;
mod get_connectors;
mod guard;
mod metainfo;
pub mod seed;
mod store;
mod table;
mod update;
mod views;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};

pub use self::error::AfasError;
pub(crate) use self::guard::token_data;
use self::store::Store;
use crate::SandboxConfig;
use crate::control::{self, Control, HasControl};
use crate::shops::{self, Shops};

/// Profit's limit on simultaneous requests, applied when switched on through `/_sandbox/concurrency-limit`.
pub const AFAS_CONCURRENCY_LIMIT: usize = 8;

/// Access rules set through the controls; all off by default.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Only these client addresses get in (others: 403).
    pub ip_allow_list: Option<Vec<IpAddr>>,
    /// The connectors the token may use (others: 401).
    pub allowed_connectors: Option<BTreeSet<String>>,
    pub concurrency_limit: Option<usize>,
    /// Rows of a request without `orderbyfieldids` come in a random order (Profit guarantees no order then),
    /// which exposes clients that page without sorting.
    pub shuffle_unsorted: bool,
}

/// One shop's Profit administration: its data, access rules and control plane.
#[derive(Clone)]
pub struct AfasState {
    shared: Arc<Shared>,
}

struct Shared {
    config: SandboxConfig,
    seed: RwLock<u64>,
    control: Control,
    store: RwLock<Store>,
    access: RwLock<Access>,
    in_flight: AtomicUsize,
}

impl AfasState {
    pub fn new(config: &SandboxConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                config: config.clone(),
                seed: RwLock::new(config.seed),
                control: Control::new(),
                store: RwLock::new(seed::seeded_store(config.seed)),
                access: RwLock::new(Access::default()),
                in_flight: AtomicUsize::new(0),
            }),
        }
    }

    fn store(&self) -> RwLockReadGuard<'_, Store> {
        self.shared.store.read().expect("store lock")
    }

    fn store_mut(&self) -> RwLockWriteGuard<'_, Store> {
        self.shared.store.write().expect("store lock")
    }

    fn access(&self) -> RwLockReadGuard<'_, Access> {
        self.shared.access.read().expect("access lock")
    }

    fn access_mut(&self) -> RwLockWriteGuard<'_, Access> {
        self.shared.access.write().expect("access lock")
    }

    /// Reseeds the data (with `seed`, or the current one) and forgets journal, faults, latency and access rules.
    fn reset(&self, seed: Option<u64>) {
        let seed = {
            let mut current = self.shared.seed.write().expect("seed lock");
            *current = seed.unwrap_or(*current);
            *current
        };
        *self.store_mut() = seed::seeded_store(seed);
        *self.access_mut() = Access::default();
        self.shared.control.reset();
    }
}

impl HasControl for AfasState {
    fn control(&self) -> &Control {
        &self.shared.control
    }
}

/// The simulator: the Profit API under `/ProfitRestServices/` (journaled, guarded) in the shop the token
/// reaches, and the `/_sandbox/` controls of the default shop or the one named by `?shop=`.
pub fn router(shops: &Shops) -> Router {
    let profit = api::routes()
        .layer(from_fn(guard::guard))
        .layer(from_fn(control::journal_layer::<AfasState>))
        .layer(from_fn_with_state(shops.clone(), shops::by_afas_token));
    let controls = control::routes::<AfasState>()
        .merge(controls::routes())
        .layer(from_fn_with_state(shops.clone(), shops::by_shop_parameter));
    Router::new().merge(profit).merge(controls)
}
