//! The settings audit log: every change to a tenant's connections and flow settings, who made it and what
//! changed. Values of secret fields never reach this table: [`diff`] replaces them with a marker.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::on_pool;
use crate::{Db, Result, TenantScope};

/// Shown instead of a secret's value, before and after.
pub const REDACTED: &str = "•••• (secret, changed)";

/// One changed field: its dotted path and the values before and after (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    /// The user's e-mail address (or "system").
    pub actor: String,
    /// What was changed, e.g. `connection/mplus` or `flow/orders`.
    pub area: String,
    pub changes: Vec<Change>,
    pub created_at_ms: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    actor: String,
    area: String,
    changes: String,
    created_at_ms: i64,
}

/// Whether a field's value is a secret (its last path segment names one).
pub fn is_secret_field(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path).to_ascii_lowercase();
    ["secret", "token", "password", "api_key"]
        .iter()
        .any(|word| last.contains(word))
}

/// The fields that differ between two JSON documents, objects compared key by key (dotted paths), anything
/// else as a whole. Secret fields are redacted.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    walk("", before, after, &mut changes);
    changes
}

fn walk(path: &str, before: &Value, after: &Value, changes: &mut Vec<Change>) {
    if before == after {
        return;
    }
    let empty = Value::Object(serde_json::Map::new());
    // A document that appears or disappears is compared field by field, so its secrets are redacted too.
    let (before, after) = match (before, after) {
        (Value::Null, Value::Object(_)) => (&empty, after),
        (Value::Object(_), Value::Null) => (before, &empty),
        _ => (before, after),
    };
    match (before, after) {
        (Value::Object(old), Value::Object(new)) => {
            let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(
                    &child,
                    old.get(key).unwrap_or(&Value::Null),
                    new.get(key).unwrap_or(&Value::Null),
                    changes,
                );
            }
        }
        _ => {
            let field = if path.is_empty() {
                "value".to_owned()
            } else {
                path.to_owned()
            };
            let (before, after) = if is_secret_field(&field) {
                let mark = |v: &Value| {
                    if v.is_null() {
                        Value::Null
                    } else {
                        Value::String(REDACTED.to_owned())
                    }
                };
                (mark(before), mark(after))
            } else {
                (before.clone(), after.clone())
            };
            changes.push(Change { field, before, after });
        }
    }
}

/// One entry: tenant, user, actor, area, changes (JSON), time.
pub(crate) const INSERT: &str = "INSERT INTO settings_audit (tenant_id, user_id, actor, area, changes, created_at_ms)
     VALUES ($1, $2, $3, $4, $5, $6)";

/// Records a change; nothing is written when `changes` is empty.
pub async fn record(
    db: &Db,
    scope: &TenantScope,
    actor: &str,
    area: &str,
    changes: &[Change],
    now_ms: i64,
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let changes = serde_json::to_string(changes).expect("changes serialise");
    on_pool!(db, pool => sqlx::query(INSERT)
    .bind(scope.tenant_id().0)
    .bind(scope.user_id().0)
    .bind(actor)
    .bind(area)
    .bind(&changes)
    .bind(now_ms)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The newest entries first.
pub async fn list(db: &Db, scope: &TenantScope, limit: i64) -> Result<Vec<Entry>> {
    let rows = on_pool!(db, pool => sqlx::query_as::<_, Row>(
        "SELECT id, actor, area, changes, created_at_ms FROM settings_audit
         WHERE tenant_id = $1 ORDER BY created_at_ms DESC, id DESC LIMIT $2",
    )
    .bind(scope.tenant_id().0)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|row| Entry {
            id: row.id,
            actor: row.actor,
            area: row.area,
            changes: serde_json::from_str(&row.changes).unwrap_or_default(),
            created_at_ms: row.created_at_ms,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_and_redacts_secrets() {
        let before = json!({"url": "http://a", "ident": "x", "secret": "old", "map": {"PIN": "01"}});
        let after = json!({"url": "http://b", "ident": "x", "secret": "new", "map": {"PIN": "02", "CASH": "03"}});
        let changes = diff(&before, &after);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["map.CASH", "map.PIN", "secret", "url"]);
        let secret = &changes[2];
        assert_eq!(secret.before, json!(REDACTED));
        assert!(!serde_json::to_string(&changes).unwrap().contains("old"));
        assert!(!serde_json::to_string(&changes).unwrap().contains("\"new\""));
        let created = diff(&Value::Null, &json!({"token": "abc", "url": "u"}));
        assert_eq!(created.len(), 2);
        assert!(!serde_json::to_string(&created).unwrap().contains("abc"));
    }
}
