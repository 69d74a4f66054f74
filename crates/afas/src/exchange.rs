//! The exchange hook: what went over the wire for each HTTP attempt, for the engine's activity log.
//! Secrets never get here: the token travels only in a header, and headers are not reported.

use std::time::Duration;

/// One HTTP attempt as sent and received.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The connector or endpoint, e.g. `FbSales` or `ProfitVersion`.
    pub operation: String,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    pub method: String,
    /// The full URL including the query string (AFAS URLs carry no secrets).
    pub url: String,
    pub request_body: Option<String>,
    /// `None` when no response arrived (timeout, connection error).
    pub status: Option<u16>,
    pub response_body: Option<String>,
    pub duration: Duration,
    /// The error class when the attempt failed (see [`crate::AfasError::class`]).
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
