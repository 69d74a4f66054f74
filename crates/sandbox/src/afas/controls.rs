//! The AFAS-specific `/_sandbox/` controls (the journal, faults and latency come from [`crate::control`]):
//!
//! | Endpoint | Body | Effect |
//! |---|---|---|
//! | `POST /_sandbox/reset` | none, or `{"seed": 7}` | reseed the data; clear journal, faults, latency and access rules |
//! | `POST /_sandbox/ip-allow-list` | `{"allow": ["127.0.0.1"]}` (`null` or `[]`: off) | other addresses get 403 |
//! | `POST /_sandbox/allowed-connectors` | `{"connectors": ["Profit_Debtor"]}` (`null`: all) | other connectors get 401 |
//! | `POST /_sandbox/concurrency-limit` | `{"enabled": true}` (limit 8) or `{"limit": 3}`; `{"enabled": false}` | requests beyond the limit get a 500 |
//! | `POST /_sandbox/unsorted-order` | `{"shuffle": true}` | rows of requests without `orderbyfieldids` come in random order |
//! | `POST /_sandbox/get-connectors` | see [`CustomConnectorRequest`] | add or replace a custom GetConnector |
//! | `POST /_sandbox/debtors` | see [`DebtorRequest`] | add a debtor, or change one (`debtorId` given and known) |
//! | `POST /_sandbox/articles` | see [`ArticleRequest`] | add or change an article |
//! | `POST /_sandbox/stock` | `{"itemCode": "1000", "warehouse": "01", "quantity": 12}` | set a stock level |
//! | `POST /_sandbox/article-dimensions` | `{"itemCode": "1030", "combinations": [{"dimension1": "ROOD", "dimension2": "XL", "barcode": "8712345100403"}]}` | replace a dimension article's combinations (`[]`: none), as editing the item in Profit does (its `ModifiedDate` becomes now); see [`ArticleDimensionsRequest`] |
//! | `POST /_sandbox/discount-groups` | `{"code": "HOR", "description": "Horeca", "lines": [{"articleGroup": "100", "percentage": "12.5"}]}`, optionally `"startDate"`/`"endDate"` (`YYYY-MM-DD`, `"endDate": null`: open-ended) | create a sales discount group or replace its lines (what `Koppel_DiscountGroups` lists, and what a debtor's `DsGr` may name); see [`DiscountGroupRequest`] |
//! | `POST /_sandbox/sales-order-status` | `{"orderNumber": "20001", "status": "Geleverd"}`, optionally `"delivered": [{"seqNo": 1, "quantity": 2}]` | a sales order's state, as a delivery or invoice in Profit sets it (its `ModifiedDate` becomes now), and what of its lines went out (`Profit_SalesorderLines.QuantityDelivered`) |

use std::collections::BTreeSet;
use std::net::IpAddr;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::catalog::{ConnectorDef, CustomConnector, FieldDef, built_in};
use super::fields::json_number;
use super::fields::text;
use super::seed::{address, object};
use super::store::{
    Article, DISCOUNT_GROUP_CODE_LENGTH, Debtor, DimensionCombination, DiscountGroup, Party, PartyKind, Transaction,
    next_number,
};
use super::table::Row;
use super::{AFAS_CONCURRENCY_LIMIT, AfasState};

pub fn routes() -> Router {
    Router::new()
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/ip-allow-list", post(ip_allow_list))
        .route("/_sandbox/allowed-connectors", post(allowed_connectors))
        .route("/_sandbox/concurrency-limit", post(concurrency_limit))
        .route("/_sandbox/unsorted-order", post(unsorted_order))
        .route("/_sandbox/get-connectors", post(custom_connector))
        .route("/_sandbox/debtors", post(debtor))
        .route("/_sandbox/articles", post(article))
        .route("/_sandbox/article-dimensions", post(article_dimensions))
        .route("/_sandbox/discount-groups", post(discount_group))
        .route("/_sandbox/sales-order-status", post(sales_order_status))
        .route("/_sandbox/stock", post(stock))
}

fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message.into()}))).into_response()
}

#[derive(Debug, Deserialize, Default)]
struct ResetRequest {
    seed: Option<u64>,
}

async fn reset(state: AfasState, body: Bytes) -> Response {
    let request: ResetRequest = if body.is_empty() {
        ResetRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(request) => request,
            Err(error) => return bad_request(error.to_string()),
        }
    };
    state.reset(request.seed);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Debug, Deserialize)]
