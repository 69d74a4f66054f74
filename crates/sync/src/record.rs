//! One record's attempt inside a run: what it is (for the journal), the exchanges it made, and its verdict.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ports::{ConnectorError, ConnectorResult, ErrorClass, Exchange, FailureClass, JsonText, Outcome, Written};
use crate::sales::TillTotals;

/// What the journal needs to know of a record besides its verdict.
#[derive(Debug, Clone)]
pub(crate) struct RecordMeta {
    pub entity: &'static str,
    pub source_id: String,
    pub search_keys: Vec<String>,
    pub payload: JsonText,
    /// The record's sync marker when it came from a cursor page (where the cursor may stop).
    pub marker: Option<i64>,
    /// A sale's till totals: journaled with the sale when it is booked, found in AFAS, or fails.
    pub sale: Option<TillTotals>,
}

impl RecordMeta {
    pub fn new(entity: &'static str, source_id: impl Into<String>, record: &impl Serialize) -> Self {
        Self::with_payload(entity, source_id, JsonText::of(record))
    }

    /// With the record's JSON already made.
    pub fn with_payload(entity: &'static str, source_id: impl Into<String>, payload: JsonText) -> Self {
        Self {
            entity,
            source_id: source_id.into(),
            search_keys: Vec::new(),
            payload,
            marker: None,
            sale: None,
        }
    }

    pub fn keys(mut self, keys: impl IntoIterator<Item = Option<String>>) -> Self {
        self.search_keys = keys.into_iter().flatten().filter(|k| !k.is_empty()).collect();
        self
    }

    pub fn at_marker(mut self, marker: Option<i64>) -> Self {
        self.marker = marker;
        self
    }

    pub fn sale(mut self, totals: TillTotals) -> Self {
        self.sale = Some(totals);
        self
    }
}

/// How a record ended when nothing stopped the run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub target_id: Option<String>,
    pub content_hash: Option<String>,
}

impl Verdict {
    pub fn written(outcome: Outcome, target_id: String, content_hash: String) -> Self {
        Self {
            outcome,
            reason: None,
            target_id: Some(target_id),
            content_hash: Some(content_hash),
        }
    }

    pub fn skipped(reason: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Skipped,
            reason: Some(reason.into()),
            target_id: None,
            content_hash: None,
        }
    }

    /// Skipped because the target already has it: the id map learns (or keeps) the link.
    pub fn skipped_existing(reason: impl Into<String>, target_id: String, content_hash: String) -> Self {
        Self {
            target_id: Some(target_id),
            content_hash: Some(content_hash),
            ..Self::skipped(reason)
        }
    }
}

/// Why a record did not get a verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// This record fails (a refusal, a missing setting, a missing article), for the reason its class names;
    /// the run goes on.
    Record(FailureClass, String),
    /// The connection cannot go on now (transient or unauthorized): the run stops here.
    Halt(Box<ConnectorError>),
}

impl Failure {
    pub fn from_connector(error: ConnectorError) -> Self {
        match error.class {
            ErrorClass::Permanent | ErrorClass::Setting | ErrorClass::MasterData => {
                Failure::Record(error.class.into(), error.message)
            }
            ErrorClass::Transient | ErrorClass::Unauthorized => Failure::Halt(Box::new(error)),
        }
    }

    /// A record that needs a setting the tenant has not filled in.
    pub fn missing_setting(setting: &str, why: &str) -> Self {
        Failure::Record(FailureClass::Setting, format!("setting `{setting}` is not set: {why}"))
    }

    /// A record that a setting does not allow as it is (fixed by changing the setting).
    pub fn setting(reason: impl Into<String>) -> Self {
        Failure::Record(FailureClass::Setting, reason.into())
    }

    /// A record that refers to master data the target lacks.
    pub fn master_data(reason: impl Into<String>) -> Self {
        Failure::Record(FailureClass::MasterData, reason.into())
    }
}

