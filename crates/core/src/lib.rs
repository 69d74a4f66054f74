//! Koppel's domain vocabulary, shared by every other crate: identifiers, roles, and the rules for the
//! values people type in (e-mail addresses, passwords, company names).

pub mod account;
pub mod flow;
pub mod ids;
pub mod role;

pub use account::{Email, FieldError, validate_company, validate_new_password};
pub use flow::{Direction, FlowKind};
pub use ids::{SessionId, TenantId, UserId};
pub use role::Role;

/// How long a new tenant's trial lasts.
pub const TRIAL_DAYS: i64 = 14;
