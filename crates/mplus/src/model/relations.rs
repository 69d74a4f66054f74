//! Relations (customers and suppliers) with their price terms. The same types are read and written: they are
//! serialised in the WSDL's element order, and fields left `None` are not sent (so an update changes only what it
//! names).

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::VatMethod;
use crate::wire;

/// `Relation`. A relation has one flat `address` line; there are no house-number fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub relation_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ext_relation_id: Option<String>,
    /// Read only.
    #[serde(skip_serializing, default)]
    pub sync_marker: Option<i64>,
    /// Read only.
    #[serde(skip_serializing, default, deserialize_with = "wire::option_date_time")]
    pub change_timestamp: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub zipcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivery_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivery_zipcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivery_city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delivery_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub telephone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mobile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default, with = "wire::option_date")]
    pub birth_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub relation_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub price_group_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub discount_percentage: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub category_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bank_account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default, with = "wire::option_cents")]
    pub credit_limit: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub payment_within_days: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vat_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub commerce_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extra_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub default_vat_method: Option<VatMethod>,
    /// The relation's discounts and prices per article or article discount group. `Some` replaces them all (an
    /// empty list removes them), `None` leaves them as they are: our reading, the WSDL does not say.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub relation_article_discount_list: Option<RelationArticleDiscountList>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub direct_debit: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reminder_email: Option<String>,
}

/// `RelationArticleDiscountList`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationArticleDiscountList {
    #[serde(default)]
    pub relation_article_discount: Vec<RelationArticleDiscount>,
}

/// `RelationArticleDiscount`: for one article or one article discount group, from `minimum_amount` items on
/// (a long with `minimum_amount_decimal_places`), a discount percentage or a price of the relation's own.
/// MplusKASSA numbers it (`relation_article_discount_id`) and fills `relation_number`. Prices are exact amounts
/// (cents on the wire).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationArticleDiscount {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub relation_article_discount_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub relation_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub article_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub article_discount_group_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub minimum_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub minimum_amount_decimal_places: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub discount_percentage: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none", default, with = "wire::option_cents")]
    pub price_incl: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none", default, with = "wire::option_cents")]
    pub price_excl: Option<Decimal>,
}

/// What `createRelation` answered.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationCreated {
    pub relation_number: i64,
    pub sync_marker: Option<i64>,
}
