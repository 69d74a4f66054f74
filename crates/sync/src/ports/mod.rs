//! The engine's only doors to the outside: a point-of-sale source, an ERP target, and a journal. The jobs
//! crate implements them with the MplusKASSA and AFAS clients and the store; tests implement them in memory
//! or against the sandbox.

mod errors;
mod journal;
mod source;
mod target;

use serde::{Deserialize, Serialize};

pub use errors::*;
pub use journal::*;
pub use source::*;
pub use target::*;

/// JSON kept as text: made (or checked) once and written to the journal as it is. A tree of
/// `serde_json::Value`s per record, built only to be written out again, cost a fifth of Koppel's CPU per order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonText(Box<serde_json::value::RawValue>);

impl JsonText {
    /// The JSON of a value (`null` if it cannot be serialized).
    pub fn of(value: &impl Serialize) -> Self {
        Self(serde_json::value::to_raw_value(value).unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned()))
    }

    /// A body as received: itself when it is JSON, else the text as a JSON string; `null` when empty.
    pub fn from_body(body: Option<&str>) -> Self {
        match body {
            None => Self::default(),
            Some(text) if text.trim().is_empty() => Self::default(),
            Some(text) => serde_json::value::RawValue::from_string(text.trim().to_owned())
                .map(Self)
                .unwrap_or_else(|_| Self::of(&text)),
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// As a tree, for the few places that look inside (the dry run, previews, tests).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).unwrap_or_default()
    }
}

impl Default for JsonText {
    fn default() -> Self {
        Self(serde_json::value::RawValue::NULL.to_owned())
    }
}

impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// One request/response with an outside system, secrets removed: what the journal shows as "sent" and
/// "answered".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Exchange {
    /// e.g. `POST FbSales` or `getOrders`.
    pub operation: String,
    pub request: JsonText,
    pub status: Option<u16>,
    pub response: JsonText,
}

/// A write that succeeded, with the key the target assigned and the exchange that did it.
#[derive(Debug, Clone, PartialEq)]
pub struct Written<T> {
    pub value: T,
    pub exchange: Exchange,
}

/// What a create of master data did (a debtor, an article).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    /// Made it; the key the target assigned.
    Created(String),
    /// Did not make it: it appeared in the target after this run looked (another flow or process of the company
    /// made it at the same time), so the record links to the one that exists rather than making a duplicate.
    Found(String),
}

impl Creation {
    pub fn key(&self) -> &str {
        match self {
            Creation::Created(key) | Creation::Found(key) => key,
        }
    }

    pub fn into_key(self) -> String {
        match self {
            Creation::Created(key) | Creation::Found(key) => key,
        }
    }
}
