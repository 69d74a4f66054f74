//! The exchange hook: what went over the wire for each SOAP call, for the engine's activity log. The URL is
//! reported without the `ident`/`secret` query parameters, which are the only secrets on this wire.

use std::time::Duration;

/// One SOAP call as sent and received.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The SOAP operation, e.g. `getOrders`.
    pub operation: String,
    pub method: String,
    /// The endpoint without credentials.
    pub url: String,
    pub request_body: String,
    /// `None` when no response arrived (timeout, connection error).
    pub status: Option<u16>,
    pub response_body: Option<String>,
    pub duration: Duration,
    /// The error class when the call failed (see [`crate::MplusError::class`]).
    pub error: Option<String>,
}

/// Receives every exchange. Installed by the engine; must be cheap (copy and queue, don't block).
pub trait ExchangeHook: Send + Sync {
    fn on_exchange(&self, exchange: &Exchange);
}

impl<F> ExchangeHook for F
where
    F: Fn(&Exchange) + Send + Sync,
{
    fn on_exchange(&self, exchange: &Exchange) {
        self(exchange)
    }
}
