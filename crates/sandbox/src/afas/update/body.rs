//! Reading a normalised UpdateConnector body (see [`koppel_afas::schema::normalize`]): elements, their
//! `Fields`, key attributes (`@DbId`, `@OrNu`...), `@Action`, and nested objects.

use serde_json::Value;

use crate::afas::store::Fields;

/// What a nested element asks for; the default depends on the request method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Insert,
    Update,
    Delete,
}

/// One `Element` of a body.
#[derive(Debug, Clone, Copy)]
pub struct Element<'b> {
    raw: &'b serde_json::Map<String, Value>,
}

impl<'b> Element<'b> {
    /// The elements of `object` inside `container` (`{"<object>": {"Element": [...]}}`).
    pub fn all_in(container: &'b Value, object: &str) -> Vec<Element<'b>> {
        container
            .get(object)
            .and_then(|o| o.get("Element"))
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|raw| Element { raw })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The fields without attributes such as `@Action`.
    pub fn fields(&self) -> Fields {
        self.raw
            .get("Fields")
            .and_then(Value::as_object)
            .map(|fields| {
                fields
                    .iter()
                    .filter(|(key, _)| !key.starts_with('@'))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A key such as `DbId`, given as the element attribute `@DbId` or as a field.
    pub fn key(&self, name: &str) -> Option<String> {
        let attribute = format!("@{name}");
        let from_fields = self.raw.get("Fields").and_then(|fields| fields.get(name));
        self.raw
            .get(&attribute)
            .or(from_fields)
            .map(crate::afas::fields::display)
            .filter(|key| !key.is_empty())
    }

    /// `@Action` on the element or in its `Fields`.
    pub fn action(&self, default: Action) -> Result<Action, String> {
        let action = self
            .raw
            .get("@Action")
            .or_else(|| self.raw.get("Fields").and_then(|fields| fields.get("@Action")));
        match action.and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("insert") => Ok(Action::Insert),
            Some("update") => Ok(Action::Update),
            Some("delete") => Ok(Action::Delete),
            Some(other) => Err(other.to_owned()),
        }
    }

    /// The elements of a nested object (`Objects: [{"<name>": {"Element": [...]}}]`).
    pub fn children(&self, name: &str) -> Vec<Element<'b>> {
        self.raw
            .get("Objects")
            .and_then(Value::as_array)
            .map(|objects| {
                objects
                    .iter()
                    .flat_map(|object| Element::all_in(object, name))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Applies sent fields to stored ones: every field sent is updated, `""` clears it.
pub fn merge(target: &mut Fields, changes: &Fields) {
    for (key, value) in changes {
        if value.as_str() == Some("") || value.is_null() {
            target.remove(key);
        } else {
            target.insert(key.clone(), value.clone());
        }
    }
}

/// Fields as stored after an insert: empty strings mean "no value".
pub fn without_empty(fields: Fields) -> Fields {
    let mut stored = Fields::new();
    merge(&mut stored, &fields);
    stored
}
