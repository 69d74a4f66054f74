//! Who is asking: passwords, session tokens, the signed-in user extractor, and attempt limits.

pub mod password;
pub mod rate_limit;
pub mod session;
pub mod token;

pub use session::{CurrentUser, sign_in};
