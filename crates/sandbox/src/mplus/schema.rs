//! The XML Schema in the WSDL's `<types>`, indexed for two jobs:
//! - put a response's child elements in the order the schema's `<sequence>` demands (so handlers can build
//!   elements in any order and a name the schema does not know is caught instead of sent), and
//! - check a request the way the real (gSOAP) service does: every element must be in `urn:mplusqapi`, known to
//!   its parent's type, and hold a value of its simple type (number, boolean, enum value).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::WSDL;
use super::xml::Element;

pub const MPLUS_NS: &str = "urn:mplusqapi";

/// One child element a complex type allows.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    /// Local type name (`long`, `Order`, ...), or the key of an anonymous type.
    type_name: String,
}

#[derive(Debug, Default)]
pub struct Schema {
    /// Complex types by name; the anonymous type of a top-level element is keyed `element:<name>`.
    complex: HashMap<String, Vec<Field>>,
    /// Enum values of the simple types.
    enums: HashMap<String, Vec<String>>,
    /// Top-level elements and the key of their type.
    elements: HashMap<String, String>,
}

/// The schema of the served WSDL, read once.
pub static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::from_wsdl(WSDL).expect("the bundled WSDL parses"));

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

impl Schema {
    fn from_wsdl(wsdl: &str) -> Result<Self, String> {
        let root = Element::parse(wsdl.trim_start_matches('\u{feff}')).map_err(|e| e.0)?;
        let schema = root
            .child("types")
            .and_then(|types| types.child("schema"))
            .ok_or("the WSDL has no <types><schema>")?;
        let mut raw_complex: HashMap<String, &Element> = HashMap::new();
        let mut index = Schema::default();
        for definition in &schema.children {
            let Some(name) = definition_name(definition) else {
                continue;
            };
            match definition.name.as_str() {
                "complexType" => {
                    raw_complex.insert(name, definition);
                }
                "simpleType" => {
                    let values = definition
                        .children_named("restriction")
                        .flat_map(|restriction| restriction.children_named("enumeration"))
                        .filter_map(|value| attribute(value, "value"))
                        .collect::<Vec<_>>();
                    if !values.is_empty() {
                        index.enums.insert(name, values);
                    }
                }
                "element" => {
                    let key = match attribute(definition, "type") {
                        Some(type_name) => local(&type_name).to_owned(),
                        None => {
                            let key = format!("element:{name}");
                            if let Some(anonymous) = definition.child("complexType") {
                                raw_complex.insert(key.clone(), anonymous);
                            }
                            key
                        }
                    };
                    index.elements.insert(name, key);
                }
                _ => {}
            }
        }
        for name in raw_complex.keys() {
            let fields = flatten_fields(name, &raw_complex);
            index.complex.insert(name.clone(), fields);
        }
        Ok(index)
    }

    /// The type key of a top-level element (a request or response element).
    pub fn element_type(&self, element: &str) -> Option<&str> {
        self.elements.get(element).map(String::as_str)
    }

    /// Reorders `element`'s descendants into schema order. Errors name an element the type does not have.
    pub fn order(&self, element: &mut Element, type_key: &str) -> Result<(), String> {
        let Some(fields) = self.complex.get(type_key) else {
            return Ok(());
        };
        let mut positioned = Vec::with_capacity(element.children.len());
        for child in std::mem::take(&mut element.children) {
            let position = fields
                .iter()
                .position(|field| field.name == child.name)
                .ok_or_else(|| format!("type {type_key} has no element '{}'", child.name))?;
            positioned.push((position, child));
        }
        positioned.sort_by_key(|(position, _)| *position);
        for (position, mut child) in positioned {
            self.order(&mut child, &fields[position].type_name)?;
            element.children.push(child);
        }
        Ok(())
    }

