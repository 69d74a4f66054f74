//! Validation of UpdateConnector bodies against the official OpenAPI component schemas
//! (`components.schemas.<Connector>_<POST|PUT>`, vendored in `specs/afas-update-connectors.json`).
//!
//! The OpenAPI schema objects are adapted to JSON Schema once, when first used:
//! - unknown fields are rejected (Profit rejects fields a connector does not have), except key and action
//!   attributes such as `@DbId`, `@OrNu` or `@Action`, which the specs do not list;
//! - `nullable: true` also allows `null`;
//! - `format: date` becomes a pattern (a date, optionally with a time), `format: email` is checked, and the
//!   other formats (descriptive only: "number", "float", "byte", ...) are dropped;
//! - `""` passes a string field's format and enum checks: Profit reads it as "clear this field";
//! - `Element` may be one object or an array and `Objects` one object or an array, as Profit accepts both;
//!   [`normalize`] turns both into arrays before validation, so the schema expects arrays.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value, json};

const SPEC: &str = include_str!("../specs/afas-update-connectors.json");

/// A date, optionally with a time, or `""` (which clears a field).
const DATE_PATTERN: &str = r"^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?)?$";

static SCHEMAS: LazyLock<HashMap<String, (Value, OnceLock<Validator>)>> = LazyLock::new(|| {
    let spec: Value = serde_json::from_str(SPEC).expect("the vendored AFAS schemas are valid JSON");
    let schemas = spec
        .get("schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    schemas
        .into_iter()
        .map(|(name, schema)| (name, (schema, OnceLock::new())))
        .collect()
});

/// Validates an UpdateConnector body (as the client sends it) for `connector` and `method` (`POST`/`PUT`).
/// Each error names the JSON pointer of the offending part.
pub fn validate(connector: &str, method: &str, body: &Value) -> Result<(), Vec<String>> {
    let name = format!("{connector}_{}", method.to_ascii_uppercase());
    let Some((schema, validator)) = SCHEMAS.get(&name) else {
        return Err(vec![format!("UpdateConnector '{connector}' does not support {method}")]);
    };
    let validator = validator.get_or_init(|| compile(schema));
    let body = normalize(body);
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|error| {
            let path = error.instance_path().to_string();
            let path = if path.is_empty() { "/".to_owned() } else { path };
            format!("{path}: {error}")
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Whether the vendored schemas have `connector` for `method`.
pub fn supports(connector: &str, method: &str) -> bool {
    SCHEMAS.contains_key(&format!("{connector}_{}", method.to_ascii_uppercase()))
}

/// The body's root object for `connector` and `method`: usually the connector's name, but not always
/// (`FiEntries` bodies are `{"FiEntryPar": ...}`). Read from the schema, whose only property is the root.
pub fn root(connector: &str, method: &str) -> Option<&'static str> {
    let (schema, _) = SCHEMAS.get(&format!("{connector}_{}", method.to_ascii_uppercase()))?;
    let properties = schema.get("properties")?.as_object()?;
    match properties.len() {
        1 => properties.keys().next().map(String::as_str),
        _ => None,
    }
}

/// The field schemas (`properties` of `Fields`) of a connector's top element, for `metainfo/update/{name}`.
pub fn top_fields(connector: &str, method: &str) -> Option<(Vec<String>, Map<String, Value>)> {
    let (schema, _) = SCHEMAS.get(&format!("{connector}_{method}"))?;
    let root = root(connector, method)?;
    let fields = schema.pointer(&format!("/properties/{root}/properties/Element/properties/Fields"))?;
    let required = fields
        .get("required")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    Some((required, fields.get("properties")?.as_object()?.clone()))
}

/// Turns every `Element` and `Objects` that is a single object into a one-item array.
pub fn normalize(body: &Value) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("Element" | "Objects", Value::Object(_)) => Value::Array(vec![normalize(value)]),
                        _ => normalize(value),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

fn compile(schema: &Value) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .should_validate_formats(true)
        .build(&adapt(schema))
        .expect("the adapted AFAS schemas compile")
}

/// OpenAPI 3.0 schema object → strict JSON Schema (see the module comment).
fn adapt(schema: &Value) -> Value {
    let Value::Object(source) = schema else {
        return schema.clone();
    };
    let mut target = Map::new();
    for (key, value) in source {
        match key.as_str() {
            "properties" => {
                let properties = value.as_object().cloned().unwrap_or_default();
                let adapted: Map<String, Value> = properties
                    .iter()
                    .map(|(name, property)| {
                        let property = adapt(property);
                        let property = if name == "Element" && property.get("type") == Some(&json!("object")) {
                            json!({"type": "array", "items": property})
                        } else {
                            property
                        };
                        (name.clone(), property)
                    })
                    .collect();
                target.insert(key.clone(), Value::Object(adapted));
                target.insert("patternProperties".into(), json!({"^@": {}}));
                target.insert("additionalProperties".into(), json!(false));
            }
            "items" => {
                target.insert(key.clone(), adapt(value));
            }
            "format" => match value.as_str() {
                Some("date") => {
                    target.insert("pattern".into(), json!(DATE_PATTERN));
                }
                // `""` clears a field, so it passes the e-mail check.
                Some("email") => {
                    target.insert("anyOf".into(), json!([{"maxLength": 0}, {"format": "email"}]));
                }
                _ => {}
            },
            "enum" => {
                let mut values = value.as_array().cloned().unwrap_or_default();
                values.push(json!(""));
                target.insert(key.clone(), Value::Array(values));
            }
            "nullable" | "description" | "example" | "title" => {}
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    if source.get("nullable") == Some(&json!(true))
        && let Some(kind) = target.get("type").cloned()
    {
        target.insert("type".into(), json!([kind, "null"]));
    }
    Value::Object(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(fields: Value) -> Value {
        json!({"FbSales": {"Element": {"Fields": fields, "Objects": [{"FbSalesLines": {"Element": [
            {"Fields": {"VaIt": "2", "ItCd": "1000", "BiUn": "stk", "QuUn": 2, "Upri": 12.34}}
        ]}}]}}})
    }

    #[test]
    fn a_valid_order_passes() {
        validate(
            "FbSales",
            "POST",
            &order(json!({"DbId": "10000", "OrDa": "2026-11-29", "RfCs": "W-1"})),
        )
        .unwrap();
    }

    #[test]
    fn unknown_fields_wrong_types_and_lengths_are_rejected() {
        let errors = validate("FbSales", "POST", &order(json!({"DbId": "10000", "Nonsense": 1}))).unwrap_err();
        assert!(errors[0].contains("Nonsense"), "{errors:?}");
        assert!(validate("FbSales", "POST", &order(json!({"DbId": 10000}))).is_err());
        assert!(validate("FbSales", "POST", &order(json!({"DbId": "1".repeat(17)}))).is_err());
        assert!(validate("FbSales", "POST", &order(json!({"OrDa": "2026-11-29"}))).is_err());
        assert!(validate("FbSales", "POST", &order(json!({"DbId": "1", "OrDa": "29-11-2026"}))).is_err());
    }

    #[test]
    fn the_root_object_is_read_from_the_schema() {
        assert_eq!(root("FbSales", "POST"), Some("FbSales"));
        assert_eq!(root("FiEntries", "post"), Some("FiEntryPar"));
        assert_eq!(root("FiEntries", "PUT"), None);
        assert!(top_fields("FiEntries", "POST").is_some_and(|(required, _)| required.contains(&"JoCo".to_owned())));
    }

    #[test]
    fn key_attributes_and_single_elements_are_accepted() {
        // The schema marks `DbId` required in `Fields` on PUT; the `@DbId` attribute alone does not satisfy it.
        let attribute_only = json!({"KnSalesRelationOrg": {"Element": {"@DbId": "10001", "Fields": {"PaCd": "14"}}}});
        assert!(validate("KnSalesRelationOrg", "PUT", &attribute_only).is_err());
        let body =
            json!({"KnSalesRelationOrg": {"Element": {"@DbId": "10001", "Fields": {"DbId": "10001", "PaCd": "14"}}}});
        validate("KnSalesRelationOrg", "PUT", &body).unwrap();
    }

    #[test]
    fn every_vendored_schema_compiles() {
        for (name, (schema, _)) in SCHEMAS.iter() {
            assert!(compile(schema).is_valid(&json!({})) || !name.is_empty());
        }
    }
}
