//! How a call to the outside failed, classified so the engine knows whether to stop, retry or fail the record.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The record itself is refused (validation, business rule): retrying the same data will not help.
    Permanent,
    /// A setting is missing or wrong (e.g. no article group to give a new article): the record can succeed
    /// once the tenant changes the flow's settings.
    Setting,
    /// The record refers to master data the target lacks (an article, a debtor, a unit): it can succeed once
    /// someone creates it there.
    MasterData,
    /// Maintenance, timeouts, connection errors, "record locked": the same call can succeed later.
    Transient,
    /// Credentials or IP restriction: nothing will work until the tenant fixes the connection.
    Unauthorized,
}

/// A failed call to the source or the target.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ConnectorError {
    pub class: ErrorClass,
    /// In plain words, for the journal and the alert (e.g. AFAS's `externalMessage`).
    pub message: String,
    /// Wait at least this long before trying again (AFAS's `retry_after`).
    pub retry_after: Option<Duration>,
    /// The failed exchange, when one happened.
    pub exchange: Option<Exchange>,
}

impl ConnectorError {
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            class: ErrorClass::Permanent,
            message: message.into(),
            retry_after: None,
            exchange: None,
        }
    }
    /// A refusal only a settings change can lift.
    pub fn setting(message: impl Into<String>) -> Self {
        Self {
            class: ErrorClass::Setting,
            ..Self::permanent(message)
        }
    }
    /// A refusal because the target lacks master data the record refers to.
    pub fn master_data(message: impl Into<String>) -> Self {
        Self {
            class: ErrorClass::MasterData,
            ..Self::permanent(message)
        }
    }
    pub fn transient(message: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            class: ErrorClass::Transient,
            message: message.into(),
            retry_after,
            exchange: None,
        }
    }
    pub fn is_retryable(&self) -> bool {
        self.class == ErrorClass::Transient
    }
}

pub type ConnectorResult<T> = Result<T, ConnectorError>;