/// The draft with the tenant's field-mapping rules of `scope` (`article`, `debtor`, …) applied, reading the
/// source record `record`; the draft as it is when there are no rules.
pub(crate) fn with_rules<D: Serialize + serde::de::DeserializeOwned>(
    settings: &crate::settings::FlowSettings,
    scope: &str,
    record: &impl Serialize,
    mut draft: D,
) -> Result<D, Failure> {
    if !settings.field_map.is_empty() {
        let source = serde_json::to_value(record).unwrap_or(serde_json::Value::Null);
        settings
            .field_map
            .apply(scope, &source, &mut draft)
            .map_err(mapping_failure)?;
    }
    Ok(draft)
}

/// A field-mapping rule that produced no valid value fails the record, naming the field: the rules are the
/// tenant's settings, so changing them is what helps.
pub(crate) fn mapping_failure(error: crate::field_map::MappingError) -> Failure {
    Failure::setting(error.to_string())
}

/// Every exchange one record made, in order.
#[derive(Debug, Default)]
pub(crate) struct Trail(pub Vec<Exchange>);

impl Trail {
    /// Keeps the exchange of a write (or of its failure) and hands back the written value.
    pub fn write<T>(&mut self, result: ConnectorResult<Written<T>>) -> Result<T, Failure> {
        match result {
            Ok(written) => {
                self.0.push(written.exchange);
                Ok(written.value)
            }
            Err(mut error) => {
                self.0.extend(error.exchange.take());
                Err(Failure::from_connector(error))
            }
        }
    }
}

/// Source ids a run has met, kept as 128-bit digests (SHA-256's first half): a 100,000-record run remembers
/// about 3 MB instead of 9, and two ids sharing a digest is as likely as a SHA-256 collision.
#[derive(Debug, Default)]
pub(crate) struct SeenIds(std::collections::HashSet<u128>);

impl SeenIds {
    /// Adds the id; whether it was new.
    pub fn insert(&mut self, id: &str) -> bool {
        self.0.insert(Self::digest(id))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(&Self::digest(id))
    }

    fn digest(id: &str) -> u128 {
        let hash = Sha256::digest(id.as_bytes());
        let mut half = [0u8; 16];
        half.copy_from_slice(&hash[..16]);
        u128::from_le_bytes(half)
    }
}

/// SHA-256 of the JSON form: equal content, equal hash.
pub(crate) fn content_hash(value: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// [`content_hash`] of `(record, settings_hash)` from the record's JSON text, without serializing it again:
/// the bytes hashed are exactly `serde_json`'s for that pair (`[record,"hash"]`).
pub(crate) fn content_hash_with(payload: &JsonText, settings_hash: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"[");
    hasher.update(payload.as_str().as_bytes());
    hasher.update(b",");
    hasher.update(serde_json::to_string(settings_hash).unwrap_or_default().as_bytes());
    hasher.update(b"]");
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_hash_from_the_payload_text_equals_the_hash_of_the_record() {
        // Stored hashes were made by `content_hash(&(record, settings_hash))`: both ways must agree byte for byte,
        // whatever the record holds (nesting, exact decimals as text, escapes, non-ASCII, nulls).
        let settings_hash = content_hash(&"settings");
        for index in 0..20_u32 {
            let record = serde_json::json!({
                "id": format!("o-{index}"),
                "number": format!("2026-{index:06}"),
                "total": format!("{}.{:02}", index * 37, index % 100),
                "customer": if index % 3 == 0 { serde_json::Value::Null } else { serde_json::json!({"name": "Café \"De Hoek\"\n"}) },
                "lines": (0..index % 4).map(|n| serde_json::json!({"sku": 1001 + n, "quantity": "-1.500"})).collect::<Vec<_>>(),
            });
            assert_eq!(
                content_hash_with(&JsonText::of(&record), &settings_hash),
                content_hash(&(&record, &settings_hash))
            );
        }
    }
}
