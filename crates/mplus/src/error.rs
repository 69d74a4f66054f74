//! The one error type of the MplusKASSA client: SOAP faults, transport failures and business results.

/// What kind of business result a call returned instead of OK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusinessOutcome {
    /// `...-ALREADY-EXISTS`, `...-ALREADY-TAKEN`: the thing was created before (idempotency: look it up).
    AlreadyExists,
    /// `...-NOT-FOUND`, and `...-NOTFOUND` as some article group results spell it.
    NotFound,
    /// `...-FAILED` and any other refusal.
    Failed,
}

impl BusinessOutcome {
    /// Classifies a result enum value such as `CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS`.
    pub fn of(result: &str) -> Self {
        if result.ends_with("ALREADY-EXISTS") || result.ends_with("ALREADY-TAKEN") {
            Self::AlreadyExists
        } else if result.ends_with("NOT-FOUND") || result.ends_with("NOTFOUND") {
            Self::NotFound
        } else {
            Self::Failed
        }
    }
}

/// Why a MplusKASSA call failed.
#[derive(Debug, thiserror::Error)]
pub enum MplusError {
    /// A SOAP fault with a `Client...` code: the request is wrong (bad credentials, unknown operation,
    /// invalid message). Permanent.
    #[error("MplusKASSA refused the request ({code}): {message}")]
    ClientFault { code: String, message: String },
    /// A SOAP fault with a `Server...` code: MplusKASSA failed internally. Transient.
    #[error("MplusKASSA server fault ({code}): {message}")]
    ServerFault { code: String, message: String },
    /// No usable answer: connection refused or dropped, a timeout, a non-200 status without a SOAP fault,
    /// a body that is not XML. Transient. `may_have_been_processed` is false only when the connection could
    /// not be made.
    #[error("MplusKASSA transport error: {message}")]
    Transport {
        message: String,
        status: Option<u16>,
        may_have_been_processed: bool,
    },
    /// A 3xx: the address is not where the API answers (`http://` where it wants `https://`, an old host).
    /// Not followed: the POST would be resent as a GET, with the ident and secret in its query string.
    /// `location` is the address without its query string. Permanent: the connection needs fixing.
    #[error("MplusKASSA's address answered {status}, redirecting to {location}: use that address")]
    Redirected { status: u16, location: String },
    /// The call was carried out but answered with a result other than OK.
    #[error("MplusKASSA {operation} answered {result}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Business {
        operation: &'static str,
        outcome: BusinessOutcome,
        /// The wire value, e.g. `CREATE-RELATION-RESULT-FAILED`.
        result: String,
        message: Option<String>,
    },
    /// A well-formed answer this client cannot read into its types.
    #[error("cannot read the MplusKASSA {operation} response: {message}")]
    Decode { operation: &'static str, message: String },
    /// The request could not be built (an amount with more than 2 decimals, ...).
    #[error("invalid MplusKASSA request: {0}")]
    InvalidRequest(String),
}

impl MplusError {
    /// Whether trying the same call again later can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::ServerFault { .. } | Self::Transport { .. })
    }

    /// Whether a write may have been carried out although the call failed (look it up before resending;
    /// `createOrderV3` can simply be resent with the same idempotency key).
    pub fn may_have_been_processed(&self) -> bool {
        match self {
            Self::Transport {
                may_have_been_processed,
                ..
            } => *may_have_been_processed,
            Self::ServerFault { .. } => true,
            _ => false,
        }
    }

    pub fn business_outcome(&self) -> Option<BusinessOutcome> {
        match self {
            Self::Business { outcome, .. } => Some(*outcome),
            _ => None,
        }
    }

    /// A short stable label for metrics and logs.
    pub fn class(&self) -> &'static str {
        match self {
            Self::ClientFault { .. } => "client_fault",
            Self::ServerFault { .. } => "server_fault",
            Self::Transport { .. } => "transport",
            Self::Redirected { .. } => "redirected",
            Self::Business {
                outcome: BusinessOutcome::AlreadyExists,
                ..
            } => "already_exists",
            Self::Business {
                outcome: BusinessOutcome::NotFound,
                ..
            } => "not_found",
            Self::Business { .. } => "failed",
            Self::Decode { .. } => "decode",
            Self::InvalidRequest(_) => "invalid_request",
        }
    }

    /// Turns a business result into `Ok` when it is `ok_result`, or into [`MplusError::Business`].
    pub(crate) fn check(
        operation: &'static str,
        result: &str,
        ok_result: &str,
        message: Option<String>,
    ) -> Result<(), MplusError> {
        if result == ok_result {
            return Ok(());
        }
        Err(Self::Business {
            operation,
            outcome: BusinessOutcome::of(result),
            result: result.to_owned(),
            message: message.filter(|m| !m.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_classified_by_their_suffix() {
        assert_eq!(
            BusinessOutcome::of("CREATE-ORDER-RESULT-EXT-ORDER-ID-ALREADY-EXISTS"),
            BusinessOutcome::AlreadyExists
        );
        assert_eq!(
            BusinessOutcome::of("CREATE-RELATION-RESULT-FAILED-RELATION-NUMBER-ALREADY-TAKEN"),
            BusinessOutcome::AlreadyExists
        );
        assert_eq!(
            BusinessOutcome::of("UPDATE-STOCK-RESULT-ARTICLE-NOT-FOUND"),
            BusinessOutcome::NotFound
        );
        assert_eq!(
            BusinessOutcome::of("NEW-ARTICLE-GROUP-RESULT-PARENT-NOTFOUND"),
            BusinessOutcome::NotFound
        );
        assert_eq!(
            BusinessOutcome::of("CREATE-RELATION-RESULT-FAILED"),
            BusinessOutcome::Failed
        );
        let error = MplusError::check(
            "createRelation",
            "CREATE-RELATION-RESULT-FAILED",
            "X",
            Some("no".into()),
        );
        assert_eq!(
            error.unwrap_err().to_string(),
            "MplusKASSA createRelation answered CREATE-RELATION-RESULT-FAILED: no"
        );
    }
}
