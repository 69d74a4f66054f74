//! A GetConnector's rows, kept materialised and indexed so that filtered reads stay fast at many thousands of
//! rows (the sync engine looks orders up by reference once per order it writes).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

/// One GetConnector row: field id → value.
pub type Row = serde_json::Map<String, Value>;

/// Rows by a primary key (whose order is the connector's natural order), plus equality indexes on some fields.
#[derive(Debug, Clone, Default)]
pub struct Table {
    rows: BTreeMap<String, Row>,
    indexes: HashMap<String, HashMap<String, BTreeSet<String>>>,
}

impl Table {
    pub fn with_indexes(fields: &[&str]) -> Self {
        Self {
            rows: BTreeMap::new(),
            indexes: fields.iter().map(|field| (field.to_string(), HashMap::new())).collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Row> {
        self.rows.get(key)
    }

    pub fn rows(&self) -> impl Iterator<Item = (&String, &Row)> {
        self.rows.iter()
    }

    pub fn upsert(&mut self, key: String, row: Row) {
        self.remove(&key);
        for (field, index) in &mut self.indexes {
            if let Some(value) = row.get(field) {
                index.entry(index_key(value)).or_default().insert(key.clone());
            }
        }
        self.rows.insert(key, row);
    }

    pub fn remove(&mut self, key: &str) -> Option<Row> {
        let row = self.rows.remove(key)?;
        for (field, index) in &mut self.indexes {
            if let Some(value) = row.get(field) {
                let value_key = index_key(value);
                if let Some(keys) = index.get_mut(&value_key) {
                    keys.remove(key);
                    if keys.is_empty() {
                        index.remove(&value_key);
                    }
                }
            }
        }
        Some(row)
    }

    /// Removes every row whose key starts with `prefix` (the lines of one order).
    pub fn remove_prefix(&mut self, prefix: &str) {
        let keys: Vec<String> = self
            .rows
            .range(prefix.to_owned()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, _)| key.clone())
            .collect();
        for key in keys {
            self.remove(&key);
        }
    }

    /// The keys of the rows whose `field` equals `value`, if that field is indexed.
    pub fn lookup(&self, field: &str, value: &Value) -> Option<Vec<&String>> {
        let index = self.indexes.get(field)?;
        Some(
            index
                .get(&index_key(value))
                .map(|keys| keys.iter().collect())
                .unwrap_or_default(),
        )
    }
}

/// Equality in GetConnector filters ignores case (Profit's database collation does), so the index does too.
fn index_key(value: &Value) -> String {
    match value {
        Value::String(text) => text.to_lowercase(),
        Value::Number(number) => number.as_f64().map(|n| n.to_string()).unwrap_or_default(),
        Value::Bool(flag) => flag.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(reference: &str) -> Row {
        json!({ "CustomerReference": reference }).as_object().cloned().unwrap()
    }

    #[test]
    fn the_index_follows_upserts_and_removals() {
        let mut table = Table::with_indexes(&["CustomerReference"]);
        table.upsert("1".into(), row("A-1"));
        table.upsert("2".into(), row("a-1"));
        assert_eq!(table.lookup("CustomerReference", &json!("A-1")).unwrap().len(), 2);
        table.upsert("2".into(), row("B"));
        assert_eq!(table.lookup("CustomerReference", &json!("a-1")).unwrap(), vec!["1"]);
        table.remove("1");
        assert!(table.lookup("CustomerReference", &json!("A-1")).unwrap().is_empty());
        assert!(table.lookup("Other", &json!("x")).is_none());
    }
}
