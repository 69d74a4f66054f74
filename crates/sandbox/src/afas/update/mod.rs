//! UpdateConnectors (`POST`/`PUT`/`DELETE /connectors/{name}`): the body is validated against the official
//! schema first, then against Profit's business rules, and applied as one transaction: if any element or
//! line fails, nothing is written. Success answers 201 `{"results":{"<Connector>":{<assigned keys>}}}` to
//! both POST and PUT, as the OpenAPI specs give it; DELETE answers 200.

mod articles;
mod body;
mod financial;
mod relations;
mod sales;
mod stock;

use axum::http::StatusCode;
use serde_json::{Value, json};

use self::body::Element;
use super::error::AfasError;
use super::seed::FREE_FIELDS;
use super::store::{Fields, Store, Transaction};
use koppel_afas::schema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Self::Post => "POST",
            Self::Put => "PUT",
        }
    }
}

/// What the body asks of one connector: insert or update, and for `POST /connectors/X/<Lines>` the
/// sub-object whose elements are added to an existing parent.
#[derive(Debug, Clone, Copy)]
pub struct Write<'r> {
    pub connector: &'r str,
    pub method: Method,
    pub sub_object: Option<&'r str>,
}

type Handler = fn(&mut Transaction, Element, Write) -> Result<Fields, AfasError>;

fn handler(connector: &str) -> Option<Handler> {
    let handler: Handler = match connector {
        "FbSales" | "FbDirectInvoice" | "FbSalesQuotation" => sales::write,
        "KnSalesRelationOrg" | "KnSalesRelationPer" => relations::write,
        "FbItemArticle" => articles::write_article,
        "FbSalesPrice" => articles::write_price,
        "FbStockMutation" => stock::write,
        "FiEntries" => financial::write,
        _ => return None,
    };
    Some(handler)
}

pub fn is_update_connector(connector: &str) -> bool {
    handler(connector).is_some()
}

fn not_supported(connector: &str) -> AfasError {
    AfasError::query(format!(
        "UpdateConnector '{connector}' not supported for this app or the user is not authorized"
    ))
}

/// The body without the administration's free fields of `connector` (`seed::FREE_FIELDS`), which AFAS takes in
/// its UpdateConnectors beside the published fields; a value of the wrong type is refused as AFAS refuses one.
fn without_free_fields(connector: &str, body: &Value) -> Result<Value, AfasError> {
    let mut body = body.clone();
    let free: Vec<&(&str, &str, bool)> = FREE_FIELDS.iter().filter(|(c, ..)| *c == connector).collect();
    if free.is_empty() {
        return Ok(body);
    }
    let elements = match body.get_mut(connector).and_then(|root| root.get_mut("Element")) {
        Some(Value::Array(items)) => items.iter_mut().collect(),
        Some(element) => vec![element],
        None => Vec::new(),
    };
    for element in elements {
        let Some(fields) = element.get_mut("Fields").and_then(Value::as_object_mut) else {
            continue;
        };
        for (_, field, flag) in &free {
            match (fields.remove(*field), flag) {
                (None | Some(Value::Null) | Some(Value::Bool(_)), true) => {}
                (None | Some(Value::Null) | Some(Value::String(_)), false) => {}
                (Some(value), _) => {
                    return Err(AfasError::validation(format!(
                        "The value {value} is not valid for the field '{field}'."
                    )));
                }
            }
        }
    }
    Ok(body)
}

/// Runs a POST or PUT; returns the status and the `results` body, if any.
pub fn execute(
    store: &mut Store,
    connector: &str,
    sub_object: Option<&str>,
    method: Method,
    body: &Value,
) -> Result<(StatusCode, Option<Value>), AfasError> {
    let handler = handler(connector).ok_or_else(|| not_supported(connector))?;
    if let Some(sub_object) = sub_object
        && sales::lines_object(connector) != Some(sub_object)
    {
        return Err(AfasError::not_found());
    }
    // Adding lines to an existing parent updates the parent: its body has the PUT shape.
    let schema_method = if sub_object.is_some() { Method::Put } else { method };
    if !schema::supports(connector, schema_method.name()) {
        return Err(AfasError::validation(format!(
            "UpdateConnector '{connector}' does not support {}",
            method.name()
        )));
    }
    // The body's root is the connector's name, except where the schema names another (`FiEntryPar`).
    let root = schema::root(connector, schema_method.name()).unwrap_or(connector);
    if body.get(root).is_none() {
        return Err(AfasError::Bare(StatusCode::BAD_REQUEST));
    }
    // The administration's free fields are its own, not the published schema's: checked here, and kept.
    let published = without_free_fields(connector, body)?;
    if let Err(errors) = schema::validate(connector, schema_method.name(), &published) {
        return Err(AfasError::validation(format!(
            "The data sent does not match UpdateConnector '{connector}': {}",
            errors.join("; ")
        )));
    }
    let body = schema::normalize(body);
    let elements = Element::all_in(&body, root);
    let write = Write {
        connector,
        method,
        sub_object,
    };
    let mut transaction = Transaction::begin(store);
    let mut results = Vec::new();
    for element in elements {
        match handler(&mut transaction, element, write) {
            Ok(keys) => results.push(Value::Object(keys)),
            Err(error) => {
                transaction.rollback();
                return Err(error);
            }
        }
    }
    transaction.commit();
    // The OpenAPI specs answer POST and PUT alike: 201, with the keys when the connector has any
    // (FbStockMutation and FbSalesPrice have none and answer without a body).
    if results
        .iter()
        .all(|keys| keys.as_object().is_some_and(|keys| keys.is_empty()))
    {
        return Ok((StatusCode::CREATED, None));
    }
    let results = match results.len() {
        1 => results.remove(0),
        _ => Value::Array(results),
    };
    Ok((StatusCode::CREATED, Some(json!({ "results": { connector: results } }))))
}

/// `DELETE /connectors/{connector}/{object}/@{key}/{value}`.
pub fn delete(store: &mut Store, connector: &str, object: &str, key: &str, value: &str) -> Result<(), AfasError> {
    if handler(connector).is_none() {
        return Err(not_supported(connector));
    }
    let key = key.trim_start_matches('@');
    let mut transaction = Transaction::begin(store);
    let outcome = match (connector, object, key) {
        ("FbSales" | "FbSalesQuotation" | "FbDirectInvoice", _, "OrNu") if object == connector => {
            sales::delete(&mut transaction, connector, value)
        }
        ("FbItemArticle", "FbItemArticle", "ItCd") => articles::delete_article(&mut transaction, value),
        ("KnSalesRelationOrg" | "KnSalesRelationPer", _, "DbId") if object == connector => {
            relations::delete(&mut transaction, value)
        }
        _ => Err(AfasError::validation(format!(
            "UpdateConnector '{connector}' does not support DELETE of '{object}' by '{key}'"
        ))),
    };
    match outcome {
        Ok(()) => {
            transaction.commit();
            Ok(())
        }
        Err(error) => {
            transaction.rollback();
            Err(error)
        }
    }
}

/// Checks a code against a reference list (`label` is the field's name in Profit's message).
fn check_code(exists: bool, label: &str, value: &str) -> Result<(), AfasError> {
    if exists {
        Ok(())
    } else {
        Err(AfasError::does_not_exist(label, value))
    }
}
