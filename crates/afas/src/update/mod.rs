//! Typed UpdateConnector writes. Each connector type knows its AFAS name and builds its `Element` tree
//! (`Fields` with AFAS field codes, nested `Objects`); the client wraps it as `{"<Connector>": {"Element": ..}}`
//! and POSTs (insert) or PUTs (update) it. Absent optionals are left out, so an update touches only what it
//! names; decimals go as exact JSON numbers.

mod articles;
mod relations;
mod sales;

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub use articles::{ItemArticle, ItemArticleType, SalesPrice, StockMutation, StockMutationKind};
pub use relations::{
    Address, Contact, ContactFields, ContactKind, DebtorFields, Gender, Organisation, OrganisationFields,
    OrganisationMatch, Person, PersonFields, PersonMatch, SalesRelationOrg, SalesRelationPer,
};
pub use sales::{DiscountAllowed, ItemType, SalesDocument, SalesDocumentKind, SalesHeader, SalesLine};

use crate::transport::Call;
use crate::{AfasClient, AfasError};

/// A body for one UpdateConnector.
pub trait UpdateConnector {
    /// The connector's name, e.g. `FbSales`.
    fn connector(&self) -> &'static str;

    /// The `Element` of the body: `{"Fields": {...}, "Objects": [...]}`.
    fn element(&self) -> Result<Value, serde_json::Error>;

    /// The whole JSON body as AFAS expects it.
    fn body(&self) -> Result<Value, AfasError> {
        let element = self
            .element()
            .map_err(|e| AfasError::InvalidRequest(format!("{}: {e}", self.connector())))?;
        Ok(json!({ self.connector(): { "Element": element } }))
    }
}

/// What AFAS returns for a write: the keys it assigned or touched, e.g. `OrNu` for `FbSales`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateResult {
    pub keys: BTreeMap<String, String>,
}

impl UpdateResult {
    /// A returned key by field code (`OrNu`, `DbId`, `BcCo`, `ItCd`, ...).
    pub fn key(&self, field: &str) -> Option<&str> {
        self.keys.get(field).map(String::as_str)
    }

    fn parse(connector: &str, body: &str) -> Result<Self, AfasError> {
        #[derive(Deserialize)]
        struct Results {
            results: Map<String, Value>,
        }
        if body.trim().is_empty() {
            return Ok(Self::default());
        }
        let results: Results = serde_json::from_str(body).map_err(|e| AfasError::Unexpected {
            status: 200,
            message: format!("cannot read the {connector} result: {e}"),
        })?;
        let keys = match results.results.get(connector) {
            Some(Value::Object(keys)) => keys
                .iter()
                .map(|(field, value)| {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    (field.clone(), text)
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        Ok(Self { keys })
    }
}

impl AfasClient {
    /// Inserts (POST).
    pub async fn insert(&self, body: &impl UpdateConnector) -> Result<UpdateResult, AfasError> {
        self.write(Method::POST, body).await
    }

    /// Updates (PUT): only the fields present are changed; an empty string clears a field.
    pub async fn update(&self, body: &impl UpdateConnector) -> Result<UpdateResult, AfasError> {
        self.write(Method::PUT, body).await
    }

    /// Deletes a record by its key: `DELETE /connectors/{connector}/{connector}/@{key_field}/{key}`.
    pub async fn delete(&self, connector: &str, key_field: &str, key: &str) -> Result<(), AfasError> {
        let mut url = self.transport.url(&format!("connectors/{connector}"))?;
        url.path_segments_mut()
            .map_err(|()| AfasError::InvalidRequest("base URL cannot have a path".into()))?
            .push(connector)
            .push(&format!("@{key_field}"))
            .push(key);
        self.transport
            .execute(Call {
                operation: connector,
                method: Method::DELETE,
                url,
                body: None,
            })
            .await
            .map(drop)
    }

    async fn write(&self, method: Method, body: &impl UpdateConnector) -> Result<UpdateResult, AfasError> {
        let connector = body.connector();
        let json = body.body()?;
        let reply = self
            .transport
            .execute(Call {
                operation: connector,
                method,
                url: self.transport.url(&format!("connectors/{connector}"))?,
                body: Some(json.to_string()),
            })
            .await?;
        UpdateResult::parse(connector, &reply.body)
    }
}

/// Builds one `Element`: an optional key attribute, the `Fields`, and the nested `Objects`.
pub(crate) struct ElementBuilder {
    element: Map<String, Value>,
    objects: Vec<Value>,
}

impl ElementBuilder {
    pub(crate) fn new(fields: &impl Serialize) -> Result<Self, serde_json::Error> {
        let mut element = Map::new();
        element.insert("Fields".into(), serde_json::to_value(fields)?);
        Ok(Self {
            element,
            objects: Vec::new(),
        })
    }

    /// A key attribute such as `@DbId`.
    pub(crate) fn key(mut self, field: &str, value: Option<&str>) -> Self {
        if let Some(value) = value {
            self.element
                .insert(format!("@{field}"), Value::String(value.to_owned()));
        }
        self
    }

    /// A nested object holding `elements` (left out when there are none).
    pub(crate) fn object(mut self, name: &str, elements: Vec<Value>) -> Self {
        if !elements.is_empty() {
            self.objects.push(json!({ name: { "Element": elements } }));
        }
        self
    }

    pub(crate) fn build(mut self) -> Value {
        if !self.objects.is_empty() {
            self.element.insert("Objects".into(), Value::Array(self.objects));
        }
        Value::Object(self.element)
    }
}

/// Serde helpers shared by the connector field structs.
pub(crate) mod wire {
    pub(crate) use crate::decimal::number as decimal;
    pub(crate) use crate::decimal::option_number::serialize as option_decimal;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_read_as_text_keys() {
        let result = UpdateResult::parse(
            "KnSalesRelationOrg",
            r#"{"results":{"KnSalesRelationOrg":{"DbId":"10001","BcCo":12}}}"#,
        )
        .unwrap();
        assert_eq!(result.key("DbId"), Some("10001"));
        assert_eq!(result.key("BcCo"), Some("12"));
        assert_eq!(UpdateResult::parse("FbSales", "").unwrap(), UpdateResult::default());
    }
}
