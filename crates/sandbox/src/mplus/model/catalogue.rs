//! The catalogue: article groups, products and their articles (variants) with their price-group prices.

use chrono::NaiveDateTime;

use super::{ArticleDiscountGroup, StoredCustomField, datetime_xml};
use crate::mplus::xml::Element;

/// A group of the till's product tree. Its articles are not kept: they follow from its products.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleGroup {
    pub number: i32,
    /// `None` at the top level.
    pub parent: Option<i32>,
    pub name: String,
    pub text: String,
    pub sort_order: i32,
    pub sync_marker: i64,
    /// In the group's order.
    pub product_numbers: Vec<i64>,
}

impl ArticleGroup {
    /// `ArticleGroup`, with its sub-groups already rendered and, when asked for, its article numbers.
    pub fn to_xml(&self, sub_groups: Vec<Element>, article_numbers: Option<Vec<i64>>) -> Element {
        let numbers =
            |name: &str, values: &[i64]| Element::new(name).with_all(values.iter().map(|n| Element::leaf("number", n)));
        Element::new("articleGroups")
            .with_leaf("groupNumber", self.number)
            .with_leaf("syncMarker", self.sync_marker)
            .with_leaf("name", &self.name)
            .with_leaf("text", &self.text)
            .with(Element::new("subGroupList").with_all(sub_groups))
            .with_leaf("sortOrder", self.sort_order)
            .with(numbers("productNumbers", &self.product_numbers))
            .with_opt_child(article_numbers.map(|articles| numbers("articleNumbers", &articles)))
    }
}

/// A sellable article: one colour/size of a product.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub number: i64,
    /// `extArticleId`: the back office's id of the article, as a client wrote it.
    pub ext_id: Option<String>,
    pub plu: String,
    pub description: String,
    pub colour: Option<String>,
    pub size: Option<String>,
    pub barcode: String,
    pub brand: Option<String>,
    pub turnover_group: i32,
    pub vat_code: i32,
    pub vat_percentage: i32,
    pub price_incl: i64,
    pub price_excl: i64,
    pub purchase_price: i64,
    pub stock_article: bool,
    /// `articleDiscountGroupNumber` with its (read-only) `articleDiscountGroupName`: one of the shop's groups.
    pub discount_group: Option<ArticleDiscountGroup>,
    pub webshop: bool,
    pub active: bool,
    pub sync_marker: i64,
    pub changed_at: NaiveDateTime,
    /// Its prices per price group, ordered by group and minimum amount.
    pub group_prices: Vec<GroupPrice>,
    /// Its values for the shop's custom fields, in the order of the shop's definitions; a field without a
    /// value is not here.
    pub custom_fields: Vec<StoredCustomField>,
}

/// An article's price for one price group from `minimum_amount` items on (a volume break): one entry of the
/// article's `priceGroupList`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPrice {
    pub price_group_number: i32,
    /// 0 when the request left it out.
    pub minimum_amount: i32,
    pub price_incl: i64,
    pub price_excl: i64,
    pub discount_percentage: Option<i32>,
}

impl GroupPrice {
    pub fn to_xml(&self) -> Element {
        Element::new("priceGroup")
            .with_leaf("priceGroupNumber", self.price_group_number)
            .with_leaf("priceIncl", self.price_incl)
            .with_leaf("priceExcl", self.price_excl)
            .with_opt("discountPercentage", self.discount_percentage)
            .with_leaf("minimumAmount", self.minimum_amount)
    }
}

impl Article {
    pub fn to_xml(&self) -> Element {
        let barcodes = Element::new("barcodeList").with(
            Element::new("barcode")
                .with_leaf("barcode", &self.barcode)
                .with_leaf("quantity", 1)
                .with_leaf("decimalPlaces", 0)
                .with_leaf("isCurrent", true),
        );
        Element::new("article")
            .with_leaf("articleNumber", self.number)
            .with_opt("extArticleId", self.ext_id.as_ref())
            .with_leaf("pluNumber", &self.plu)
            .with_leaf("syncMarker", self.sync_marker)
            .with(datetime_xml("changeTimestamp", self.changed_at))
            .with_leaf("active", self.active)
            .with_leaf("description", &self.description)
            .with_opt("colour", self.colour.as_ref())
            .with_opt("size", self.size.as_ref())
            .with_leaf("invoiceText", &self.description)
            .with_leaf("receiptText", &self.description)
            .with_leaf("barcode", &self.barcode)
            .with_opt("brandName", self.brand.as_ref())
            .with_leaf("turnoverGroup", self.turnover_group)
            .with_leaf("vatCode", self.vat_code)
            .with_leaf("vatPercentage", self.vat_percentage)
            .with_leaf("purchasePrice", self.purchase_price)
            .with_leaf("priceIncl", self.price_incl)
            .with_leaf("priceExcl", self.price_excl)
            .with_leaf("webshop", self.webshop)
            .with_leaf("stockArticle", self.stock_article)
            .with_opt(
                "articleDiscountGroupNumber",
                self.discount_group.as_ref().map(|g| g.number),
            )
            .with_opt(
                "articleDiscountGroupName",
                self.discount_group.as_ref().map(|g| &g.name),
            )
            .with_leaf("specialPrice", "PRICE-NORMAL")
            .with_opt_child((!self.custom_fields.is_empty()).then(|| {
                Element::new("customFieldList").with_all(self.custom_fields.iter().map(StoredCustomField::to_xml))
            }))
            .with(Element::new("priceGroupList").with_all(self.group_prices.iter().map(GroupPrice::to_xml)))
            .with(barcodes)
    }
}

/// A product groups the articles (variants) sold under one name.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub number: i64,
    pub description: String,
    /// `extraText`: the product's long text.
    pub extra_text: Option<String>,
    pub group_numbers: Vec<i32>,
    pub articles: Vec<Article>,
    pub sync_marker: i64,
}

impl Product {
    pub fn to_xml(&self, articles: &[&Article]) -> Element {
        Element::new("product")
            .with_leaf("productNumber", self.number)
            .with_leaf("syncMarker", self.sync_marker)
            .with_leaf("description", &self.description)
            .with_opt("extraText", self.extra_text.as_ref())
            .with(Element::new("articleList").with_all(articles.iter().map(|a| a.to_xml())))
            .with_all(self.group_numbers.iter().map(|g| Element::leaf("groupNumbers", g)))
    }
}
