//! The field mapping: per target field, where its value comes from (the default, a source path or a
//! constant) and the transforms applied to it (trim, upper case, +5%, a lookup table, ...).
//!
//! A target field is a field of the draft a flow hands to the target (`order.reference`, `line.unit_price`,
//! `debtor.address.city`, `article.description`), not a raw AFAS field code: the drafts are what every
//! target (AFAS, the dry run, the tests' fakes) receives, so one mapping step serves them all, and the AFAS
//! adapter still builds and checks the typed body from the mapped draft. A rule replaces the flow's default
//! for its field only; a rule without a source transforms the default value (e.g. the city in upper case).
//!
//! Applying a rule goes through the draft's JSON form and back, so a value the draft cannot hold (a price
//! that is not a number, a date in another format) fails the record with a message naming the field.
//!
//! The rules and their application are here; the transforms in [`transforms`], the fields rules may set
//! and read in [`fields`], the example records those are listed from in [`samples`].

mod fields;
mod samples;
mod transforms;

use std::fmt;

use koppel_core::FlowKind;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::model::{SourceLine, SourceOrder};

pub use fields::{TargetField, source_paths, target_fields};
pub use transforms::Transform;

/// The tenant's rules, at most one per target field, applied in this order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct FieldMap(pub Vec<FieldRule>);

/// One target field's value: a source, then transforms in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldRule {
    /// The target field, e.g. `order.reference`, `line.unit_price`, `debtor.address.city` (see the flow's
    /// field mapping page for the list).
    pub target: String,
    /// Where the value comes from; `default` (the value the flow would send) when left out.
    #[serde(default)]
    pub source: Source,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transforms: Vec<Transform>,
}

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The value the flow sends without a rule.
    #[default]
    Default,
    /// A field of the source record as JSON, dot-separated (`customer.address.city`, `payments.0.method`;
    /// `line.…` is the order line being mapped).
    Path(String),
    /// A fixed value.
    Constant(String),
}

/// A rule that could not produce a valid value for this record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    pub target: String,
    pub message: String,
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field mapping for `{}`: {}", self.target, self.message)
    }
}

impl std::error::Error for MappingError {}

impl FieldMap {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rule for `target`, if any.
    pub fn rule(&self, target: &str) -> Option<&FieldRule> {
        self.0.iter().find(|rule| rule.target == target)
    }

    /// Every problem with the rules for `flow`, in plain words (empty: valid).
    pub fn problems(&self, flow: FlowKind) -> Vec<String> {
        let targets = target_fields(flow);
        let paths = source_paths(flow);
        let mut problems = Vec::new();
        for (index, rule) in self.0.iter().enumerate() {
            if !targets.iter().any(|field| field.target == rule.target) {
                problems.push(match targets.is_empty() {
                    true => format!("the {flow} flow has no field mapping"),
                    false => format!("`{}` is not a target field of the {flow} flow", rule.target),
                });
                continue;
            }
            if self.0[..index].iter().any(|earlier| earlier.target == rule.target) {
                problems.push(format!("`{}` has more than one rule", rule.target));
            }
            problems.extend(
                rule.problems(&paths)
                    .into_iter()
                    .map(|p| format!("`{}`: {p}", rule.target)),
            );
            // Only a line rule has a source line to read; elsewhere `line.…` would always be empty.
            if !rule.target.starts_with("line.") && rule.sources().any(|path| path.trim().starts_with("line.")) {
                problems.push(format!(
                    "`{}`: `line.…` source fields feed only `line.…` targets",
                    rule.target
                ));
            }
        }
        problems
    }

    /// Applies the rules for targets under `scope` (`order`, `line`, `debtor`, `article`) to `draft`, reading
    /// source paths from `source`. No rules: the draft is left as it is, without a round trip.
    pub fn apply<D: Serialize + DeserializeOwned>(
        &self,
        scope: &str,
        source: &Value,
        draft: &mut D,
    ) -> Result<(), MappingError> {
        let rules: Vec<&FieldRule> = self
            .0
            .iter()
            .filter(|rule| scope_of(&rule.target) == Some(scope))
            .collect();
        if rules.is_empty() {
            return Ok(());
        }
        let error = |target: &str, message: String| MappingError {
            target: target.to_owned(),
            message,
        };
        let mut json = serde_json::to_value(&*draft).map_err(|e| error(scope, e.to_string()))?;
        for rule in rules {
            let path = &rule.target[scope.len() + 1..];
            // A field the draft does not have for this record (no delivery address, a person's company name)
            // is left alone: there is nothing to map it onto.
            let Some((parent, key)) = parent_of(&mut json, path) else {
                continue;
            };
            let Some(current) = parent.get(key).cloned() else {
                continue;
            };
            let value = rule
                .evaluate(&text_of(&current), source)
                .map_err(|m| error(&rule.target, m))?;
            let shown = quoted(value.as_deref());
            parent.insert(key.to_owned(), typed_like(&current, value));
            serde_json::from_value::<D>(json.clone())
                .map_err(|e| error(&rule.target, format!("{shown} is not a valid value here ({e})")))?;
        }
        *draft = serde_json::from_value(json).map_err(|e| error(scope, e.to_string()))?;
        Ok(())
    }
}

