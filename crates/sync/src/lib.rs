//! The sync engine and the flows. A run fetches the source records changed since the flow's cursor, plans
//! the look-ups the target needs in batches, maps, sends, and journals one entry per record. The engine
//! reaches the outside only through the traits in [`ports`], so it never knows which HTTP client or which
//! database it talks to.

pub mod model;
pub mod ports;
pub mod settings;
