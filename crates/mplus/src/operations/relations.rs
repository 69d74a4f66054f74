//! Relations (customers): reading, finding, creating and updating them.

use serde::{Deserialize, Serialize};

use super::{Request, found};
use crate::model::{Relation, RelationCreated};
use crate::wire;
use crate::{MplusClient, MplusError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetRelationsRequest<'a> {
    relation_numbers: &'a [i64],
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelationNumber {
    relation_number: i64,
}

#[derive(Serialize)]
struct RelationArgument<'a> {
    relation: &'a Relation,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetRelationsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    relation_list: Vec<Relation>,
}

#[derive(Deserialize)]
struct RelationResult {
    result: String,
    #[serde(default)]
    relation: Option<Relation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRelationResponse {
    result: String,
    #[serde(default)]
    relation_number: i64,
    #[serde(default)]
    sync_marker: Option<i64>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateRelationResponse {
    result: String,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    sync_marker: Option<i64>,
}

/// The SOAP request `createRelation` sends for `relation` (for previews: built, not sent).
pub fn create_relation_request(relation: &Relation) -> Result<String, MplusError> {
    crate::soap::envelope("createRelation", &RelationArgument { relation })
}

/// The SOAP request `updateRelation` sends for `relation`.
pub fn update_relation_request(relation: &Relation) -> Result<String, MplusError> {
    crate::soap::envelope("updateRelation", &RelationArgument { relation })
}

impl MplusClient {
    /// `getRelations` from `sync_marker`, at most `limit`; `relation_numbers` narrows it down when not empty.
    pub async fn get_relations(
        &self,
        relation_numbers: &[i64],
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Relation>, MplusError> {
        let request = GetRelationsRequest {
            relation_numbers,
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetRelationsResponse = self.call("getRelations", &Request { request }).await?;
        Ok(response.relation_list)
    }

    /// `getRelation`; `None` when the number does not exist.
    pub async fn get_relation(&self, relation_number: i64) -> Result<Option<Relation>, MplusError> {
        let response: RelationResult = self.call("getRelation", &RelationNumber { relation_number }).await?;
        found(
            "getRelation",
            response.result,
            "GET-RELATION-RESULT-OK",
            response.relation,
        )
    }

    /// `findRelation`: the first relation matching the filled fields of `pattern` (case-insensitive,
    /// partial matches: check the e-mail of the result yourself when it must be exact).
    pub async fn find_relation(&self, pattern: &Relation) -> Result<Option<Relation>, MplusError> {
        let response: RelationResult = self
            .call("findRelation", &RelationArgument { relation: pattern })
            .await?;
        found(
            "findRelation",
            response.result,
            "FIND-RELATION-RESULT-OK",
            response.relation,
        )
    }

    /// `createRelation`: MplusKASSA assigns the number unless `relation_number` is set.
    pub async fn create_relation(&self, relation: &Relation) -> Result<RelationCreated, MplusError> {
        let response: CreateRelationResponse = self.call("createRelation", &RelationArgument { relation }).await?;
        MplusError::check(
            "createRelation",
            &response.result,
            "CREATE-RELATION-RESULT-OK",
            response.error_message,
        )?;
        Ok(RelationCreated {
            relation_number: response.relation_number,
            sync_marker: response.sync_marker,
        })
    }

    /// `updateRelation` (by `relation_number`); returns the relation's new sync marker.
    pub async fn update_relation(&self, relation: &Relation) -> Result<Option<i64>, MplusError> {
        let response: UpdateRelationResponse = self.call("updateRelation", &RelationArgument { relation }).await?;
        MplusError::check(
            "updateRelation",
            &response.result,
            "UPDATE-RELATION-RESULT-OK",
            response.error_message,
        )?;
        Ok(response.sync_marker)
    }
}
