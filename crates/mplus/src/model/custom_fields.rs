//! Custom fields: the shop's own fields for articles, employees and relations (`getCustomFieldLists`), and
//! an article's values for them (`customFieldList`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{MplusError, wire};

/// `DataType`: what a custom field holds, and so which value element of [`CustomField`] carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomFieldType {
    /// `strValue`.
    #[serde(rename = "DATA-TYPE-STRING")]
    String,
    /// `intValue`.
    #[serde(rename = "DATA-TYPE-INT")]
    Int,
    /// `intValue` with `decimalPlaces`.
    #[serde(rename = "DATA-TYPE-DECIMAL")]
    Decimal,
    /// `boolValue`.
    #[serde(rename = "DATA-TYPE-BOOL")]
    Bool,
    /// `dateValue`.
    #[serde(rename = "DATA-TYPE-DATE")]
    Date,
    #[serde(rename = "DATA-TYPE-DATETIME")]
    DateTime,
    #[serde(rename = "DATA-TYPE-ARRAY")]
    Array,
    #[serde(rename = "DATA-TYPE-MULTISELECTINT")]
    MultiSelectInt,
    #[serde(rename = "DATA-TYPE-UNKNOWN")]
    Unknown,
    #[serde(rename = "DATA-TYPE-TEXT-ARRAY")]
    TextArray,
}

/// `CustomField`, elements in the WSDL's sequence order. From `getCustomFieldLists` a definition
/// (`field_name`, `data_type`, `is_required`); on an article its value. To write a value, send `field_name`
/// and the one value element of the field's type (the constructors below); a field with no value element
/// clears the article's value. `dateTimeValue` and `multiSelectInt` are not modelled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomField {
    pub field_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<CustomFieldType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub str_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub int_value: Option<i64>,
    /// The scale of `int_value` for a decimal field: [`CustomField::decimal_value`] gives the exact number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_places: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bool_value: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::option_date")]
    pub date_value: Option<NaiveDate>,
}

impl CustomField {
    fn named(field_name: &str) -> Self {
        Self {
            field_name: field_name.to_owned(),
            ..Self::default()
        }
    }

    /// A text value (`strValue`), for a `DATA-TYPE-STRING` field.
    pub fn string(field_name: &str, value: &str) -> Self {
        Self {
            str_value: Some(value.to_owned()),
            ..Self::named(field_name)
        }
    }

    /// A whole number (`intValue`), for a `DATA-TYPE-INT` field.
    pub fn int(field_name: &str, value: i64) -> Self {
        Self {
            int_value: Some(value),
            ..Self::named(field_name)
        }
    }

    /// An exact decimal (`intValue` with `decimalPlaces`, no more places than it needs), for a
    /// `DATA-TYPE-DECIMAL` field. Refused when the digits do not fit a long.
    pub fn decimal(field_name: &str, value: Decimal) -> Result<Self, MplusError> {
        let (int_value, decimal_places) = wire::to_scaled(value)?;
        Ok(Self {
            int_value: Some(int_value),
            decimal_places: Some(decimal_places),
            ..Self::named(field_name)
        })
    }

    /// A yes/no value (`boolValue`), for a `DATA-TYPE-BOOL` field.
    pub fn bool(field_name: &str, value: bool) -> Self {
        Self {
            bool_value: Some(value),
            ..Self::named(field_name)
        }
    }

    /// A date (`dateValue`), for a `DATA-TYPE-DATE` field.
    pub fn date(field_name: &str, value: NaiveDate) -> Self {
        Self {
            date_value: Some(value),
            ..Self::named(field_name)
        }
    }

    /// No value element: the write clears the article's value for the field.
    pub fn cleared(field_name: &str) -> Self {
        Self::named(field_name)
    }

    /// `int_value` scaled by `decimal_places` (0 when absent), exactly; `None` without an `int_value`.
    pub fn decimal_value(&self) -> Option<Decimal> {
        self.int_value
            .map(|value| wire::from_scaled(value, self.decimal_places))
    }
}

/// `CustomFieldList` of a write: the article's values to set, by field name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldList {
    #[serde(default)]
    pub custom_field: Vec<CustomField>,
}

impl From<Vec<CustomField>> for CustomFieldList {
    fn from(custom_field: Vec<CustomField>) -> Self {
        Self { custom_field }
    }
}

/// What `getCustomFieldLists` answers: the custom fields the shop defines per kind of record (definitions,
/// no values).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomFieldLists {
    pub article: Vec<CustomField>,
    pub employee: Vec<CustomField>,
    pub relation: Vec<CustomField>,
}
