//! Koppel's HTTP face: the axum router with its pages (askama), the JSON API under `/api/v1` with its
//! OpenAPI document, authentication, tenant resolution, and operational endpoints.

mod accounts;
mod api;
mod auth;
mod config;
mod error;
mod forms;
mod invitations;
mod layers;
mod members;
mod ops;
mod pages;
mod preflight;
mod retry;
mod state;
mod tenant;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use api::openapi_document;
pub use config::{DemoSandbox, MetricsAccess, RateLimits, WebConfig};
pub use pages::sandbox_settings;
pub use state::AppState;

/// Builds the complete router: pages, API, operations, and the middleware stack around them.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(ops::routes());
    layers::wrap(routes, &state).with_state(state)
}

/// Serves the router on `listener` until `shutdown` resolves, then finishes requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
