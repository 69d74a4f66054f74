//! Form and API input validation shared by pages and the JSON API, so both give the same messages.

use std::collections::BTreeMap;

use koppel_core::FieldError;
use serde::Serialize;

/// Messages per field, in the order the fields appear.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<&'static str, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, error: FieldError) {
        self.0.entry(error.field).or_default().push(error.message);
    }

    pub fn add_message(&mut self, field: &'static str, message: impl Into<String>) {
        self.add(FieldError::new(field, message));
    }

    /// Keeps the value, or records the error.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.add(e)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message for `field`, for a page to show beside the input.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .get(field)
            .and_then(|messages| messages.first())
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_messages_per_field() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.check(Ok::<_, FieldError>(3)), Some(3));
        errors.add_message("email", "first");
        errors.add_message("email", "second");
        assert_eq!(errors.get("email"), Some("first"));
        assert_eq!(
            serde_json::to_value(&errors).unwrap(),
            serde_json::json!({"email": ["first", "second"]})
        );
    }
}
