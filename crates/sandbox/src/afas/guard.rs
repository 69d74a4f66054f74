//! What Profit checks before a request reaches a connector: the query-string length (over 2049 characters
//! is a 404), the App Connector's IP allow-list (403), the `AfasToken` (401, empty body) and, when switched
//! on, the limit of 8 requests at once.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::AfasState;
use super::error::AfasError;
use crate::control::HeldUntilAnswered;

/// The longest query string Profit accepts.
pub const MAX_QUERY_LENGTH: usize = 2049;

pub async fn guard(state: AfasState, request: Request, next: Next) -> Response {
    let query_length = request.uri().query().map_or(0, str::len);
    if query_length > MAX_QUERY_LENGTH {
        return StatusCode::NOT_FOUND.into_response();
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if !ip_allowed(&state, peer) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if !token_valid(request.headers(), &state.shared.config.afas_token_data) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let limit = state.access().concurrency_limit;
    let Some(slot) = ConcurrencySlot::acquire(state) else {
        return AfasError::validation(format!(
            "The maximum number of concurrent requests ({}) has been exceeded.",
            limit.unwrap_or_default()
        ))
        .into_response();
    };
    let mut response = next.run(request).await;
    // The slot goes out with the answer and is released when the answer leaves, after the rest of the
    // simulated latency (the journal layer's): a request counts against the limit for as long as it is in
    // Profit, not only while the simulator computes it (which takes microseconds).
    response.extensions_mut().insert(HeldUntilAnswered(Arc::new(slot)));
    response
}

fn ip_allowed(state: &AfasState, peer: Option<IpAddr>) -> bool {
    match (&state.access().ip_allow_list, peer) {
        (None, _) => true,
        (Some(allowed), Some(peer)) => allowed.contains(&peer),
        (Some(_), None) => false,
    }
}

/// The data part of a well-formed `Authorization: AfasToken <base64 of
/// <token><version>1</version><data>HEX</data></token>>`.
pub fn token_data(headers: &HeaderMap) -> Option<String> {
    let encoded = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("AfasToken "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let token: String = String::from_utf8(decoded).ok()?.split_whitespace().collect();
    let version = between(&token, "<version>", "</version>");
    let well_formed = token.starts_with("<token>") && token.ends_with("</token>") && version == Some("1");
    well_formed
        .then(|| between(&token, "<data>", "</data>").map(str::to_owned))
        .flatten()
}

fn token_valid(headers: &HeaderMap, accepted_data: &str) -> bool {
    token_data(headers).is_some_and(|data| data.eq_ignore_ascii_case(accepted_data))
}

fn between<'t>(text: &'t str, open: &str, close: &str) -> Option<&'t str> {
    let start = text.find(open)? + open.len();
    let end = start + text[start..].find(close)?;
    Some(&text[start..end])
}

/// One of the limited request slots; released when the response is done (or the client goes away).
struct ConcurrencySlot {
    state: AfasState,
}

impl ConcurrencySlot {
    /// `None` when the limit is on and reached.
    fn acquire(state: AfasState) -> Option<Self> {
        let in_flight = state.shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let limit = state.access().concurrency_limit;
        // Made before the check, so a refused request gives its count back too.
        let slot = Self { state };
        match limit {
            Some(limit) if in_flight > limit => None,
            _ => Some(slot),
        }
    }
}

impl Drop for ConcurrencySlot {
    fn drop(&mut self) {
        self.state.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn only_the_configured_token_is_accepted() {
        let encode = |xml: &str| format!("AfasToken {}", base64::engine::general_purpose::STANDARD.encode(xml));
        let good = encode("<token><version>1</version><data>ABCD</data></token>");
        assert!(token_valid(&headers(&good), "abcd"));
        assert!(!token_valid(&headers(&good), "ABCE"));
        assert!(!token_valid(
            &headers(&encode("<token><version>2</version><data>ABCD</data></token>")),
            "ABCD"
        ));
        assert!(!token_valid(&headers("Bearer x"), "ABCD"));
        assert!(!token_valid(&HeaderMap::new(), "ABCD"));
    }
}
