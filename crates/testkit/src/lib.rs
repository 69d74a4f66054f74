//! Test support for Koppel's crates, dev-only: in-memory fakes of the sync engine's three ports (a MplusKASSA
//! source, an AFAS target that keeps what it received, a journal) and generated till data. Each fake counts its
//! calls per operation and can be told to fail an operation (transient with `retry_after`, permanent,
//! unauthorized), for every call, for one key (an order reference, an e-mail, an item code), or a number of times.

mod erp;
mod fixtures;
mod generate;
mod journal;
mod pos;
mod switchboard;

pub use erp::{ErpState, FakeErp};
pub use fixtures::*;
pub use generate::{Rng, generated_customer, generated_order, generated_skus};
pub use journal::FakeJournal;
pub use pos::FakePos;
pub use switchboard::{FaultKind, Op, Switchboard};
