//! The preview: maps a real MplusKASSA record with the saved rules (plus the one in the form) and shows the
//! exact AFAS request it would send, sending nothing.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use koppel_core::FlowKind;
use koppel_sync::field_map::target_fields;
use koppel_sync::settings::FlowSettings;

use super::page::{keep_input, page, rerender};
use super::rule_form::read_rule;
use crate::api::flows::{load_settings, parse_flow};
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::pages::setup::Fields;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// Records the preview reads to find one that is sent (the first may be filtered out, e.g. unpaid).
const PREVIEW_RECORDS: u32 = 10;

pub struct PreviewView {
    pub entity: String,
    pub source_id: String,
    pub outcome: String,
    pub reason: String,
    pub failed: bool,
    pub record: String,
    pub writes: Vec<(String, String)>,
}

/// `POST /t/{tenant_id}/settings/{flow}/fields/preview`: maps a real record with the saved rules, plus the rule
/// in the form when one is filled in (so a rule can be tried before it is saved), and shows what AFAS would
/// receive.
pub async fn preview(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let form = Fields::new(pairs);
    let mut settings = load_settings(&state, &ctx.scope, flow).await?;
    let stored = settings.field_map.clone();
    if !form.get("target").trim().is_empty() {
        let mut errors = FieldErrors::default();
        let rule = read_rule(&form, flow, &mut errors);
        let Some(rule) = rule.filter(|_| errors.is_empty()) else {
            return rerender(&state, &ctx, flow, &stored, &form, errors).await;
        };
        settings.field_map.0.retain(|r| r.target != rule.target);
        settings.field_map.0.push(rule);
    }
    let mut page = page(&state, &ctx, flow, &stored).await?;
    keep_input(&mut page, &form);
    if page.source_kind.is_empty() {
        page.source_kind = "default".into();
    }
    match run_preview(&state, &ctx, flow, settings).await {
        Ok(Some(view)) => page.preview = Some(view),
        Ok(None) => page.preview_empty = true,
        Err(message) => page.alert = Some(message),
    }
    Ok(page.into_response())
}

/// One record's plan: the first of the first records that is sent or fails (else the first at all).
async fn run_preview(
    state: &AppState,
    ctx: &TenantContext,
    flow: FlowKind,
    mut settings: FlowSettings,
) -> Result<Option<PreviewView>, String> {
    use koppel_jobs::Connectors;
    if target_fields(flow).is_empty() {
        return Err(format!("The {flow} flow has no field mapping to preview."));
    }
    let connectors = koppel_jobs::connect::ClientConnectors::new(state.secrets.clone());
    let (source, target) = connectors
        .open(&state.db, &ctx.scope)
        .await
        .map_err(|e| format!("Cannot open the connections: {}", e.message))?;
    settings.batch_size = PREVIEW_RECORDS;
    let planned = koppel_sync::dry_run(flow, &settings, &source, &target)
        .await
        .map_err(|e| format!("The preview stopped: {e}"))?;
    let chosen = planned
        .iter()
        .position(|p| !p.writes.is_empty() || p.outcome == koppel_sync::ports::Outcome::Failed)
        .unwrap_or(0);
    Ok(planned.into_iter().nth(chosen).map(|p| PreviewView {
        entity: p.entity,
        source_id: p.source_id,
        outcome: p.outcome.as_str().to_owned(),
        reason: p.reason.unwrap_or_default(),
        failed: p.outcome == koppel_sync::ports::Outcome::Failed,
        record: serde_json::to_string_pretty(&p.source).unwrap_or_default(),
        writes: p
            .writes
            .into_iter()
            .map(|w| (w.operation, crate::pages::activity::pretty_value(&w.request.to_value())))
            .collect(),
    }))
}
