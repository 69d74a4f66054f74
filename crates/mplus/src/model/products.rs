//! Products, their articles (what is sold and stocked) with their price-group prices, and article groups.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::CustomField;
use crate::wire;

/// `Product`: a grouping of articles (colours, sizes) under one description.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    #[serde(default)]
    pub product_number: Option<i64>,
    #[serde(default)]
    pub sync_marker: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub extra_text: Option<String>,
    #[serde(default, deserialize_with = "wire::list")]
    pub article_list: Vec<Article>,
    #[serde(default)]
    pub group_numbers: Vec<i32>,
}

/// `Article`. Prices are exact amounts (cents on the wire).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    /// Numeric: article numbers in MplusKASSA are longs.
    #[serde(default)]
    pub article_number: Option<i64>,
    #[serde(default)]
    pub ext_article_id: Option<String>,
    /// The code people type at the till.
    #[serde(default)]
    pub plu_number: Option<String>,
    #[serde(default)]
    pub sync_marker: Option<i64>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default)]
    pub invoice_text: Option<String>,
    #[serde(default)]
    pub receipt_text: Option<String>,
    #[serde(default)]
    pub barcode: Option<String>,
    #[serde(default)]
    pub brand_name: Option<String>,
    #[serde(default)]
    pub turnover_group: Option<i32>,
    #[serde(default)]
    pub vat_code: Option<i32>,
    #[serde(default)]
    pub vat_percentage: Option<i32>,
    #[serde(default, with = "wire::option_cents")]
    pub purchase_price: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    pub price_incl: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    pub price_excl: Option<Decimal>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub supplier_relation_number: Option<i64>,
    #[serde(default)]
    pub supplier_article_number: Option<String>,
    #[serde(default)]
    pub webshop: Option<bool>,
    #[serde(default)]
    pub stock_article: Option<bool>,
    /// The article discount group a relation's discount per group applies to.
    #[serde(default)]
    pub article_discount_group_number: Option<i32>,
    #[serde(default)]
    pub discontinued: Option<bool>,
    /// The article's values for the shop's custom fields (`customFieldList`); empty when it has none.
    #[serde(default, deserialize_with = "wire::list")]
    pub custom_field_list: Vec<CustomField>,
    /// The article's prices per price group (customer category), with volume breaks.
    #[serde(default, deserialize_with = "wire::list")]
    pub price_group_list: Vec<PriceGroup>,
}

/// `PriceGroup`: from `getPriceGroupList` a group of the shop (number and description); in an article's
/// `priceGroupList` the article's price for that group from `minimum_amount` items on. Prices are exact amounts
/// (cents on the wire).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceGroup {
    pub price_group_number: i32,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, with = "wire::option_cents")]
    pub price_incl: Option<Decimal>,
    #[serde(default, with = "wire::option_cents")]
    pub price_excl: Option<Decimal>,
    #[serde(default)]
    pub discount_percentage: Option<i32>,
    #[serde(default)]
    pub minimum_amount: Option<i32>,
}

/// `ArticleGroup` with its sub-groups and the numbers of its products.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleGroup {
    pub group_number: i32,
    #[serde(default)]
    pub sync_marker: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "wire::list")]
    pub sub_group_list: Vec<ArticleGroup>,
    #[serde(default)]
    pub sort_order: Option<i32>,
    /// `productNumbers` (a `NumberList`), in the group's order; empty when the answer has none.
    #[serde(default, deserialize_with = "wire::list")]
    pub product_numbers: Vec<i64>,
    #[serde(default)]
    pub is_deleted: Option<bool>,
}

impl ArticleGroup {
    /// The group numbered `group_number` among `groups` and their sub-groups, at any depth.
    pub fn find(groups: &[ArticleGroup], group_number: i32) -> Option<&ArticleGroup> {
        groups.iter().find_map(|group| {
            if group.group_number == group_number {
                Some(group)
            } else {
                Self::find(&group.sub_group_list, group_number)
            }
        })
    }
}

/// What `createProduct` answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductCreated {
    pub product_number: i64,
    /// The numbers of its articles, in the order they were sent.
    pub article_numbers: Vec<i64>,
    pub sync_marker: Option<i64>,
}
