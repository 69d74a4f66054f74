//! The adapters between the sync engine and the outside: [`MplusSource`] (the engine's `PosSource` over the
//! MplusKASSA client), [`AfasTarget`] (its `ErpTarget` over the AFAS client), [`ClientConnectors`] (opening
//! both for a tenant from its stored credentials), and the connection tests the set-up pages run.
//!
//! Every adapter call captures the exchanges its client made (module `capture`), so each `Written` and each
//! `ConnectorError` carries what was sent and what was answered, without secrets.

// `ConnectorError` is the engine's port error, returned by value like the ports return it; it carries the
// failed exchange, so it is large.
#![allow(clippy::result_large_err)]

mod afas_articles;
mod afas_bodies;
mod afas_changes;
mod afas_debtors;
mod afas_deliveries;
mod afas_lookups;
mod afas_prices;
mod afas_quotations;
mod afas_target;
pub(crate) mod afas_terms;
mod capture;
mod claims;
mod clients;
mod connection_test;
mod connectors;
mod errors;
mod mplus_articles;
mod mplus_ledger;
mod mplus_prices;
mod mplus_proposals;
mod mplus_records;
mod mplus_relations;
mod mplus_sales;
mod mplus_source;
mod mplus_terms;
mod run_cache;

pub use afas_lookups::{code_of, reference_list};
pub use afas_target::AfasTarget;
pub use capture::{afas_hook, mplus_hook};
pub use claims::CreateOnce;
pub use clients::{ClientOptions, afas_client, afas_environment, mplus_client};
pub use connection_test::{REQUIRED_GET_CONNECTORS, test_afas, test_mplus};
pub use connectors::ClientConnectors;
pub use mplus_source::MplusSource;