    /// Checks a request element against its type: namespace, known names, simple values.
    pub fn check(&self, element: &Element, type_key: &str) -> Result<(), String> {
        if element.namespace.as_deref() != Some(MPLUS_NS) {
            return Err(format!(
                "Validation constraint violation: tag name or namespace mismatch in element '{}'",
                element.name
            ));
        }
        if let Some(fields) = self.complex.get(type_key) {
            for child in &element.children {
                let field = fields.iter().find(|field| field.name == child.name).ok_or_else(|| {
                    format!(
                        "Validation constraint violation: tag name or namespace mismatch in element '{}'",
                        child.name
                    )
                })?;
                self.check(child, &field.type_name)?;
            }
            return Ok(());
        }
        let value = element.text.trim();
        let valid = match type_key {
            "long" | "int" | "short" => value.parse::<i64>().is_ok(),
            "boolean" => matches!(value, "true" | "false" | "1" | "0"),
            "decimal" | "double" | "float" => value.parse::<f64>().is_ok(),
            other => self
                .enums
                .get(other)
                .is_none_or(|values| values.iter().any(|v| v == value)),
        };
        if valid {
            Ok(())
        } else {
            Err(format!(
                "Validation constraint violation: data type mismatch in element '{}' ('{value}' is not a valid {type_key})",
                element.name
            ))
        }
    }
}

fn attribute(element: &Element, name: &str) -> Option<String> {
    element
        .attributes
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

fn definition_name(definition: &Element) -> Option<String> {
    attribute(definition, "name")
}

/// The fields of a complex type in order, with an extension's base fields first.
fn flatten_fields(name: &str, raw: &HashMap<String, &Element>) -> Vec<Field> {
    let Some(definition) = raw.get(name) else {
        return Vec::new();
    };
    let mut fields = Vec::new();
    collect_fields(definition, raw, &mut fields);
    fields
}

fn collect_fields(node: &Element, raw: &HashMap<String, &Element>, fields: &mut Vec<Field>) {
    for child in &node.children {
        match child.name.as_str() {
            "element" => {
                if let Some(name) = attribute(child, "name") {
                    let type_name = attribute(child, "type")
                        .map(|t| local(&t).to_owned())
                        .unwrap_or_default();
                    fields.push(Field { name, type_name });
                }
            }
            "extension" => {
                if let Some(base) = attribute(child, "base") {
                    fields.extend(flatten_fields(local(&base), raw));
                }
                collect_fields(child, raw, fields);
            }
            "sequence" | "all" | "choice" | "complexContent" => collect_fields(child, raw, fields),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_response_order_and_extensions() {
        let mut response = Element::new("CreateOrderV3Response")
            .with_leaf("errorMessage", "")
            .with_leaf("result", "CREATE-ORDER-RESULT-OK")
            .with_leaf("idempotencyResult", "IDEMPOTENCY-RESULT-ORIGINAL-RESPONSE");
        let key = SCHEMA.element_type("CreateOrderV3Response").unwrap().to_owned();
        SCHEMA.order(&mut response, &key).unwrap();
        let names: Vec<_> = response.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["idempotencyResult", "result", "errorMessage"]);
        assert!(SCHEMA.order(&mut Element::new("x").with_leaf("nope", 1), &key).is_err());
    }

    #[test]
    fn checks_request_values() {
        let ns = Some(MPLUS_NS.to_owned());
        let leaf = |name: &str, text: &str| Element {
            name: name.into(),
            namespace: ns.clone(),
            text: text.into(),
            ..Element::default()
        };
        let mut request = Element {
            name: "getOrder".into(),
            namespace: ns.clone(),
            ..Element::default()
        };
        request.push(leaf("orderId", "abc"));
        assert!(SCHEMA.check(&request, "element:getOrder").is_ok());
        request.push(leaf("bogus", "1"));
        assert!(SCHEMA.check(&request, "element:getOrder").is_err());
        let stock = Element {
            name: "request".into(),
            namespace: ns.clone(),
            children: vec![leaf("branchNumber", "one")],
            ..Element::default()
        };
        assert!(SCHEMA.check(&stock, "GetStockRequest").is_err());
    }
}
