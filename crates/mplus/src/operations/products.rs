//! Products and their articles.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Request, TextList};
use crate::model::{Article, CustomFieldList, Product, ProductCreated};
use crate::wire;
use crate::{MplusClient, MplusError};

/// Filters for `getProducts` besides the sync marker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductFilter {
    pub article_numbers: Vec<i64>,
    pub group_numbers: Vec<i32>,
    pub only_webshop: Option<bool>,
    pub only_active: Option<bool>,
    /// `includeAllArticlesOfSelectedProducts`: with `article_numbers`, every article of the products those
    /// articles are in (a product's variants), not only the numbers asked for.
    pub whole_products: bool,
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
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    include_all_articles_of_selected_products: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetProductsResponse {
    #[serde(default, deserialize_with = "wire::list")]
    product_list: Vec<Product>,
}

/// A product to create or update (`Product`): on an update, what is left out stays as it is. Elements in the
/// WSDL's sequence order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductWrite {
    /// Required for an update; left out on a create (MplusKASSA numbers the product).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_text: Option<String>,
    pub article_list: ArticleWriteList,
    /// `groupNumbers`: the article groups a new product is in (an update leaves the product's groups alone:
    /// `addProductsToArticleGroup` and `deleteProductsFromArticleGroup` change them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_numbers: Vec<i32>,
}

/// `ArticleList` of a write.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArticleWriteList {
    pub article: Vec<ArticleWrite>,
}

/// The fields of an `Article` Koppel writes, in the WSDL's sequence order. Prices are exact amounts (cents on
/// the wire; more than two decimals is refused before sending).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleWrite {
    /// Set on a create to choose the number (MplusKASSA refuses one that is taken: the guard against a second
    /// copy); on an update, the article to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_number: Option<i64>,
    /// `extArticleId`: the back office's id of the article (Koppel: an AFAS variant's item and dimensions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext_article_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `colour` and `size`: the variant's place in its product's colour × size grid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turnover_group: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", with = "wire::option_cents")]
    pub price_incl: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none", with = "wire::option_cents")]
    pub price_excl: Option<Decimal>,
    /// `articleDiscountGroupNumber`: the article discount group (made in MplusKASSA's back office) whose
    /// relation discounts apply to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_discount_group_number: Option<i32>,
    /// `customFieldList` (before `priceGroupList` in the WSDL's sequence): the custom field values to set.
    /// MplusKASSA's simulator merges them by field name (the fields sent get the values sent, a field without a
    /// value is cleared, the others keep theirs); the WSDL does not say. `None` sends no list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_list: Option<CustomFieldList>,
    /// `Some` replaces all the article's price-group prices (an empty list removes them); `None` leaves them
    /// as they are. Our reading: the WSDL does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_group_list: Option<PriceGroupWriteList>,
}

/// `PriceGroupList` of a write: an article's prices per price group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceGroupWriteList {
    pub price_group: Vec<PriceGroupWrite>,
}

/// One `PriceGroup` price of an article, in the WSDL's sequence order: the price for the group
/// `price_group_number` (one of `getPriceGroupList`) from `minimum_amount` items on (a volume break). When only
/// one of the prices is given, MplusKASSA derives the other with the article's VAT.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceGroupWrite {
    pub price_group_number: i32,
    #[serde(skip_serializing_if = "Option::is_none", with = "wire::option_cents")]
    pub price_incl: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none", with = "wire::option_cents")]
    pub price_excl: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_amount: Option<i32>,
}

#[derive(Serialize)]
struct ProductArgument<'a> {
    product: &'a ProductWrite,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateProductResponse {
    result: String,
    #[serde(default)]
    product_number: i64,
    #[serde(default)]
    article_numbers: Vec<i64>,
    #[serde(default)]
    sync_marker: Option<i64>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateProductResponse {
    result: String,
    #[serde(default)]
    sync_marker: Option<i64>,
    #[serde(default)]
    error_message: Option<String>,
}

/// The SOAP request `createProduct` sends for `product` (for previews: built and checked, not sent).
pub fn create_product_request(product: &ProductWrite) -> Result<String, MplusError> {
    crate::soap::envelope("createProduct", &ProductArgument { product })
}

/// The SOAP request `updateProduct` sends for `product`.
pub fn update_product_request(product: &ProductWrite) -> Result<String, MplusError> {
    crate::soap::envelope("updateProduct", &ProductArgument { product })
}

impl MplusClient {
    /// `createProduct`. An article number that is taken answers
    /// `CREATE-PRODUCT-RESULT-FAILED-ARTICLE-NUMBER-ALREADY-TAKEN` ([`crate::BusinessOutcome::AlreadyExists`]).
    pub async fn create_product(&self, product: &ProductWrite) -> Result<ProductCreated, MplusError> {
        let response: CreateProductResponse = self.call("createProduct", &ProductArgument { product }).await?;
        MplusError::check(
            "createProduct",
            &response.result,
            "CREATE-PRODUCT-RESULT-OK",
            response.error_message,
        )?;
        Ok(ProductCreated {
            product_number: response.product_number,
            article_numbers: response.article_numbers,
            sync_marker: response.sync_marker,
        })
    }

    /// `updateProduct` (by `product_number`); returns the product's new sync marker.
    pub async fn update_product(&self, product: &ProductWrite) -> Result<Option<i64>, MplusError> {
        let response: UpdateProductResponse = self.call("updateProduct", &ProductArgument { product }).await?;
        MplusError::check(
            "updateProduct",
            &response.result,
            "UPDATE-PRODUCT-RESULT-OK",
            response.error_message,
        )?;
        Ok(response.sync_marker)
    }

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
            include_all_articles_of_selected_products: filter.whole_products,
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
}