struct IpAllowListRequest {
    allow: Option<Vec<IpAddr>>,
}

async fn ip_allow_list(state: AfasState, Json(request): Json<IpAllowListRequest>) -> StatusCode {
    state.access_mut().ip_allow_list = request.allow.filter(|list| !list.is_empty());
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct AllowedConnectorsRequest {
    connectors: Option<BTreeSet<String>>,
}

async fn allowed_connectors(state: AfasState, Json(request): Json<AllowedConnectorsRequest>) -> StatusCode {
    state.access_mut().allowed_connectors = request.connectors;
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct ConcurrencyLimitRequest {
    enabled: Option<bool>,
    limit: Option<usize>,
}

async fn concurrency_limit(state: AfasState, Json(request): Json<ConcurrencyLimitRequest>) -> StatusCode {
    let limit = match (request.enabled, request.limit) {
        (Some(false), _) => None,
        (_, Some(0)) => None,
        (_, Some(limit)) => Some(limit),
        (Some(true), None) => Some(AFAS_CONCURRENCY_LIMIT),
        (None, None) => None,
    };
    state.access_mut().concurrency_limit = limit;
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct UnsortedOrderRequest {
    shuffle: bool,
}

async fn unsorted_order(state: AfasState, Json(request): Json<UnsortedOrderRequest>) -> StatusCode {
    state.access_mut().shuffle_unsorted = request.shuffle;
    StatusCode::NO_CONTENT
}

/// A custom GetConnector: either `rows` with the given `fields`, or a view on a standard connector
/// (`source`) whose fields name a source field (`sourceFieldId`, default: the same id).
///
/// ```json
/// {"id": "Koppel_Articles", "description": "Articles for Koppel", "source": "Profit_Article",
///  "fields": [{"id": "Code", "sourceFieldId": "ItemCode"}, {"id": "Description"}]}
/// {"id": "Koppel_Branches", "fields": [{"id": "Code", "dataType": "string", "length": 10}],
///  "rows": [{"Code": "AMS"}]}
/// ```
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomConnectorRequest {
    id: String,
    #[serde(default)]
    description: String,
    source: Option<String>,
    fields: Vec<CustomField>,
    #[serde(default)]
    rows: Vec<Row>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomField {
    id: String,
    source_field_id: Option<String>,
    data_type: Option<super::catalog::DataType>,
    label: Option<String>,
    length: Option<u32>,
}

async fn custom_connector(state: AfasState, Json(request): Json<CustomConnectorRequest>) -> Response {
    let source_def = match &request.source {
        Some(source) => match built_in(source) {
            Some(def) => Some(def),
            None => return bad_request(format!("unknown source connector '{source}'")),
        },
        None => None,
    };
    let mut fields = Vec::new();
    let mut source_fields = Vec::new();
    for field in request.fields {
        let source_id = field.source_field_id.unwrap_or_else(|| field.id.clone());
        let source_field = source_def.and_then(|def| def.field(&source_id));
        if source_def.is_some() && source_field.is_none() {
            return bad_request(format!("field '{source_id}' is not in the source connector"));
        }
        let data_type = field
            .data_type
            .or(source_field.map(|f| f.data_type))
            .unwrap_or(super::catalog::DataType::String);
        fields.push(FieldDef {
            label: field.label.unwrap_or_else(|| field.id.clone()),
            length: field.length.or(source_field.map(|f| f.length)).unwrap_or(0),
            id: field.id,
            data_type,
        });
        source_fields.push(source_id);
    }
    let connector = CustomConnector {
        def: ConnectorDef {
            id: request.id.clone(),
            description: request.description,
            fields,
        },
        source: request.source,
        source_fields,
        rows: request.rows,
    };
    state.store_mut().custom_connectors.insert(request.id, connector);
    StatusCode::NO_CONTENT.into_response()
}

/// A debtor to add (or change, when `debtorId` names an existing one: only the fields given change).
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct DebtorRequest {
    debtor_id: Option<String>,
    name: Option<String>,
    /// A private person instead of an organisation (on insert).
    person: bool,
    email: Option<String>,
    street: Option<String>,
    house_number: Option<i64>,
    postcode: Option<String>,
    city: Option<String>,
    country: Option<String>,
    currency: Option<String>,
    payment_condition: Option<String>,
    blocked: Option<bool>,
}

async fn debtor(state: AfasState, Json(request): Json<DebtorRequest>) -> Response {
    let mut store = state.store_mut();
    let mut tx = Transaction::begin(&mut store);
    let existing = request
        .debtor_id
        .as_ref()
        .and_then(|id| tx.store().debtors.get(id).cloned());
    let (id, mut debtor, mut party) = match existing {
        Some(debtor) => {
            let party = tx
                .store()
                .parties
                .get(&debtor.party)
                .cloned()
                .expect("a debtor's party exists");
            (request.debtor_id.clone().unwrap_or_default(), debtor, party)
        }
        None => {
            let counters = tx.counters();
            let id = request
                .debtor_id
                .clone()
                .unwrap_or_else(|| next_number(&mut counters.debtor));
            let code = next_number(&mut counters.party);
            let kind = if request.person {
                PartyKind::Person
            } else {
                PartyKind::Organisation
            };
            let party = Party {
                kind,
                fields: object(json!({ "BcCo": code })),
                address: None,
                postal_address: None,
                bank_account: None,
                contacts: Vec::new(),
            };
            let debtor = Debtor {
                party: code,
                fields: object(json!({"CuId": "EUR", "PaCd": "14", "IsDb": true})),
                created: tx.now,
                modified: tx.now,
            };
            (id, debtor, party)
        }
    };
    if let Some(name) = &request.name {
        let field = if party.kind == PartyKind::Person { "LaNm" } else { "Nm" };
        party.fields.insert(field.into(), json!(name));
    }
    if let Some(email) = &request.email {
        party.fields.insert("EmAd".into(), json!(email));
    }
    if let Some(country) = &request.country {
        party.address = Some(address(
            request.street.as_deref().unwrap_or_default(),
            request.house_number.unwrap_or(1),
            None,
            request.postcode.as_deref().unwrap_or_default(),
            request.city.as_deref().unwrap_or_default(),
            country,
        ));
    }
    for (field, value) in [("CuId", &request.currency), ("PaCd", &request.payment_condition)] {
        if let Some(value) = value {
            debtor.fields.insert(field.into(), json!(value));
        }
    }
    if let Some(blocked) = request.blocked {
        debtor.fields.insert("BlTl".into(), json!(blocked));
    }
    debtor.modified = tx.now;
    let code = debtor.party.clone();
    tx.put_party(code.clone(), Some(party));
    tx.put_debtor(id.clone(), Some(debtor));
    tx.commit();
    Json(json!({"DbId": id, "BcCo": code})).into_response()
}

/// An article to add or change (by `itemCode`); only the fields given change.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ArticleRequest {
    item_code: String,
    description: Option<String>,
    group: Option<String>,
    unit: Option<String>,
    price: Option<Decimal>,
    vat_group: Option<String>,
    barcode: Option<String>,
    tracks_stock: Option<bool>,
    blocked: Option<bool>,
}

async fn article(state: AfasState, Json(request): Json<ArticleRequest>) -> Response {
    if request.item_code.is_empty() {
        return bad_request("itemCode is required");
    }
    let mut store = state.store_mut();
    let mut tx = Transaction::begin(&mut store);
    let mut article = tx
        .store()
        .articles
        .get(&request.item_code)
        .cloned()
        .unwrap_or_else(|| Article {
            fields: object(json!({"ItCd": request.item_code, "Grp": "900", "BiUn": "stk", "VaRc": "1", "BiSt": true})),
            created: tx.now,
            modified: tx.now,
        });
    let changes: [(&str, Option<Value>); 8] = [
        ("Ds", request.description.map(Value::from)),
        ("Grp", request.group.map(Value::from)),
        ("BiUn", request.unit.map(Value::from)),
        ("SaPrice", request.price.map(json_number)),
        ("VaRc", request.vat_group.map(Value::from)),
        ("BaCo", request.barcode.map(Value::from)),
        ("BiSt", request.tracks_stock.map(Value::from)),
        ("Bl", request.blocked.map(Value::from)),
    ];
    for (field, value) in changes {
        if let Some(value) = value {
            article.fields.insert(field.into(), value);
        }
    }
    article.modified = tx.now;
    tx.put_article(request.item_code.clone(), Some(article));
    tx.commit();
    Json(json!({"ItCd": request.item_code})).into_response()
}

/// The dimension combinations of a dimension article, replacing the ones it has (`Profit_Barcode_per_Item`
/// lists their barcodes; sales lines must name one). The article must have dimension kinds (`StD1`, and
/// `dimension2` is given exactly when it has `StD2`); barcodes must be new to the administration.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleDimensionsRequest {
    item_code: String,
    combinations: Vec<CombinationRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CombinationRequest {
    dimension1: String,
    dimension2: Option<String>,
    barcode: String,
}

/// Profit's lengths of a dimension code (`StL1`, `StL2`) and a barcode (`BaCo`).
const DIMENSION_CODE_LENGTH: usize = 10;
const BARCODE_LENGTH: usize = 30;

async fn article_dimensions(state: AfasState, Json(request): Json<ArticleDimensionsRequest>) -> Response {
    let mut store = state.store_mut();
    let code = request.item_code;
    let Some(mut article) = store.articles.get(&code).cloned() else {
        return bad_request(format!("unknown article '{code}'"));
    };
    if text(&article.fields, "StD1").is_none() {
        return bad_request(format!(
            "article '{code}' has no dimension kinds (StD1): it cannot have dimension combinations"
        ));
    }
    let has_second_kind = text(&article.fields, "StD2").is_some();
    let mut combinations: Vec<DimensionCombination> = Vec::new();
    for combination in request.combinations {
        let dimension2 = combination.dimension2.filter(|code| !code.is_empty());
        let named = match &dimension2 {
            Some(second) => format!("{}/{second}", combination.dimension1),
            None => combination.dimension1.clone(),
        };
        match (has_second_kind, &dimension2) {
            (true, None) => {
                return bad_request(format!(
                    "article '{code}' has a second dimension kind (StD2): combination {named} needs dimension2"
                ));
            }
            (false, Some(_)) => {
                return bad_request(format!(
                    "article '{code}' has no second dimension kind (StD2): combination {named} cannot have dimension2"
                ));
            }
            _ => {}
        }
        let mut codes = std::iter::once(&combination.dimension1).chain(dimension2.as_ref());
        if let Some(bad) = codes.find(|c| c.is_empty() || c.chars().count() > DIMENSION_CODE_LENGTH) {
            return bad_request(format!(
                "dimension code '{bad}' must have 1 to {DIMENSION_CODE_LENGTH} characters"
            ));
        }
        let barcode = combination.barcode;
        if barcode.is_empty() || barcode.chars().count() > BARCODE_LENGTH {
            return bad_request(format!(
                "combination {named} needs a barcode of 1 to {BARCODE_LENGTH} characters"
            ));
        }
        if combinations
            .iter()
            .any(|other| other.is(&combination.dimension1, dimension2.as_deref()))
        {
            return bad_request(format!("combination {named} is given twice"));
        }
        let taken = combinations.iter().any(|other| other.barcode == barcode)
            || store
                .articles
                .values()
                .any(|other| text(&other.fields, "BaCo") == Some(barcode.as_str()))
            || store
                .dimensions
                .iter()
                .filter(|(item, _)| **item != code)
                .flat_map(|(_, list)| list)
                .any(|other| other.barcode == barcode);
        if taken {
            return bad_request(format!("barcode '{barcode}' is already in use"));
        }
        combinations.push(DimensionCombination {
            dimension1: combination.dimension1,
            dimension2,
            barcode,
        });
    }
    let count = combinations.len();
    let mut tx = Transaction::begin(&mut store);
    article.modified = tx.now;
    tx.put_article(code.clone(), Some(article));
    tx.put_dimensions(code.clone(), Some(combinations));
    tx.commit();
    Json(json!({"ItCd": code, "combinations": count})).into_response()
}

/// A sales discount group to create, or whose lines to replace (the code is matched regardless of case, as
/// Profit's collation does). `description` and the dates stay as they are when left out (a new group: no
/// description, valid from today, open-ended). Each line is for an article group of the administration, once,
/// with a percentage 0–100 (a JSON number or a decimal string, kept exactly).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountGroupRequest {
    code: String,
    description: Option<String>,
    start_date: Option<chrono::NaiveDate>,
    /// Absent: unchanged; `null`: open-ended.
    #[serde(default, deserialize_with = "present")]
    end_date: Option<Option<chrono::NaiveDate>>,
    lines: Vec<DiscountLineRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiscountLineRequest {
    article_group: String,
    percentage: Value,
}

/// A field that is present (maybe `null`), as opposed to absent (`None` through `#[serde(default)]`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A percentage from a JSON number or string, kept exactly.
fn percentage(value: &Value) -> Option<Decimal> {
    let text = match value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_owned(),
        _ => return None,
    };
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(&text).ok())
}

async fn discount_group(state: AfasState, Json(request): Json<DiscountGroupRequest>) -> Response {
    let code = request.code.trim();
    if code.is_empty() || code.chars().count() > DISCOUNT_GROUP_CODE_LENGTH {
        return bad_request(format!(
            "code must have 1 to {DISCOUNT_GROUP_CODE_LENGTH} characters (a debtor's DsGr holds {DISCOUNT_GROUP_CODE_LENGTH})"
        ));
    }
    let mut store = state.store_mut();
    let mut lines = std::collections::BTreeMap::new();
    for line in &request.lines {
        let group = line.article_group.trim();
        let Some(group) = store
            .reference
            .article_groups
            .keys()
            .find(|known| known.eq_ignore_ascii_case(group))
            .cloned()
        else {
            return bad_request(format!("unknown article group '{group}'"));
        };
        let Some(value) = percentage(&line.percentage) else {
            return bad_request(format!(
                "percentage {} of article group {group} is not a number",
                line.percentage
            ));
        };
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return bad_request(format!(
                "percentage {value} of article group {group} is not between 0 and 100"
            ));
        }
        if lines.insert(group.clone(), value).is_some() {
            return bad_request(format!("article group {group} is given twice"));
        }
    }
    let code = store
        .reference
        .discount_group(code)
        .map_or_else(|| code.to_owned(), str::to_owned);
    let mut tx = Transaction::begin(&mut store);
    let mut group = tx
        .store()
        .reference
        .discount_groups
        .get(&code)
        .cloned()
        .unwrap_or_else(|| DiscountGroup {
            description: String::new(),
            start_date: tx.now.date(),
            end_date: None,
            currency: "EUR".to_owned(),
            lines: Default::default(),
        });
    if let Some(description) = request.description {
        group.description = description;
    }
    if let Some(start) = request.start_date {
        group.start_date = start;
    }
    if let Some(end) = request.end_date {
        group.end_date = end;
    }
    if group.end_date.is_some_and(|end| end < group.start_date) {
        return bad_request(format!("endDate of discount group {code} is before its startDate"));
    }
    group.lines = lines;
    let count = group.lines.len();
    tx.put_discount_group(code.clone(), group);
    tx.commit();
    Json(json!({"code": code, "lines": count})).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SalesOrderStatusRequest {
    order_number: String,
    status: String,
    /// What of each line went out (a partial delivery), by line number (`SeqNo`, from 1).
    #[serde(default)]
    delivered: Vec<DeliveredLine>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeliveredLine {
    seq_no: usize,
    quantity: Decimal,
}

/// The line field the sandbox keeps a line's delivered quantity in (`Profit_SalesorderLines.QuantityDelivered`).
pub const DELIVERED_FIELD: &str = "QuantityDelivered";

async fn sales_order_status(state: AfasState, Json(request): Json<SalesOrderStatusRequest>) -> Response {
    let mut store = state.store_mut();
    let mut tx = Transaction::begin(&mut store);
    let Some(mut document) = tx.store().documents.get(&request.order_number).cloned() else {
        return bad_request(format!("sales order {} does not exist", request.order_number));
    };
    for line in &request.delivered {
        let Some(fields) = line
            .seq_no
            .checked_sub(1)
            .and_then(|index| document.lines.get_mut(index))
        else {
            return bad_request(format!(
                "sales order {} has no line {}",
                request.order_number, line.seq_no
            ));
        };
        fields.insert(DELIVERED_FIELD.into(), json_number(line.quantity));
    }
    document.status = Some(request.status.clone());
    document.modified = tx.now;
    tx.put_document(request.order_number.clone(), Some(document));
    tx.commit();
    Json(json!({"OrderNumber": request.order_number, "Status": request.status})).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StockRequest {
    item_code: String,
    warehouse: String,
    quantity: Decimal,
}

async fn stock(state: AfasState, Json(request): Json<StockRequest>) -> Response {
    let mut store = state.store_mut();
    if !store.articles.contains_key(&request.item_code) {
        return bad_request(format!("unknown article '{}'", request.item_code));
    }
    if !store.reference.warehouses.contains_key(&request.warehouse) {
        return bad_request(format!("unknown warehouse '{}'", request.warehouse));
    }
    let mut tx = Transaction::begin(&mut store);
    tx.put_stock(request.item_code, request.warehouse, request.quantity);
    tx.commit();
    StatusCode::NO_CONTENT.into_response()
}
