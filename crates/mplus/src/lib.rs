//! Typed client for the MplusKASSA SOAP API ("MplusQapi", SOAP 1.1 document/literal, namespace
//! `urn:mplusqapi`).
//!
//! - [`MplusConfig`] holds host, port, `ident` and `secret` (sent as query parameters, never logged).
//! - Requests are typed structs serialised in the WSDL's element order; responses are parsed with quick-xml
//!   into types where cents are [`rust_decimal::Decimal`]s, scaled quantities are exact decimals and
//!   `{day, mon, year}` structures are [`chrono::NaiveDate`]s.
//! - [`MplusError`] tells SOAP Client faults (permanent) from Server faults and transport errors (transient)
//!   and from business results (`...-ALREADY-EXISTS`, `...-NOT-FOUND`, `...-FAILED`).
//! - [`sync_pages`] turns any sync-marker read into a stream of pages.
//! - Every call is measured with `metrics` and reported to an [`ExchangeHook`] without the credentials.
//! - Clients built with the same timeouts share one HTTP client and its connections.

mod client;
mod config;
mod error;
mod exchange;
mod http;
pub mod model;
mod operations;
mod pager;
mod soap;
mod wire;
mod xml_de;

pub use client::{MplusClient, MplusClientBuilder};
pub use config::MplusConfig;
pub use error::{BusinessOutcome, MplusError};
pub use exchange::{Exchange, ExchangeHook};
pub use model::{CustomField, CustomFieldList, CustomFieldLists, CustomFieldType};
pub use operations::{
    ArticleWrite, ArticleWriteList, DocumentFilter, PriceGroupWrite, PriceGroupWriteList, ProductFilter, ProductWrite,
    create_product_request, update_product_request,
};
pub use operations::{
    ProposalWrite, SavedProposal, create_relation_request, deliver_order_request, deliver_order_v2_request,
    save_proposal_request, update_relation_request,
};
pub use operations::{
    add_products_to_article_group_request, delete_products_from_article_group_request, new_article_group_request,
    update_article_group_request,
};
pub use pager::{SyncItem, SyncPage, sync_pages};
pub use soap::{NAMESPACE, envelope};
