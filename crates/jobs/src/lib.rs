//! Koppel's job queue: one job is one run of one flow for one tenant. A scheduler claims due flows
//! atomically (so several processes on one database never start a run twice), apalis workers deliver the
//! jobs, and the [`executor`] runs them through the sync engine.

pub mod alerts;
pub mod connect;
pub mod credentials;
pub mod executor;
pub mod journal;
pub mod lookups;
pub mod maintenance;
pub mod preflight;
pub mod queue;
pub mod recovery;
pub mod scheduler;
pub mod settings;
pub mod worker;

pub use executor::{Connectors, Delivery, Executor, RunPolicy};
pub use queue::{JobQueue, RunFlowJob};
