//! How Profit reports failures: HTTP 500 with `externalMessage`, `errorNumber` and a `profitLogReference`
//! (the only pointer to the details, which Profit keeps in its own log); bare status codes for auth and routing.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The generic error number Profit sends for unexpected failures (e.g. an invalid skip/take combination).
pub const UNEXPECTED_ERROR_NUMBER: i64 = -2147180999;
/// The error number Profit sends for validation failures such as a value that does not exist.
pub const VALIDATION_ERROR_NUMBER: i64 = -2147220469;
/// Errors in a GetConnector request (unknown field, bad filter).
pub const QUERY_ERROR_NUMBER: i64 = -2147024809;

#[derive(Debug, Clone, PartialEq)]
pub enum AfasError {
    /// HTTP 500 with the Profit error body.
    Profit { message: String, number: i64 },
    /// A status with an empty body (401, 403, 404).
    Bare(StatusCode),
}

impl AfasError {
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Profit {
            message: message.into(),
            number: VALIDATION_ERROR_NUMBER,
        }
    }

    pub fn unexpected() -> Self {
        Self::Profit {
            message: "An unexpected error has occurred.".to_owned(),
            number: UNEXPECTED_ERROR_NUMBER,
        }
    }

    pub fn query(message: impl Into<String>) -> Self {
        Self::Profit {
            message: message.into(),
            number: QUERY_ERROR_NUMBER,
        }
    }

    pub fn field_not_found(field: &str) -> Self {
        Self::query(format!("Connector field '{field}' not found"))
    }

    /// Profit's wording when a code in the body refers to nothing.
    pub fn does_not_exist(label: &str, value: &str) -> Self {
        Self::validation(format!(
            "The entered value for '{label}' does not exist. Value: '{value}'."
        ))
    }

    pub fn not_found() -> Self {
        Self::Bare(StatusCode::NOT_FOUND)
    }
}

impl IntoResponse for AfasError {
    fn into_response(self) -> Response {
        match self {
            Self::Profit { message, number } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({
                    "externalMessage": message,
                    "errorNumber": number,
                    "profitLogReference": log_reference(),
                })),
            )
                .into_response(),
            Self::Bare(status) => status.into_response(),
        }
    }
}

/// 32 upper-case hex characters, like the reference into Profit's environment log.
fn log_reference() -> String {
    uuid::Uuid::new_v4().simple().to_string().to_uppercase()
}
