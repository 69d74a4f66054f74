//! Reading a submitted wizard or settings form: its fields, the checks several steps share, and the change it makes.

use koppel_sync::settings::FlowSettings;

/// A submitted form: every name with its values in order (checkboxes and table rows repeat names).
#[derive(Debug, Default)]
pub struct Fields(pub(super) Vec<(String, String)>);

impl Fields {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
    /// The value when the form has the field (possibly empty), `None` when it lacks it.
    pub(super) fn raw(&self, name: &str) -> Option<&str> {
        self.has(name).then(|| self.get(name))
    }
    pub(super) fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty()).map(str::to_owned)
    }
}

pub(super) fn is_code(value: &str) -> bool {
    !value.is_empty() && value.len() <= 20 && value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// A change to flow settings read from a form, applied to one flow or to all.
pub type Apply = Box<dyn Fn(&mut FlowSettings) + Send + Sync>;

pub(super) fn parse_enum<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}
