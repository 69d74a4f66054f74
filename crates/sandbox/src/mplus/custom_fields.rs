//! Custom fields: `getCustomFieldLists` (the shop's definitions for articles, employees and relations), and
//! the values of an article's `customFieldList` as `createProduct` and `updateProduct` write them.

use super::model::{CustomFieldDefinition, StoredCustomField};
use super::soap::SoapFault;
use super::state::Store;
use super::xml::Element;

/// The shop's definitions (`fieldName`, `dataType`, `isRequired`; no values), article, employee and
/// relation lists in the WSDL's order.
pub fn get_custom_field_lists(store: &Store, _operation: &Element) -> Result<Element, SoapFault> {
    let list = |name: &str, fields: &[CustomFieldDefinition]| {
        Element::new(name).with_all(fields.iter().map(CustomFieldDefinition::to_xml))
    };
    let shop = &store.shop;
    Ok(Element::new("GetCustomFieldListsResponse")
        .with(list("articleCustomFieldList", &shop.article_custom_fields))
        .with(list("employeeCustomFieldList", &shop.employee_custom_fields))
        .with(list("relationCustomFieldList", &shop.relation_custom_fields)))
}

/// Merges a request's `customFieldList` into an article's values, **by `fieldName`**: each field sent gets the
/// value sent (a `customField` without a value element clears it), and the fields not sent keep theirs, so an
/// empty list changes nothing. The WSDL does not say whether the list replaces the article's values or merges
/// into them; merging is the sandbox's reading (a client that sends one field cannot wipe the others).
///
/// Each `customField` must name a field of `definitions` (exactly, case included) once, and carry the value
/// element of its data type ([`CustomFieldDefinition::read_value`]); anything else is an error naming the
/// field, and the caller then changes nothing. The values stay in the order of the definitions.
pub fn merge_custom_fields(
    values: &mut Vec<StoredCustomField>,
    list: &Element,
    definitions: &[CustomFieldDefinition],
) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    for field in list.children_named("customField") {
        let name = field
            .text_of("fieldName")
            .filter(|name| !name.is_empty())
            .ok_or("A customField needs a fieldName")?;
        if seen.contains(&name) {
            return Err(format!("Custom field '{name}' is given twice"));
        }
        seen.push(name);
        let definition = definitions
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| format!("Custom field '{name}' does not exist"))?;
        let value = definition.read_value(field)?;
        values.retain(|stored| stored.name != name);
        if let Some(value) = value {
            values.push(StoredCustomField {
                name: name.to_owned(),
                data_type: definition.data_type,
                value,
            });
        }
    }
    values.sort_by_key(|stored| definitions.iter().position(|d| d.name == stored.name));
    Ok(())
}
