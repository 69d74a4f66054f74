//! Typed client for the AFAS Profit REST App connector.
//!
//! Everything about the wire lives here so the sync engine speaks in domain types:
//! - [`Environment`] gives the base URL (production/test/accept) or points at a sandbox.
//! - [`AfasToken`] takes the token as full XML or as its data part; it is never logged.
//! - [`AfasClient`] reads GetConnectors ([`GetQuery`], [`Filter`]) with mandatory sorting and paging, splits
//!   many-key look-ups below the 2049-character query limit, and writes the UpdateConnectors in [`update`].
//! - Every call is limited to 8 in flight per environment across the process, retried with back-off when
//!   that is safe ([`RetryPolicy`]), measured with `metrics`, and reported to an [`ExchangeHook`].
//! - Clients built with the same timeouts and language share one HTTP client and its connections.

mod client;
mod decimal;
mod environment;
mod error;
mod exchange;
mod filter;
mod get;
mod http;
mod limiter;
mod retry;
pub mod rows;
pub mod schema;
mod token;
mod transport;
pub mod update;

pub use client::{AfasClient, AfasClientBuilder, ConnectionReport};
pub use environment::{Environment, EnvironmentType};
pub use error::AfasError;
pub use exchange::{Exchange, ExchangeHook};
pub use filter::{Condition, Filter, Operator};
pub use get::{GetPage, GetQuery, MAX_QUERY_STRING_LEN, flatten_pages};
pub use limiter::MAX_CONCURRENT_REQUESTS;
pub use retry::RetryPolicy;
pub use token::AfasToken;
pub use update::UpdateResult;
