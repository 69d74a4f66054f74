//! Products, their articles and the article groups.

use serde::{Deserialize, Serialize};

use super::{Request, TextList};
use crate::model::{Article, ArticleGroup, Product};
use crate::wire;
use crate::{MplusClient, MplusError};

/// Filters for `getProducts` besides the sync marker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductFilter {
    pub article_numbers: Vec<i64>,
    pub group_numbers: Vec<i32>,
    pub only_webshop: Option<bool>,
    pub only_active: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetProductsRequest<'a> {
    article_numbers: &'a [i64],
    group_numbers: &'a [i32],
    plu_numbers: TextList,
    #[serde(skip_serializing_if = "Option::is_none")]
    only_webshop: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    only_active: Option<bool>,
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetArticleGroupsRequest {
    sync_marker: i64,
    sync_marker_limit: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetProductsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    product_list: Vec<Product>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetArticleGroupsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    article_group_list: Vec<ArticleGroup>,
}

impl MplusClient {
    /// `getProducts` from `sync_marker`; `limit` counts articles, and a product is never split.
    pub async fn get_products(
        &self,
        filter: &ProductFilter,
        sync_marker: i64,
        limit: u32,
    ) -> Result<Vec<Product>, MplusError> {
        let request = GetProductsRequest {
            article_numbers: &filter.article_numbers,
            group_numbers: &filter.group_numbers,
            plu_numbers: TextList::default(),
            only_webshop: filter.only_webshop,
            only_active: filter.only_active,
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetProductsResponse = self.call("getProducts", &Request { request }).await?;
        Ok(response.product_list)
    }

    /// The articles of [`Self::get_products`], flattened.
    pub async fn get_articles(&self, article_numbers: &[i64]) -> Result<Vec<Article>, MplusError> {
        let filter = ProductFilter {
            article_numbers: article_numbers.to_vec(),
            ..ProductFilter::default()
        };
        let products = self.get_products(&filter, 0, u32::MAX / 2).await?;
        Ok(products
            .into_iter()
            .flat_map(|product| product.article_list)
            .filter(|article| article.article_number.is_some_and(|n| article_numbers.contains(&n)))
            .collect())
    }

    /// `getArticleGroups` from `sync_marker`, at most `limit`.
    pub async fn get_article_groups(&self, sync_marker: i64, limit: u32) -> Result<Vec<ArticleGroup>, MplusError> {
        let request = GetArticleGroupsRequest {
            sync_marker,
            sync_marker_limit: limit,
        };
        let response: GetArticleGroupsResponse = self.call("getArticleGroups", &Request { request }).await?;
        Ok(response.article_group_list)
    }
}
