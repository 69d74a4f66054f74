//! Article groups: the tree of groups the till shows products in, read with `getArticleGroups` and written with
//! `newArticleGroup`, `updateArticleGroup`, `addProductsToArticleGroup` and `deleteProductsFromArticleGroup`.
//! The writes answer only a `result` (the WSDL gives them no `errorMessage`), so a refusal is that result.

use serde::{Deserialize, Serialize};

use super::Request;
use crate::model::ArticleGroup;
use crate::wire;
use crate::{MplusClient, MplusError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetArticleGroupsRequest {
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetArticleGroupsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    article_group_list: Vec<ArticleGroup>,
}

/// `NewArticleGroupRequest`, without the optional `sortOrder` and `imageId`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewArticleGroupRequest<'a> {
    parent_group_number: i32,
    name: &'a str,
    text: &'a str,
}

/// `UpdateArticleGroupRequest`: what is left out stays as it is.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateArticleGroupRequest<'a> {
    group_number: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

/// `AddProductsToArticleGroupRequest` (no `position`: the products are appended) and
/// `DeleteProductsFromArticleGroupRequest` (no `removeAll`), which share these elements in this order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupProductsRequest<'a> {
    group_number: i32,
    product_numbers: NumberList<'a>,
}

/// `NumberList`.
#[derive(Serialize)]
struct NumberList<'a> {
    number: &'a [i64],
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewArticleGroupResponse {
    result: String,
    #[serde(default)]
    group_number: i32,
}

/// The answer of the other writes: a result only.
#[derive(Deserialize)]
struct ResultResponse {
    result: String,
}

fn new_request<'a>(parent_group_number: i32, name: &'a str, text: &'a str) -> Request<NewArticleGroupRequest<'a>> {
    Request {
        request: NewArticleGroupRequest {
            parent_group_number,
            name,
            text,
        },
    }
}

fn update_request<'a>(
    group_number: i32,
    name: Option<&'a str>,
    text: Option<&'a str>,
) -> Request<UpdateArticleGroupRequest<'a>> {
    Request {
        request: UpdateArticleGroupRequest {
            group_number,
            name,
            text,
        },
    }
}

fn products_request(group_number: i32, number: &[i64]) -> Request<GroupProductsRequest<'_>> {
    Request {
        request: GroupProductsRequest {
            group_number,
            product_numbers: NumberList { number },
        },
    }
}

/// The SOAP request `newArticleGroup` sends (for previews: built and checked, not sent).
pub fn new_article_group_request(parent_group_number: i32, name: &str, text: &str) -> Result<String, MplusError> {
    crate::soap::envelope("newArticleGroup", &new_request(parent_group_number, name, text))
}

/// The SOAP request `updateArticleGroup` sends.
pub fn update_article_group_request(
    group_number: i32,
    name: Option<&str>,
    text: Option<&str>,
) -> Result<String, MplusError> {
    crate::soap::envelope("updateArticleGroup", &update_request(group_number, name, text))
}

/// The SOAP request `addProductsToArticleGroup` sends.
pub fn add_products_to_article_group_request(group_number: i32, product_numbers: &[i64]) -> Result<String, MplusError> {
    crate::soap::envelope(
        "addProductsToArticleGroup",
        &products_request(group_number, product_numbers),
    )
}

/// The SOAP request `deleteProductsFromArticleGroup` sends.
pub fn delete_products_from_article_group_request(
    group_number: i32,
    product_numbers: &[i64],
) -> Result<String, MplusError> {
    crate::soap::envelope(
        "deleteProductsFromArticleGroup",
        &products_request(group_number, product_numbers),
    )
}

impl MplusClient {
    /// `getArticleGroups` from `sync_marker`, at most `limit`: the top-level groups, each with its sub-groups
    /// and the numbers of its products.
    pub async fn get_article_groups(&self, sync_marker: i64, limit: u32) -> Result<Vec<ArticleGroup>, MplusError> {
        let request = GetArticleGroupsRequest {
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetArticleGroupsResponse = self.call("getArticleGroups", &Request { request }).await?;
        Ok(response.article_group_list)
    }

    /// `newArticleGroup` under `parent_group_number` (0: top level); returns the new group's number. An unknown
    /// parent answers `NEW-ARTICLE-GROUP-RESULT-PARENT-NOTFOUND` ([`crate::BusinessOutcome::NotFound`]).
    pub async fn new_article_group(&self, parent_group_number: i32, name: &str, text: &str) -> Result<i32, MplusError> {
        let request = new_request(parent_group_number, name, text);
        let response: NewArticleGroupResponse = self.call("newArticleGroup", &request).await?;
        MplusError::check("newArticleGroup", &response.result, "NEW-ARTICLE-GROUP-RESULT-OK", None)?;
        Ok(response.group_number)
    }

    /// `updateArticleGroup`: sets the name and text that are given.
    pub async fn update_article_group(
        &self,
        group_number: i32,
        name: Option<&str>,
        text: Option<&str>,
    ) -> Result<(), MplusError> {
        let request = update_request(group_number, name, text);
        self.group_write("updateArticleGroup", "SAVE-ARTICLE-GROUP-RESULT-OK", &request)
            .await
    }

    /// `addProductsToArticleGroup`: appends the products to the group.
    pub async fn add_products_to_article_group(
        &self,
        group_number: i32,
        product_numbers: &[i64],
    ) -> Result<(), MplusError> {
        let request = products_request(group_number, product_numbers);
        self.group_write(
            "addProductsToArticleGroup",
            "ADD-PRODUCTS-TO-ARTICLE-GROUP-RESULT-OK",
            &request,
        )
        .await
    }

    /// `deleteProductsFromArticleGroup`: takes the products out of the group.
    pub async fn delete_products_from_article_group(
        &self,
        group_number: i32,
        product_numbers: &[i64],
    ) -> Result<(), MplusError> {
        let request = products_request(group_number, product_numbers);
        self.group_write(
            "deleteProductsFromArticleGroup",
            "DELETE-PRODUCTS-FROM-ARTICLE-GROUP-RESULT-OK",
            &request,
        )
        .await
    }

    /// A write that answers only a result.
    async fn group_write(
        &self,
        operation: &'static str,
        ok_result: &str,
        request: &impl Serialize,
    ) -> Result<(), MplusError> {
        let response: ResultResponse = self.call(operation, request).await?;
        MplusError::check(operation, &response.result, ok_result, None)
    }
}
