//! The field-mapping editor of a flow: the default mapping (source → target field), the tenant's rules, a
//! form to add, change or remove the rule of one target field, and a preview that maps a real record from
//! MplusKASSA and shows the exact AFAS request it would send, sending nothing. Owners and admins only.
//!
//! The form has a fixed number of transform rows (select + up to three arguments) so it works without
//! JavaScript; the rules themselves are `koppel_sync::field_map`, which checks them for the API too.
//!
//! This module routes showing the editor and saving a rule; the page, the preview, the form/rule conversion
//! and the rules in words are its submodules.

mod describe;
mod page;
mod preview;
mod rule_form;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use koppel_core::FlowKind;
use koppel_store::audit;
use koppel_store::flows;
use koppel_sync::field_map::FieldMap;

use describe::describe;
use page::{FieldsPage, fill_form, page, rerender};
pub use preview::preview;
use rule_form::read_rule;

use super::setup::Fields;
use crate::api::flows::{load_flow, load_settings, parse_flow};
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

#[derive(Debug, Default, serde::Deserialize)]
pub struct FieldsQuery {
    #[serde(default)]
    edit: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /t/{tenant_id}/settings/{flow}/fields`.
pub async fn show(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
    Query(query): Query<FieldsQuery>,
) -> AppResult<FieldsPage> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let settings = load_settings(&state, &ctx.scope, flow).await?;
    let mut page = page(&state, &ctx, flow, &settings.field_map).await?;
    if let Some(target) = query.edit.as_deref() {
        match settings.field_map.rule(target) {
            Some(rule) => fill_form(&mut page, rule),
            None => page.target = target.to_owned(),
        }
    }
    if query.saved.is_some() {
        page.notice = Some("Saved.".into());
    }
    Ok(page)
}

/// `POST /t/{tenant_id}/settings/{flow}/fields`: saves the rule of one target field (`action=save`) or removes
/// it (`action=remove`).
pub async fn save(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let form = Fields::new(pairs);
    let mut config = load_flow(&state, &ctx.scope, flow).await?;
    let mut settings = load_settings(&state, &ctx.scope, flow).await?;
    let before = by_target(&settings.field_map);
    let target = form.get("target").trim().to_owned();
    if form.get("action") == "remove" {
        settings.field_map.0.retain(|rule| rule.target != target);
    } else {
        let mut errors = FieldErrors::default();
        let rule = read_rule(&form, flow, &mut errors);
        let Some(rule) = rule.filter(|_| errors.is_empty()) else {
            return rerender(&state, &ctx, flow, &settings.field_map, &form, errors).await;
        };
        match settings.field_map.0.iter_mut().find(|r| r.target == rule.target) {
            Some(existing) => *existing = rule,
            None => settings.field_map.0.push(rule),
        }
    }
    let after = by_target(&settings.field_map);
    let changes = audit::diff(&before, &after);
    if changes.is_empty() {
        return Ok(redirect(&ctx, flow));
    }
    // The rules are the flow's own: only its row changes (the company-wide settings are not touched).
    config.settings = settings.own_document();
    let now = koppel_store::now().timestamp_millis();
    flows::save(&state.db, &ctx.scope, &config, now).await?;
    let area = format!("flow/{flow}/fields");
    audit::record(&state.db, &ctx.scope, &ctx.user.email, &area, &changes, now).await?;
    Ok(redirect(&ctx, flow))
}

fn redirect(ctx: &TenantContext, flow: FlowKind) -> Response {
    Redirect::to(&format!("/t/{}/settings/{flow}/fields?saved=1", ctx.scope.tenant_id())).into_response()
}

/// The rules keyed by target, so the audit log names the field a change touched.
fn by_target(map: &FieldMap) -> serde_json::Value {
    let rules: serde_json::Map<String, serde_json::Value> = map
        .0
        .iter()
        .map(|rule| (rule.target.clone(), serde_json::Value::String(describe(rule))))
        .collect();
    serde_json::json!({ "field_map": rules })
}
