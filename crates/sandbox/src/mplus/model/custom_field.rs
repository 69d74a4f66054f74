//! Custom fields: the shop defines them (a name and a data type, listed by `getCustomFieldLists`), and an
//! article holds a value for some of them in its `customFieldList`.

use chrono::NaiveDate;

use super::{DataType, date_xml, parse_date};
use crate::mplus::xml::Element;

/// A custom field the shop defines. They are made in the back office (the API cannot create them), so the
/// sandbox's are fixed by the seed.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomFieldDefinition {
    pub name: String,
    pub data_type: DataType,
    pub is_required: bool,
}

/// The value elements a `customField` may carry (the WSDL's `CustomField` after `isRequired`).
const VALUE_ELEMENTS: &[&str] = &[
    "strValue",
    "intValue",
    "decimalPlaces",
    "boolValue",
    "dateValue",
    "dateTimeValue",
    "multiSelectInt",
];

impl CustomFieldDefinition {
    pub fn new(name: &str, data_type: DataType) -> Self {
        Self {
            name: name.to_owned(),
            data_type,
            is_required: false,
        }
    }

    /// `CustomField` as `getCustomFieldLists` lists it: the definition, without a value.
    pub fn to_xml(&self) -> Element {
        Element::new("customField")
            .with_leaf("fieldName", &self.name)
            .with_leaf("dataType", self.data_type.wire())
            .with_leaf("isRequired", self.is_required)
    }

    /// The value a request's `customField` gives this field: `None` when it carries no value element (the
    /// value is cleared). The element that carries it follows the data type: `strValue` for STRING,
    /// `intValue` for INT, `intValue` with `decimalPlaces` (0 when absent) for DECIMAL, `boolValue` for BOOL,
    /// `dateValue` for DATE. Any other value element, a `dataType` other than the field's, or a data type the
    /// sandbox does not store is refused with a message naming the field.
    pub fn read_value(&self, element: &Element) -> Result<Option<CustomFieldValue>, String> {
        let name = &self.name;
        let data_type = self.data_type.wire();
        if let Some(sent) = element.text_of("dataType")
            && sent != data_type
        {
            return Err(format!("Custom field '{name}' is {data_type}, not {sent}"));
        }
        let allowed: &[&str] = match self.data_type {
            DataType::String => &["strValue"],
            DataType::Int => &["intValue"],
            DataType::Decimal => &["intValue", "decimalPlaces"],
            DataType::Bool => &["boolValue"],
            DataType::Date => &["dateValue"],
            _ => {
                return Err(format!(
                    "Custom field '{name}': the sandbox does not store {data_type} values"
                ));
            }
        };
        let sent: Vec<&str> = element
            .children
            .iter()
            .map(|child| child.name.as_str())
            .filter(|child| VALUE_ELEMENTS.contains(child))
            .collect();
        if let Some(wrong) = sent.iter().find(|child| !allowed.contains(child)) {
            return Err(format!(
                "Custom field '{name}' is {data_type}: its value is {}, not {wrong}",
                allowed.join(" with ")
            ));
        }
        if sent.is_empty() {
            return Ok(None);
        }
        let int_value = || {
            element
                .number_of("intValue")
                .ok_or_else(|| format!("Custom field '{name}' needs an intValue"))
        };
        let value = match self.data_type {
            DataType::String => CustomFieldValue::Str(element.text_of("strValue").unwrap_or_default().to_owned()),
            DataType::Int => CustomFieldValue::Int(int_value()?),
            DataType::Decimal => {
                let decimal_places = element
                    .int_of("decimalPlaces")
                    .map_err(|e| format!("Custom field '{name}': {e}"))?
                    .unwrap_or(0);
                if !(0..=28).contains(&decimal_places) {
                    return Err(format!(
                        "Custom field '{name}': decimalPlaces {decimal_places} is not between 0 and 28"
                    ));
                }
                CustomFieldValue::Decimal {
                    value: int_value()?,
                    decimal_places,
                }
            }
            DataType::Bool => CustomFieldValue::Bool(element.flag_of("boolValue").unwrap_or(false)),
            // DATE: the other types were refused above.
            _ => CustomFieldValue::Date(
                element
                    .child("dateValue")
                    .and_then(parse_date)
                    .ok_or_else(|| format!("Custom field '{name}': dateValue is not a valid date"))?,
            ),
        };
        Ok(Some(value))
    }
}

/// A custom field's value, in the data types the sandbox stores.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomFieldValue {
    Str(String),
    Int(i64),
    /// `intValue` scaled by `decimalPlaces`: `value / 10^decimal_places`, exact.
    Decimal {
        value: i64,
        decimal_places: i32,
    },
    Bool(bool),
    Date(NaiveDate),
}

/// An article's value for one of the shop's custom fields.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCustomField {
    pub name: String,
    pub data_type: DataType,
    pub value: CustomFieldValue,
}

impl StoredCustomField {
    /// `CustomField` as an article shows it: `fieldName`, `dataType` and the value element.
    pub fn to_xml(&self) -> Element {
        let field = Element::new("customField")
            .with_leaf("fieldName", &self.name)
            .with_leaf("dataType", self.data_type.wire());
        match &self.value {
            CustomFieldValue::Str(text) => field.with_leaf("strValue", text),
            CustomFieldValue::Int(value) => field.with_leaf("intValue", value),
            CustomFieldValue::Decimal { value, decimal_places } => field
                .with_leaf("intValue", value)
                .with_leaf("decimalPlaces", decimal_places),
            CustomFieldValue::Bool(flag) => field.with_leaf("boolValue", flag),
            CustomFieldValue::Date(date) => field.with(date_xml("dateValue", *date)),
        }
    }
}