fn quoted(value: Option<&str>) -> String {
    value.map_or_else(|| "an empty value".to_owned(), |v| format!("{v:?}"))
}

fn scope_of(target: &str) -> Option<&str> {
    target.split_once('.').map(|(scope, _)| scope)
}

/// The object holding the last segment of `path`, and that segment.
fn parent_of<'v>(json: &'v mut Value, path: &'v str) -> Option<(&'v mut Map<String, Value>, &'v str)> {
    let (parents, key) = path.rsplit_once('.').map_or(("", path), |(p, k)| (p, k));
    let mut node = json;
    for segment in parents.split('.').filter(|s| !s.is_empty()) {
        node = node.get_mut(segment)?;
    }
    node.as_object_mut().map(|map| (map, key))
}

/// A JSON leaf as text: `None` for null or a missing field.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// The mapped text back as JSON of the kind the field had (a flag stays a flag).
fn typed_like(current: &Value, value: Option<String>) -> Value {
    match (current, value) {
        (_, None) => Value::Null,
        (Value::Bool(_), Some(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        (_, Some(text)) => Value::String(text),
    }
}

/// Reads a dot-separated path from a record's JSON form.
fn read_path(source: &Value, path: &str) -> Option<String> {
    let mut node = source;
    for segment in path.split('.') {
        node = match node {
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            other => other.get(segment)?,
        };
    }
    text_of(node)
}

impl Source {
    pub(super) fn read(&self, default: &Option<String>, record: &Value) -> Option<String> {
        match self {
            Source::Default => default.clone(),
            Source::Path(path) => read_path(record, path.trim()),
            Source::Constant(value) => Some(value.clone()),
        }
    }

    pub(super) fn problems(&self, paths: &[String]) -> Vec<String> {
        let Source::Path(path) = self else { return Vec::new() };
        let normalised: Vec<&str> = path
            .trim()
            .split('.')
            .map(|s| if s.parse::<usize>().is_ok() { "0" } else { s })
            .collect();
        let normalised = normalised.join(".");
        if path.trim().is_empty() {
            vec!["the source field is empty".to_owned()]
        } else if paths.contains(&normalised) {
            Vec::new()
        } else {
            vec![format!("`{}` is not a field of the source record", path.trim())]
        }
    }
}

impl FieldRule {
    fn evaluate(&self, default: &Option<String>, record: &Value) -> Result<Option<String>, String> {
        let mut value = self.source.read(default, record);
        for transform in &self.transforms {
            value = transform.apply(value, default, record)?;
        }
        Ok(value)
    }

    /// Every source path the rule reads (its source and `concat` parts).
    fn sources(&self) -> impl Iterator<Item = &str> {
        let parts = self.transforms.iter().flat_map(|t| match t {
            Transform::Concat { parts, .. } => parts.as_slice(),
            _ => &[],
        });
        std::iter::once(&self.source)
            .chain(parts)
            .filter_map(|source| match source {
                Source::Path(path) => Some(path.as_str()),
                _ => None,
            })
    }

    fn problems(&self, paths: &[String]) -> Vec<String> {
        let mut problems = self.source.problems(paths);
        for transform in &self.transforms {
            problems.extend(transform.problems(paths));
        }
        problems
    }
}

/// An order's JSON form, the source of its rules.
pub(crate) fn order_source(order: &SourceOrder) -> Value {
    serde_json::to_value(order).unwrap_or(Value::Null)
}

/// The order's JSON with `line` set to one of its lines, for line rules.
pub(crate) fn line_source(order: &Value, line: &SourceLine) -> Value {
    let mut source = order.clone();
    if let Value::Object(map) = &mut source {
        map.insert("line".to_owned(), serde_json::to_value(line).unwrap_or(Value::Null));
    }
    source
}

#[cfg(test)]
mod tests;
