//! A flow's settings as the flows read them: the company-wide part (one `company_settings` row per company,
//! shared by every flow) with the flow's own part (its `flows` row). [`load`] is how runs, the preflight, the
//! dry run, the pages and the API read them; [`save`] and [`save_company`] are how every writer stores them,
//! auditing a company-wide change once however many flows it affects. [`adopt_flow_settings`] gives companies
//! from before the company settings theirs, built from their flows.

use koppel_core::FlowKind;
use koppel_store::audit::{self, Change};
use koppel_store::company_settings::{self, Adoption};
use koppel_store::flows::{self, DEFAULT_SCHEDULE, FlowConfig};
use koppel_store::{Db, StoreError, TenantScope};
use koppel_sync::settings::{CompanySettings, FlowSettings};
use serde_json::{Map, Value};

/// The audit log's area of company-wide changes.
pub const COMPANY_AREA: &str = "company";

/// Who the audit log names for what [`adopt_flow_settings`] decided.
pub const MIGRATION_ACTOR: &str = "koppel (migration)";

/// The company's company-wide settings (the defaults before any are stored).
pub async fn company(db: &Db, scope: &TenantScope) -> Result<CompanySettings, StoreError> {
    Ok(company_settings::get(db, scope)
        .await?
        .and_then(|document| serde_json::from_value(document).ok())
        .unwrap_or_default())
}

/// The flow's stored state, schedule and own settings, or the defaults of one never configured.
pub async fn flow_config(db: &Db, scope: &TenantScope, flow: FlowKind) -> Result<FlowConfig, StoreError> {
    Ok(flows::get(db, scope, flow).await?.unwrap_or_else(|| FlowConfig {
        flow,
        enabled: false,
        schedule: DEFAULT_SCHEDULE.to_owned(),
        settings: FlowSettings::default().own_document(),
        cursor: None,
        next_run_at_ms: None,
    }))
}

/// The settings `flow` runs with: the company's with the flow's own.
pub async fn load(db: &Db, scope: &TenantScope, flow: FlowKind) -> Result<FlowSettings, StoreError> {
    let config = flow_config(db, scope, flow).await?;
    Ok(FlowSettings::from_parts(company(db, scope).await?, &config.settings))
}

/// Stores the company-wide settings (for every flow) and records what changed as one `company` entry.
/// Returns the changes (none when nothing changed).
pub async fn save_company(
    db: &Db,
    scope: &TenantScope,
    actor: &str,
    settings: &CompanySettings,
    now_ms: i64,
) -> Result<Vec<Change>, StoreError> {
    let stored = company_settings::get(db, scope).await?;
    let before = serde_json::to_value(company(db, scope).await?).expect("settings serialise");
    let after = serde_json::to_value(settings).expect("settings serialise");
    let changes = audit::diff(&before, &after);
    if changes.is_empty() && stored.is_some() {
        return Ok(changes);
    }
    company_settings::save(db, scope, &after, now_ms).await?;
    audit::record(db, scope, actor, COMPANY_AREA, &changes, now_ms).await?;
    Ok(changes)
}

