//! The sync engine and the flows. A run fetches the source records changed since the flow's cursor, plans
//! the look-ups the target needs in batches, maps, sends, and journals one entry per record. The engine
//! reaches the outside only through the traits in [`ports`], so it never knows which HTTP client or which
//! database it talks to.

pub mod catalogue;
pub mod clientele;
pub mod country;
pub mod custom_fields;
pub mod deliveries;
pub mod dry_run;
pub mod engine;
pub mod field_map;
pub mod flows;
pub mod ledger;
pub mod model;
pub mod money;
pub mod ports;
pub mod pricing;
pub mod proposals;
mod record;
pub mod requirements;
pub mod sales;
pub mod settings;
pub mod street;
pub mod terms;
pub mod validation;
pub mod vat;

pub use dry_run::{PlannedWrite, dry_run, dry_run_together};
pub use engine::{Counts, RunError, RunReport, retry_records, run_flow};
pub use record::Failure;
