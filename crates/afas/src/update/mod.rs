//! Typed UpdateConnector writes. Each connector type knows its AFAS name and builds its `Element` tree
//! (`Fields` with AFAS field codes, nested `Objects`); the client wraps it as `{"<Root>": {"Element": ..}}`
//! (the root is the connector's name, except for `FiEntries`, whose root is `FiEntryPar`) and POSTs (insert) or PUTs (update) it. Absent optionals are left out, so an update touches only what it
//! names; decimals go as exact JSON numbers.

mod articles;
mod financial;
mod relations;
mod sales;

use std::collections::BTreeMap;

use reqwest::Method;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

pub use articles::{ItemArticle, ItemArticleType, SalesPrice, StockMutation, StockMutationKind};
pub use financial::{AccountKind, FinancialEntry, FinancialEntryLine};
pub use relations::{
    Address, Contact, ContactFields, ContactKind, DebtorFields, DeliveryAddress, Gender, Organisation,
    OrganisationFields, OrganisationMatch, Person, PersonFields, PersonMatch, SalesRelationOrg, SalesRelationPer,
};
pub use sales::{DiscountAllowed, ItemType, SalesDocument, SalesDocumentKind, SalesHeader, SalesLine};

use crate::transport::Call;
use crate::{AfasClient, AfasError};

/// A body for one UpdateConnector.
pub trait UpdateConnector {
    /// The connector's name, e.g. `FbSales`.
    fn connector(&self) -> &'static str;

    /// The body's root object: the connector's name, except where AFAS names it otherwise (`FiEntryPar`).
    fn root(&self) -> &'static str {
        self.connector()
    }

    /// The `Element` of the body, `{"Fields": {...}, "Objects": [...]}`, as JSON text.
    fn element(&self) -> Result<Box<RawValue>, serde_json::Error>;

    /// The whole JSON body as AFAS expects it and as it is sent: `{"<Root>": {"Element": ...}}`.
    fn body_text(&self) -> Result<String, AfasError> {
        let element = self
            .element()
            .map_err(|e| AfasError::InvalidRequest(format!("{}: {e}", self.connector())))?;
        // A root's name is a plain identifier: nothing in it needs escaping.
        Ok(format!(r#"{{"{}":{{"Element":{}}}}}"#, self.root(), element.get()))
    }

    /// The body as a JSON value, for checks against the connector's schema.
    fn body(&self) -> Result<Value, AfasError> {
        serde_json::from_str(&self.body_text()?)
            .map_err(|e| AfasError::InvalidRequest(format!("{}: {e}", self.connector())))
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

    /// Reads `{"results": {"<Connector>": {...}}}`. The keys may also come under the body's root instead (the
    /// AFAS help shows `{"results":{"FiEntryPar":{"UnId":"1","EnNo":"5789"}}}` where the OpenAPI example has
    /// `FiEntries`), so `root` is looked at when the connector's name is absent.
    fn parse(connector: &str, root: &str, body: &str) -> Result<Self, AfasError> {
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
        let keys = match results.results.get(connector).or_else(|| results.results.get(root)) {
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
        let json = body.body_text()?;
        let reply = self
            .transport
            .execute(Call {
                operation: connector,
                method,
                url: self.transport.url(&format!("connectors/{connector}"))?,
                body: Some(json),
            })
            .await?;
        UpdateResult::parse(connector, body.root(), &reply.body)
    }
}

/// Builds one `Element`: an optional key attribute, the `Fields`, and the nested `Objects`. It is written
/// straight to JSON text: building a tree of `Value`s for every order line, writing it out and dropping it
/// was about a sixth of the orders flow's CPU on the engine's thread (`koppel bench sync`).
pub(crate) struct ElementBuilder<'a, F> {
    /// The key attribute's field and value, e.g. `DbId` for `"@DbId": "10001"`.
    key: Option<(&'static str, &'a str)>,
    fields: &'a F,
    objects: Vec<(&'static str, Vec<Box<RawValue>>)>,
}

impl<'a, F: Serialize> ElementBuilder<'a, F> {
    pub(crate) fn new(fields: &'a F) -> Self {
        Self {
            key: None,
            fields,
            objects: Vec::new(),
        }
    }

    /// A key attribute such as `@DbId`.
    pub(crate) fn key(mut self, field: &'static str, value: Option<&'a str>) -> Self {
        self.key = value.map(|value| (field, value));
        self
    }

    /// A nested object holding `elements` (left out when there are none).
    pub(crate) fn object(mut self, name: &'static str, elements: Vec<Box<RawValue>>) -> Self {
        if !elements.is_empty() {
            self.objects.push((name, elements));
        }
        self
    }

    pub(crate) fn build(self) -> Result<Box<RawValue>, serde_json::Error> {
        serde_json::value::to_raw_value(&self)
    }
}

impl<F: Serialize> Serialize for ElementBuilder<'_, F> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut element = serializer.serialize_map(None)?;
        if let Some((field, value)) = self.key {
            element.serialize_entry(&format!("@{field}"), value)?;
        }
        element.serialize_entry("Fields", self.fields)?;
        if !self.objects.is_empty() {
            let objects: Vec<NestedObject<'_>> = self
                .objects
                .iter()
                .map(|(name, elements)| NestedObject { name, elements })
                .collect();
            element.serialize_entry("Objects", &objects)?;
        }
        element.end()
    }
}

/// `{"<name>": {"Element": [...]}}`, one entry of `Objects`.
struct NestedObject<'a> {
    name: &'a str,
    elements: &'a [Box<RawValue>],
}

impl Serialize for NestedObject<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Elements<'a> {
            #[serde(rename = "Element")]
            element: &'a [Box<RawValue>],
        }
        let mut object = serializer.serialize_map(Some(1))?;
        object.serialize_entry(self.name, &Elements { element: self.elements })?;
        object.end()
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
            "KnSalesRelationOrg",
            r#"{"results":{"KnSalesRelationOrg":{"DbId":"10001","BcCo":12}}}"#,
        )
        .unwrap();
        assert_eq!(result.key("DbId"), Some("10001"));
        assert_eq!(result.key("BcCo"), Some("12"));
        assert_eq!(
            UpdateResult::parse("FbSales", "FbSales", "").unwrap(),
            UpdateResult::default()
        );
        let under_root = UpdateResult::parse(
            "FiEntries",
            "FiEntryPar",
            r#"{"results":{"FiEntryPar":{"UnId":"1","EnNo":"5789"}}}"#,
        )
        .unwrap();
        assert_eq!(under_root.key("EnNo"), Some("5789"));
    }
}
