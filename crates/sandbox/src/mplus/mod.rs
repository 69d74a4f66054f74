//! Placeholder: the simulator is being written.

use crate::SandboxConfig;

pub fn router(_config: &SandboxConfig) -> axum::Router {
    axum::Router::new()
}
