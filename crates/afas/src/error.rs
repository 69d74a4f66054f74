//! The one error type of the AFAS client, classified the way AFAS documents its answers so callers can
//! decide between retrying, waiting and giving up.

use std::time::Duration;

/// Why an AFAS call failed.
#[derive(Debug, thiserror::Error)]
pub enum AfasError {
    /// 401: the token is invalid or has no access to this connector. Never retried.
    #[error("AFAS refused the token (401): invalid, or no access to this connector")]
    Unauthorized,
    /// 403: an IP restriction on the App connector blocks this caller. Never retried.
    #[error("AFAS blocked the caller's IP address (403)")]
    IpBlocked,
    /// 500 with an AFAS error body: Profit validated the request and refused it. Permanent.
    #[error("AFAS rejected the request: {external_message} (error {error_number}, log {log_reference})")]
    Rejected {
        external_message: String,
        error_number: i64,
        log_reference: String,
    },
    /// 500 with an AFAS error body saying a record or layout is locked by someone else. Retried: nothing was
    /// written (Profit processes a body atomically), and the lock is usually gone a moment later.
    #[error("AFAS record is locked: {external_message} (log {log_reference})")]
    Locked {
        external_message: String,
        log_reference: String,
    },
    /// 503: the environment is in maintenance; try again after `retry_after`.
    #[error("AFAS is in maintenance (503); retry after {retry_after:?}")]
    Maintenance { retry_after: Duration },
    /// Timeouts, dropped connections, 5xx without an AFAS error body. `may_have_been_processed` is false only
    /// when the request certainly never reached AFAS (the connection could not be made).
    #[error("AFAS transient failure: {message}")]
    Transient {
        message: String,
        may_have_been_processed: bool,
    },
    /// 413: the body is too large; split it.
    #[error("AFAS refused the request as too large (413)")]
    TooLarge,
    /// 404: a wrong URL, or a query string longer than AFAS accepts.
    #[error("AFAS answered 404 for {path} (wrong URL or query string too long)")]
    NotFound { path: String },
    /// A 3xx: the base URL is not where the REST service answers (AFAS itself does not redirect API calls).
    /// Not followed: a redirected POST would be resent as a GET, and the token with it to another address.
    /// `location` is the address without its query string.
    #[error("AFAS's address answered {status}, redirecting to {location}: use that address")]
    Redirected { status: u16, location: String },
    /// Any other answer this client does not expect (400, a 2xx it cannot decode, ...).
    #[error("unexpected AFAS response (status {status}): {message}")]
    Unexpected { status: u16, message: String },
    /// The request could not be built (a value that cannot be sent exactly, an invalid setting).
    #[error("invalid AFAS request: {0}")]
    InvalidRequest(String),
}

impl AfasError {
    /// Whether trying the same call again later can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Locked { .. } | Self::Maintenance { .. } | Self::Transient { .. }
        )
    }

    /// How long AFAS asked us to wait, when it said so (503 maintenance).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Maintenance { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// Whether AFAS may have carried out a write although the call failed, so resending could duplicate it.
    /// The engine then looks the record up (e.g. by `RfCs`) before sending again.
    pub fn may_have_been_processed(&self) -> bool {
        matches!(
            self,
            Self::Transient {
                may_have_been_processed: true,
                ..
            }
        )
    }

    /// A short stable label for metrics and logs.
    pub fn class(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::IpBlocked => "ip_blocked",
            Self::Rejected { .. } => "rejected",
            Self::Locked { .. } => "locked",
            Self::Maintenance { .. } => "maintenance",
            Self::Transient { .. } => "transient",
            Self::TooLarge => "too_large",
            Self::NotFound { .. } => "not_found",
            Self::Redirected { .. } => "redirected",
            Self::Unexpected { .. } => "unexpected",
            Self::InvalidRequest(_) => "invalid_request",
        }
    }
}
