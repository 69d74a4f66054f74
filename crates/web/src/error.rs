//! One error type for handlers, rendered in one place: handlers return an [`AppError`]; its response carries
//! an [`ErrorReport`] that the `error_pages` middleware turns into JSON (API) or a page (browser) with the
//! request id, so users can quote it and operators can find the log line.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use koppel_store::StoreError;

use crate::auth::rate_limit::Limited;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    /// Also the answer for another tenant's ids: their existence is not revealed.
    #[error("not found")]
    NotFound,
    #[error("your role in this company is read-only")]
    Forbidden,
    #[error("too many attempts")]
    RateLimited(Limited),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        AppError::Internal(error.into())
    }
}

impl From<jsonwebtoken::errors::Error> for AppError {
    fn from(error: jsonwebtoken::errors::Error) -> Self {
        AppError::Internal(error.into())
    }
}

/// What went wrong, for the middleware that renders it.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", self.to_string()),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "This page does not exist.".to_owned(),
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your role in this company is read-only. Ask an owner or admin to make this change.".to_owned(),
            ),
            AppError::RateLimited(limited) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", limited.message()),
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side. Please try again; if it keeps happening, quote the reference below."
                        .to_owned(),
                )
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorReport { code, message });
        match &self {
            AppError::RateLimited(limited) => limited.attach_retry_after(response),
            _ => response,
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
