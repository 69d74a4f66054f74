//! Koppel's database layer. One API over SQLite (the embedded default) and PostgreSQL (production and
//! scale-out): [`Db`] holds whichever pool is live and every repository function runs the same SQL text
//! on it. Tenant-owned data is only reachable through a [`TenantScope`], which can only be obtained by
//! proving membership, so a query can never forget the tenant.

pub mod accounts;
pub mod activity;
pub mod alerts;
pub mod audit;
pub mod backup;
pub mod claims;
pub mod company_settings;
pub mod connections;
mod db;
mod error;
pub mod flows;
pub mod health;
pub mod invitations;
pub mod journal;
pub mod password_resets;
pub mod retention;
pub mod retries;
pub mod rotation;
pub mod runs;
pub mod sales;
pub mod secrets;
pub mod setup;
pub mod signup_requests;
pub mod staff;
pub mod sync_state;
pub mod tenants;
pub mod test_support;

pub use db::{Backend, Db, run_sqlite_migrations};
pub use error::StoreError;
pub use tenants::TenantScope;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The current time at the precision both databases keep (microseconds), so a value read back equals the
/// value written.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
