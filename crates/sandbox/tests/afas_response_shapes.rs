//! AFAS simulator: its responses checked against the response schemas of the official OpenAPI
//! specifications (AFAS Profit 6.6.9; the response objects below are taken from `paths` and
//! `components.responses` there, with `nullable` written as a `null` type).

mod afas_support;

use afas_support::Afas;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn assert_matches(schema: Value, instance: &Value) {
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?} in {instance}");
}

/// `GET /connectors/{Endpoint}` 200.
fn get_connector_page() -> Value {
    json!({"type": "object", "required": ["skip", "take", "rows"], "properties": {
        "skip": {"type": "integer"}, "take": {"type": "integer"},
        "rows": {"type": "array", "items": {"type": "object"}}}})
}

/// `GET /connectors/Profit_SalesPrice` 200 (the OpenAPI's row object, its fields nullable: AFAS sends `null`
/// for an empty value, such as the `Level` of a debtor's own price).
fn sales_price_page() -> Value {
    let nullable = |kind: &str| json!({"type": [kind, "null"]});
    let row = json!({"type": "object", "additionalProperties": false, "properties": {
        "Debtor": nullable("string"), "Date": nullable("string"), "Currency": nullable("string"),
        "Volume": nullable("boolean"), "Level": nullable("string"), "Item": nullable("string"),
        "Description": nullable("string"), "Quantity": nullable("number"), "Unit": nullable("string"),
        "GrossPrice": nullable("number"), "Discount": nullable("number"), "Nettoprijs": nullable("number")}});
    json!({"type": "object", "required": ["skip", "take", "rows"], "properties": {
        "skip": {"type": "integer"}, "take": {"type": "integer"}, "rows": {"type": "array", "items": row}}})
}

/// `GET /MetaInfo` 200.
fn metainfo_list() -> Value {
    let list = json!({"type": "array", "items": {"type": "object", "required": ["id", "description"],
        "properties": {"id": {"type": "string"}, "description": {"type": "string"}}}});
    json!({"type": "object", "required": ["updateConnectors", "getConnectors"],
        "properties": {"updateConnectors": list, "getConnectors": list}})
}

/// `GET /Metainfo/{Type}/{Endpoint}` 200.
fn metainfo_connector() -> Value {
    json!({"type": "object", "required": ["name", "description", "fields"], "properties": {
        "name": {"type": "string"}, "description": {"type": "string"},
        "fields": {"type": "array", "items": {"type": "object",
            "required": ["id", "fieldId", "dataType", "label", "length", "controlType", "decimals", "decimalsFieldId"],
            "properties": {
                "id": {"type": "string"}, "fieldId": {"type": "string"}, "dataType": {"type": "string"},
                "label": {"type": "string"}, "length": {"type": "integer"}, "controlType": {"type": "integer"},
                "decimals": {"type": "integer"}, "decimalsFieldId": {"type": "string"}}}}}})
}

/// `components.responses.503`.
fn unavailable() -> Value {
    json!({"type": "object", "required": ["error", "retry_after"], "properties": {
        "error": {"type": "object", "required": ["code", "message"],
                  "properties": {"code": {"type": "string"}, "message": {"type": "string"}}},
        "retry_after": {"type": "integer"}}})
}

/// The 201 of an UpdateConnector (the examples' `{"results":{"<Connector>":{"<Key>":"PrimaryKeyValue"}}}`).
fn created(connector: &str, keys: &[&str]) -> Value {
    let properties: serde_json::Map<String, Value> = keys
        .iter()
        .map(|k| (k.to_string(), json!({"type": "string"})))
        .collect();
    json!({"type": "object", "required": ["results"], "additionalProperties": false, "properties": {
        "results": {"type": "object", "required": [connector], "additionalProperties": false, "properties": {
            connector: {"type": "object", "required": keys, "additionalProperties": false, "properties": properties}}}}})
}

#[tokio::test]
async fn get_connector_and_metainfo_responses_match_the_spec() {
    let afas = Afas::start().await;
    for connector in [
        "Profit_Debtor",
        "Profit_Article",
        "Profit_Stock_per_Warehouse",
        "Profit_Administrations",
        "Profit_SalesPrice",
    ] {
        let page: Value = afas
            .get(&format!("/connectors/{connector}"))
            .await
            .json()
            .await
            .unwrap();
        assert_matches(get_connector_page(), &page);
        let meta: Value = afas
            .get(&format!("/metainfo/get/{connector}"))
            .await
            .json()
            .await
            .unwrap();
        assert_matches(metainfo_connector(), &meta);
        // Every row has exactly the fields the metainfo lists.
        let ids: Vec<&str> = meta["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        let row_keys: Vec<&str> = page["rows"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let (mut ids_sorted, mut keys_sorted) = (ids.clone(), row_keys.clone());
        ids_sorted.sort();
        keys_sorted.sort();
        assert_eq!(ids_sorted, keys_sorted, "{connector}");
    }
    for query in [
        "",
        "?skip=-1&take=-1&filterfieldids=Volume&filtervalues=true&operatortypes=1",
    ] {
        let page: Value = afas
            .get(&format!("/connectors/Profit_SalesPrice{query}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(!page["rows"].as_array().unwrap().is_empty());
        assert_matches(sales_price_page(), &page);
    }
    let list: Value = afas.get("/metainfo").await.json().await.unwrap();
    assert_matches(metainfo_list(), &list);
    let version: Value = afas.get("/ProfitVersion").await.json().await.unwrap();
    assert_matches(
        json!({"type": "object", "required": ["version"], "properties": {"version": {"type": "string"}}}),
        &version,
    );
}

#[tokio::test]
async fn update_connector_and_fault_responses_match_the_spec() {
    let afas = Afas::start().await;
    let order = json!({"FbSales": {"Element": {"Fields": {"DbId": "10000", "RfCs": "SHAPE-1"}}}});
    let body: Value = afas.post("FbSales", order).await.json().await.unwrap();
    assert_matches(created("FbSales", &["OrNu"]), &body);
    let invoice = json!({"FbDirectInvoice": {"Element": {"Fields": {"DbId": "10000"}}}});
    let body: Value = afas.post("FbDirectInvoice", invoice).await.json().await.unwrap();
    assert_matches(created("FbDirectInvoice", &["OrNu", "Liln"]), &body);
    let article = json!({"FbItemArticle": {"Element": {"Fields": {"ItCd": "SHAPE", "Grp": "900", "BiUn": "stk"}}}});
    let body: Value = afas.post("FbItemArticle", article).await.json().await.unwrap();
    assert_matches(created("FbItemArticle", &["ItCd"]), &body);

    let rule = json!({"kind": "unavailable", "retry_after": 3, "times": 1});
    afas.control(Method::POST, "/_sandbox/faults", Some(rule)).await;
    let response = afas.get("/connectors/Profit_Debtor").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_matches(unavailable(), &response.json().await.unwrap());
}
