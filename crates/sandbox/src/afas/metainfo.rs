//! `metainfo`: the list of connectors, a GetConnector's fields, and an UpdateConnector's fields (derived from
//! the official schema).

use serde_json::{Value, json};

use super::catalog::{DataType, built_in_connectors};
use super::error::AfasError;
use super::get_connectors;
use super::store::Store;
use koppel_afas::schema;

const UPDATE_CONNECTORS: &[(&str, &str)] = &[
    ("FbSales", "Sales order"),
    ("FbDirectInvoice", "Direct invoice"),
    ("FbSalesQuotation", "Sales quotation"),
    ("KnSalesRelationOrg", "Sales relation organisation"),
    ("KnSalesRelationPer", "Sales relation person"),
    ("FbItemArticle", "Article"),
    ("FbStockMutation", "Stock mutation"),
    ("FbSalesPrice", "Sales price"),
    ("FiEntries", "Financial entries"),
];

pub fn list(store: &Store) -> Value {
    let mut get: Vec<Value> = built_in_connectors()
        .iter()
        .map(|(def, _)| json!({"id": def.id, "description": def.description}))
        .collect();
    get.extend(
        store
            .custom_connectors
            .values()
            .map(|c| json!({"id": c.def.id, "description": c.def.description})),
    );
    let update: Vec<Value> = UPDATE_CONNECTORS
        .iter()
        .map(|(id, description)| json!({"id": id, "description": description}))
        .collect();
    json!({ "updateConnectors": update, "getConnectors": get })
}

pub fn get_connector(store: &Store, name: &str) -> Result<Value, AfasError> {
    let def = get_connectors::definition(store, name)
        .ok_or_else(|| AfasError::query("GetConnector not supported for this app or the user is not authorized"))?;
    let fields: Vec<Value> = def
        .fields
        .iter()
        .map(|field| {
            let (data_type, control_type, decimals) = match field.data_type {
                DataType::String => ("string", 1, 0),
                DataType::Int => ("int", 5, 0),
                DataType::Decimal => ("decimal", 4, 2),
                DataType::Boolean => ("boolean", 7, 0),
                DataType::Date => ("date", 8, 0),
            };
            json!({
                "id": field.id, "fieldId": field.id, "dataType": data_type, "label": field.label,
                "length": field.length, "controlType": control_type, "decimals": decimals, "decimalsFieldId": "",
            })
        })
        .collect();
    Ok(json!({ "name": def.id, "description": def.description, "fields": fields }))
}

pub fn update_connector(name: &str) -> Result<Value, AfasError> {
    let description = UPDATE_CONNECTORS
        .iter()
        .find(|(id, _)| *id == name)
        .map(|(_, description)| *description)
        .ok_or_else(|| AfasError::query(format!("UpdateConnector '{name}' not supported for this app")))?;
    let (required, properties) = schema::top_fields(name, "POST")
        .ok_or_else(|| AfasError::query(format!("UpdateConnector '{name}' not supported for this app")))?;
    let fields: Vec<Value> = properties
        .iter()
        .map(|(id, property)| {
            let data_type = match (property.get("type").and_then(Value::as_str), property.get("format")) {
                (_, Some(format)) if format == "date" => "date",
                (Some("integer"), _) => "int",
                (Some("number"), _) => "decimal",
                (Some("boolean"), _) => "boolean",
                _ => "string",
            };
            let label = property.get("description").and_then(Value::as_str).unwrap_or(id);
            let label = label.lines().next().unwrap_or(label);
            json!({
                "fieldId": id, "primaryKey": false, "dataType": data_type, "label": label,
                "mandatory": required.contains(id), "length": property.get("maxLength").cloned().unwrap_or(json!(0)),
                "values": property.get("enum").cloned().unwrap_or(json!([])),
            })
        })
        .collect();
    Ok(json!({ "name": name, "description": description, "fields": fields }))
}
