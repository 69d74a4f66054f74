//! The clients' errors in the engine's terms: permanent (the record is refused), transient (try again later,
//! not before `retry_after`) or unauthorized (the connection needs fixing), in words for the journal, with
//! the failed exchange attached. Every adapter call goes through [`afas_call`], [`afas_read`], [`mplus_call`] or [`mplus_write`].

use std::future::Future;
use std::time::Duration;

use koppel_afas::AfasError;
use koppel_mplus::MplusError;
use koppel_sync::ports::{ConnectorError, ConnectorResult, ErrorClass, Exchange, Written};

use super::capture::{capture, capture_failures};

/// A lock is usually gone within seconds; ask the engine to wait a little before the next attempt.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Runs one AFAS write: its value with the exchange that produced it, or the error with the failed exchange.
pub async fn afas_call<T>(call: impl Future<Output = Result<T, AfasError>>) -> ConnectorResult<Written<T>> {
    let (result, captured) = capture(call).await;
    match result {
        Ok(value) => Ok(Written {
            value,
            exchange: captured.exchange().unwrap_or_default(),
        }),
        Err(error) => Err(with_exchange(from_afas(&error), captured.exchange())),
    }
}

/// Runs one AFAS read: its value, or the error with the failed exchange (a successful read's is not kept).
pub async fn afas_read<T>(call: impl Future<Output = Result<T, AfasError>>) -> ConnectorResult<T> {
    // Every attempt is kept: rows AFAS answered with but that cannot be read fail after the exchange was
    // reported as a success, and the journal should show them.
    let (result, captured) = capture(call).await;
    result.map_err(|error| with_exchange(from_afas(&error), captured.exchange()))
}

/// Runs one MplusKASSA call (all reads), like [`afas_read`], but keeps only failed attempts: the client
/// reports an answer it cannot read as a failure, and a page of orders (~680 kB) is not copied for nothing.
pub async fn mplus_call<T>(call: impl Future<Output = Result<T, MplusError>>) -> ConnectorResult<T> {
    let (result, captured) = capture_failures(call).await;
    result.map_err(|error| with_exchange(from_mplus(&error), captured.exchange()))
}

/// Runs one MplusKASSA write: its value with the exchange that made it, or the error with the failed exchange.
pub async fn mplus_write<T>(call: impl Future<Output = Result<T, MplusError>>) -> ConnectorResult<Written<T>> {
    let (result, captured) = capture(call).await;
    match result {
        Ok(value) => Ok(Written {
            value,
            exchange: captured.exchange().unwrap_or_default(),
        }),
        Err(error) => Err(with_exchange(from_mplus(&error), captured.exchange())),
    }
}

fn with_exchange(mut error: ConnectorError, exchange: Option<Exchange>) -> ConnectorError {
    error.exchange = exchange;
    error
}

fn unauthorized(message: impl Into<String>) -> ConnectorError {
    ConnectorError {
        class: ErrorClass::Unauthorized,
        ..ConnectorError::permanent(message)
    }
}

pub fn from_afas(error: &AfasError) -> ConnectorError {
    match error {
        AfasError::Unauthorized => unauthorized(
            "AFAS refused the token: it is wrong, expired, or the App connector does not offer this connector",
        ),
        AfasError::IpBlocked => {
            unauthorized("AFAS blocked Koppel's IP address: add it to the App connector's IP restriction")
        }
        AfasError::Rejected {
            external_message,
            log_reference,
            ..
        } => {
            let message = format!("AFAS refused it: {external_message} (AFAS log {log_reference})");
            match refers_to_missing_data(external_message) {
                true => ConnectorError::master_data(message),
                false => ConnectorError::permanent(message),
            }
        }
        AfasError::Locked { external_message, .. } => {
            ConnectorError::transient(format!("AFAS record locked: {external_message}"), Some(LOCK_WAIT))
        }
        AfasError::Maintenance { retry_after } => {
            ConnectorError::transient("AFAS is in maintenance".to_owned(), Some(*retry_after))
        }
        // The client never resends a write AFAS may have carried out; the engine's next attempt looks the
        // record up (by `RfCs`, e-mail or item code) before sending it again.
        AfasError::Transient {
            message,
            may_have_been_processed: true,
        } => ConnectorError::transient(
            format!(
                "no answer from AFAS ({message}); it may have been processed, so it is looked up before any resend"
            ),
            None,
        ),
        AfasError::Transient { message, .. } => ConnectorError::transient(format!("AFAS unreachable: {message}"), None),
        other => ConnectorError::permanent(other.to_string()),
    }
}

/// Whether Profit refused a code in the body that refers to nothing ("The entered value for 'Item code' does
/// not exist", in Dutch "bestaat niet"): master data someone can still create in AFAS, unlike a refusal of
/// the record's own values.
fn refers_to_missing_data(external_message: &str) -> bool {
    let message = external_message.to_lowercase();
    message.contains("does not exist") || message.contains("bestaat niet")
}

pub fn from_mplus(error: &MplusError) -> ConnectorError {
    match error {
        MplusError::ClientFault { code, message } if code.contains("Authentication") => {
            unauthorized(format!("MplusKASSA refused the ident or secret: {message}"))
        }
        error if error.is_retryable() => ConnectorError::transient(error.to_string(), None),
        other => ConnectorError::permanent(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn afas_errors_keep_their_class_and_wait() {
        let maintenance = from_afas(&AfasError::Maintenance {
            retry_after: Duration::from_secs(7),
        });
        assert_eq!(
            (maintenance.class, maintenance.retry_after),
            (ErrorClass::Transient, Some(Duration::from_secs(7)))
        );
        let unsure = from_afas(&AfasError::Transient {
            message: "timed out".into(),
            may_have_been_processed: true,
        });
        assert!(unsure.is_retryable() && unsure.message.contains("looked up"));
        assert_eq!(from_afas(&AfasError::IpBlocked).class, ErrorClass::Unauthorized);
        let rejected = |message: &str| {
            from_afas(&AfasError::Rejected {
                external_message: message.into(),
                error_number: -1,
                log_reference: "ABC".into(),
            })
        };
        let missing = rejected("The entered value for 'Item code' does not exist. Value: '1001'.");
        assert_eq!(missing.class, ErrorClass::MasterData);
        assert!(missing.message.contains("Item code"));
        assert_eq!(
            rejected("De ingevoerde waarde voor 'Artikel' bestaat niet.").class,
            ErrorClass::MasterData
        );
        assert_eq!(rejected("Field 'Ds' is too long.").class, ErrorClass::Permanent);
    }

    #[test]
    fn mplus_faults_are_classified() {
        let auth = from_mplus(&MplusError::ClientFault {
            code: "SOAP-ENV:Client.Authentication".into(),
            message: "bad".into(),
        });
        assert_eq!(auth.class, ErrorClass::Unauthorized);
        let server = from_mplus(&MplusError::ServerFault {
            code: "SOAP-ENV:Server".into(),
            message: "oops".into(),
        });
        assert_eq!(server.class, ErrorClass::Transient);
    }
}
