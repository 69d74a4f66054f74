//! Renders the faults injected through `/_sandbox/faults` the way Profit (or the network in front of it) shows
//! them.

use std::time::Duration;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::AfasError;
use crate::control::{Control, FaultKind, dropped_connection, redirect};

/// The response replacing the real one, if a fault rule hits this request. A slow fault only waits.
pub async fn injected(control: &Control, method: &str, operation: &str) -> Option<Response> {
    match control.take_fault(method, operation)? {
        FaultKind::Unavailable { retry_after } => {
            let body = json!({
                "error": {"code": "503", "message": "Profit is temporarily unavailable because of maintenance."},
                "retry_after": retry_after,
            });
            Some(
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, retry_after.to_string())],
                    Json(body),
                )
                    .into_response(),
            )
        }
        FaultKind::Locked => Some(
            AfasError::validation("The record is locked by another user or process. Please try again later.")
                .into_response(),
        ),
        FaultKind::Slow { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
        FaultKind::Drop => Some(dropped_connection()),
        // Profit speaks JSON: the malformed counterpart is a truncated JSON body.
        FaultKind::MalformedXml => Some(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"skip\":0,\"take\":100,\"rows\":[{",
            )
                .into_response(),
        ),
        FaultKind::Status { status } => Some(
            StatusCode::from_u16(status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
                .into_response(),
        ),
        FaultKind::Redirect { status, location } => Some(redirect(status, &location)),
    }
}
