//! Articles and what hangs off them: `FbItemArticle` (the article), `FbStockMutation` (booking stock in or
//! out of a warehouse) and `FbSalesPrice` (a price on a price list or for one debtor).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{DiscountAllowed, ElementBuilder, ItemType, UpdateConnector, wire};

/// The article type (`VaTp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ItemArticleType {
    #[serde(rename = "0")]
    Normal,
    #[serde(rename = "1")]
    Composition,
    #[serde(rename = "2")]
    Dimension,
    #[serde(rename = "3")]
    Batch,
    #[serde(rename = "4")]
    Serial,
    #[serde(rename = "5")]
    Other,
}

/// An article (`FbItemArticle`). On update only `item_code` and the fields to change are needed, but the
/// official schema requires `Grp` and `BiUn` on insert, so they are always sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemArticle {
    /// The item code; leave empty on insert with `auto_number`.
    #[serde(rename = "ItCd", skip_serializing_if = "Option::is_none")]
    pub item_code: Option<String>,
    #[serde(rename = "AuId", skip_serializing_if = "Option::is_none")]
    pub auto_number: Option<bool>,
    #[serde(rename = "Ds", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "DsEx", skip_serializing_if = "Option::is_none")]
    pub extra_description: Option<String>,
    /// The article group.
    #[serde(rename = "Grp")]
    pub group: String,
    /// The basic unit, e.g. `stk` (cannot be changed later).
    #[serde(rename = "BiUn")]
    pub unit: String,
    /// Track stock.
    #[serde(rename = "BiSt", skip_serializing_if = "Option::is_none")]
    pub track_stock: Option<bool>,
    #[serde(rename = "BiDc", skip_serializing_if = "Option::is_none")]
    pub decimals: Option<i64>,
    /// VAT rate group, e.g. `2`.
    #[serde(rename = "VaRc", skip_serializing_if = "Option::is_none")]
    pub vat_group: Option<String>,
    #[serde(rename = "VaTp", skip_serializing_if = "Option::is_none")]
    pub article_type: Option<ItemArticleType>,
    #[serde(rename = "PrGr", skip_serializing_if = "Option::is_none")]
    pub price_group: Option<String>,
    #[serde(
        rename = "SaPrice",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub sales_price: Option<Decimal>,
    #[serde(
        rename = "PuPrice",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub purchase_price: Option<Decimal>,
    #[serde(
        rename = "CoPrice",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub cost_price: Option<Decimal>,
    #[serde(
        rename = "CsPrice",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub consumer_price: Option<Decimal>,
    /// When the prices above start to apply.
    #[serde(rename = "DatPri", skip_serializing_if = "Option::is_none")]
    pub price_date: Option<NaiveDate>,
    /// The barcode type (`VaBc`, e.g. `1` = EAN).
    #[serde(rename = "VaBc", skip_serializing_if = "Option::is_none")]
    pub barcode_type: Option<String>,
    #[serde(rename = "BaCo", skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// The supplier.
    #[serde(rename = "CrId", skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(rename = "Bl", skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
}

impl ItemArticle {
    /// An article with just its required fields.
    pub fn new(item_code: &str, group: &str, unit: &str) -> Self {
        Self {
            item_code: Some(item_code.to_owned()),
            auto_number: None,
            description: None,
            extra_description: None,
            group: group.to_owned(),
            unit: unit.to_owned(),
            track_stock: None,
            decimals: None,
            vat_group: None,
            article_type: None,
            price_group: None,
            sales_price: None,
            purchase_price: None,
            cost_price: None,
            consumer_price: None,
            price_date: None,
            barcode_type: None,
            barcode: None,
            supplier: None,
            blocked: None,
        }
    }
}

impl UpdateConnector for ItemArticle {
    fn connector(&self) -> &'static str {
        "FbItemArticle"
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        ElementBuilder::new(self).build()
    }
}

/// The kind of a stock mutation (`VaOt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StockMutationKind {
    /// Opboeking.
    #[serde(rename = "41")]
    BookIn,
    /// Afboeking.
    #[serde(rename = "42")]
    BookOut,
    /// Overboeking.
    #[serde(rename = "43")]
    Transfer,
    /// Inventarisatie.
    #[serde(rename = "51")]
    Stocktaking,
}

/// A stock booking (`FbStockMutation`, POST only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockMutation {
    #[serde(rename = "VaOt")]
    pub kind: StockMutationKind,
    /// The reason code.
    #[serde(rename = "ReId")]
    pub reason: String,
    #[serde(rename = "Da", skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(rename = "Ds", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "VaIt")]
    pub item_type: ItemType,
    #[serde(rename = "ItCd")]
    pub item_code: String,
    #[serde(rename = "StL1", skip_serializing_if = "Option::is_none")]
    pub dimension1: Option<String>,
    #[serde(rename = "StL2", skip_serializing_if = "Option::is_none")]
    pub dimension2: Option<String>,
    #[serde(rename = "War")]
    pub warehouse: String,
    #[serde(rename = "Loc")]
    pub location: String,
    #[serde(rename = "BiUn")]
    pub unit: String,
    /// Number of units.
    #[serde(rename = "QuUn", with = "wire::decimal")]
    pub units: Decimal,
    /// Quantity (units × pieces per unit).
    #[serde(rename = "Qu", with = "wire::decimal")]
    pub quantity: Decimal,
}

impl UpdateConnector for StockMutation {
    fn connector(&self) -> &'static str {
        "FbStockMutation"
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        ElementBuilder::new(self).build()
    }
}

/// A sales price (`FbSalesPrice`, POST only): on a price list (`price_list`) or for one debtor (`debtor_id`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SalesPrice {
    #[serde(rename = "VaIt")]
    pub item_type: ItemType,
    #[serde(rename = "ItCd", skip_serializing_if = "Option::is_none")]
    pub item_code: Option<String>,
    #[serde(rename = "BiUn")]
    pub unit: String,
    #[serde(rename = "PrLi", skip_serializing_if = "Option::is_none")]
    pub price_list: Option<String>,
    #[serde(rename = "DbId", skip_serializing_if = "Option::is_none")]
    pub debtor_id: Option<String>,
    #[serde(
        rename = "Pric",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub price: Option<Decimal>,
    #[serde(rename = "CuId")]
    pub currency: String,
    #[serde(rename = "DaBg")]
    pub start_date: NaiveDate,
    #[serde(rename = "DaEn", skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    /// A promotional price.
    #[serde(rename = "SpPr", skip_serializing_if = "Option::is_none")]
    pub promotion: Option<bool>,
    #[serde(rename = "VaAD", skip_serializing_if = "Option::is_none")]
    pub discount_allowed: Option<DiscountAllowed>,
    /// A volume price, valid from `volume` units.
    #[serde(rename = "CrPr", skip_serializing_if = "Option::is_none")]
    pub volume_price: Option<bool>,
    #[serde(
        rename = "Am",
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::option_decimal"
    )]
    pub volume: Option<Decimal>,
}

impl UpdateConnector for SalesPrice {
    fn connector(&self) -> &'static str {
        "FbSalesPrice"
    }

    fn element(&self) -> Result<Box<RawValue>, serde_json::Error> {
        ElementBuilder::new(self).build()
    }
}