/// Saves a flow: its state, schedule and next run from `config`, its own settings in its row and the
/// company-wide part of `settings` for the whole company. The flow's changes are recorded under
/// `flow/{flow}`, the company's once under `company`. Returns the flow as stored.
pub async fn save(
    db: &Db,
    scope: &TenantScope,
    actor: &str,
    mut config: FlowConfig,
    settings: &FlowSettings,
    now_ms: i64,
) -> Result<FlowConfig, StoreError> {
    let flow = config.flow;
    save_company(db, scope, actor, &settings.company, now_ms).await?;
    let stored = flows::get(db, scope, flow).await?;
    let direction_before = stored
        .as_ref()
        .map(|stored| FlowSettings::from_parts(CompanySettings::default(), &stored.settings).direction(flow));
    let before = match &stored {
        Some(stored) => {
            // Compared in the shape it is written in, so fields a stored document lacked are not "changes".
            let own = FlowSettings::from_parts(CompanySettings::default(), &stored.settings).own_document();
            flow_audit(stored.enabled, &stored.schedule, own)
        }
        None => {
            let default = flow_config(db, scope, flow).await?;
            flow_audit(default.enabled, &default.schedule, default.settings)
        }
    };
    config.settings = settings.own_document();
    let changes = audit::diff(
        &before,
        &flow_audit(config.enabled, &config.schedule, config.settings.clone()),
    );
    // Saved even when nothing changed: a save marks the flow's settings as reviewed, which lets records that
    // failed for a setting be retried at the next run.
    flows::save(db, scope, &config, now_ms).await?;
    // The cursor of one way means nothing the other way (a till sync marker is not an AFAS modification time):
    // a flow that changes direction reads its new source from the start.
    if direction_before.is_some_and(|before| before != settings.direction(flow)) {
        flows::reset_cursor(db, scope, flow).await?;
    }
    audit::record(db, scope, actor, &format!("flow/{flow}"), &changes, now_ms).await?;
    Ok(config)
}

fn flow_audit(enabled: bool, schedule: &str, own: Value) -> Value {
    serde_json::json!({"enabled": enabled, "schedule": schedule, "settings": own})
}

/// Gives every company without company settings theirs, built from its flows' settings (stored before the
/// company-wide part moved out of them), and strips those fields from the flows. Idempotent: a company that
/// has company settings is left alone. Where flows disagreed, the orders flow's value is kept (or else the
/// first flow's, in [`FlowKind::ALL`] order, that set the field) and one audit entry per field names the kept
/// and the dropped values. Returns how many companies were given theirs.
pub async fn adopt_flow_settings(db: &Db) -> Result<usize, StoreError> {
    let mut adopted = 0;
    for tenant in company_settings::tenants_without(db).await? {
        let scope = TenantScope::for_background_job(tenant);
        let stored: Vec<(FlowKind, Value)> = flows::list(db, &scope)
            .await?
            .into_iter()
            .map(|config| (config.flow, config.settings))
            .collect();
        let (company, disagreements) = merge(&stored);
        let own: Vec<(FlowKind, Value)> = stored
            .iter()
            .map(|(flow, settings)| (*flow, strip_company(settings)))
            .collect();
        let notes: Vec<(String, Vec<Change>)> = disagreements
            .into_iter()
            .map(|change| (COMPANY_AREA.to_owned(), vec![change]))
            .collect();
        let adoption = Adoption {
            company: &company,
            flows: &own,
            notes: &notes,
            actor: MIGRATION_ACTOR,
        };
        let now = koppel_store::now().timestamp_millis();
        if company_settings::adopt(db, &scope, &adoption, now).await? {
            adopted += 1;
            if !notes.is_empty() {
                tracing::info!(%tenant, fields = notes.len(), "flows disagreed on company settings; kept the orders flow's");
            }
        }
    }
    Ok(adopted)
}

/// Connects, applies the migrations and adopts the company settings of companies from before them: what
/// every process that reads settings runs at start-up (`koppel migrate`, `serve`, `worker`).
pub async fn connect_and_migrate(url: &str) -> Result<Db, StoreError> {
    let db = Db::connect_and_migrate(url).await?;
    adopt_flow_settings(&db).await?;
    Ok(db)
}

/// The company-wide document built from the flows' documents, and per field where they disagreed the kept
/// value (`after`) and the dropped ones by flow (`before`).
fn merge(flows: &[(FlowKind, Value)]) -> (Value, Vec<Change>) {
    let defaults = match serde_json::to_value(CompanySettings::default()) {
        Ok(Value::Object(defaults)) => defaults,
        _ => Map::new(),
    };
    // The orders flow first, then the others in their usual order.
    let mut ordered: Vec<&(FlowKind, Value)> = flows.iter().collect();
    ordered.sort_by_key(|(flow, _)| (*flow != FlowKind::Orders, FlowKind::ALL.iter().position(|f| f == flow)));
    let mut company = Map::new();
    let mut disagreements = Vec::new();
    for (field, default) in &defaults {
        let value_of = |settings: &Value| settings.get(field).filter(|v| !v.is_null()).unwrap_or(default).clone();
        // A flow that left the default did not choose: a flow that did wins.
        let kept = ordered
            .iter()
            .map(|(_, settings)| value_of(settings))
            .find(|value| value != default)
            .unwrap_or_else(|| default.clone());
        let dropped: Map<String, Value> = ordered
            .iter()
            .map(|(flow, settings)| (flow.as_str().to_owned(), value_of(settings)))
            .filter(|(_, value)| *value != kept)
            .collect();
        if !dropped.is_empty() {
            disagreements.push(Change {
                field: field.clone(),
                before: Value::Object(dropped),
                after: kept.clone(),
            });
        }
        company.insert(field.clone(), kept);
    }
    // A stored value that no longer parses would be lost silently: keep the defaults instead.
    let company = Value::Object(company);
    let company = match serde_json::from_value::<CompanySettings>(company.clone()) {
        Ok(_) => company,
        Err(_) => Value::Object(defaults),
    };
    (company, disagreements)
}

/// A flow's stored document without the company-wide fields.
fn strip_company(settings: &Value) -> Value {
    let mut settings = settings.clone();
    if let Some(fields) = settings.as_object_mut() {
        for name in CompanySettings::field_names() {
            fields.remove(&name);
        }
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flows_that_agree_merge_without_notes() {
        let flows = [
            (FlowKind::Stock, json!({"warehouse": "01", "manage_stock": false})),
            (FlowKind::Orders, json!({"warehouse": "01", "order_filter": "any"})),
        ];
        let (company, notes) = merge(&flows);
        assert_eq!(company["warehouse"], "01");
        assert_eq!(company["currency"], "EUR", "defaults fill the rest");
        assert!(notes.is_empty(), "{notes:?}");
        assert!(company.get("order_filter").is_none() && company.get("manage_stock").is_none());
    }

    #[test]
    fn the_orders_flow_wins_and_the_dropped_values_are_named() {
        let flows = [
            (FlowKind::Stock, json!({"warehouse": "02", "numeric_item_codes": false})),
            (
                FlowKind::Products,
                json!({"warehouse": "03", "numeric_item_codes": true}),
            ),
            (
                FlowKind::Orders,
                json!({"warehouse": "01", "numeric_item_codes": false}),
            ),
        ];
        let (company, notes) = merge(&flows);
        assert_eq!(company["warehouse"], "01");
        assert_eq!(
            company["numeric_item_codes"], true,
            "a flow that left the default did not choose"
        );
        let warehouse = notes.iter().find(|n| n.field == "warehouse").unwrap();
        assert_eq!(warehouse.after, json!("01"));
        assert_eq!(warehouse.before, json!({"products": "03", "stock": "02"}));
        let codes = notes.iter().find(|n| n.field == "numeric_item_codes").unwrap();
        assert_eq!(codes.before, json!({"orders": false, "stock": false}));
        assert_eq!(notes.len(), 2);
    }

    #[test]
    fn without_an_orders_flow_the_first_flow_that_set_a_field_wins() {
        let flows = [
            (FlowKind::Stock, json!({"stock_branch": "2"})),
            (
                FlowKind::Customers,
                json!({"payment_terms": "30", "stock_branch": null}),
            ),
        ];
        let (company, notes) = merge(&flows);
        assert_eq!(company["stock_branch"], "2");
        assert_eq!(company["payment_terms"], "30");
        assert_eq!(notes.len(), 2, "null and a value disagree: {notes:?}");
    }
}
