//! Step 3: choosing which flows to run (saved in the setup progress; the review step switches them on).

use axum::response::Response;
use koppel_core::{Direction, FlowKind};
use koppel_store::audit;
use koppel_store::setup;

use super::form::Fields;
use super::page::{SetupPage, rerender};
use super::progress::redirect_to;
use super::saving::now_ms;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

pub struct FlowChoice {
    pub name: &'static str,
    pub label: String,
    pub explanation: &'static str,
    pub checked: bool,
}

/// The flows to tick: the chosen ones, or the orders flow before the step was ever saved.
pub(super) async fn fill_flows(state: &AppState, ctx: &TenantContext, page: &mut SetupPage) -> AppResult<()> {
    let progress = setup::get(&state.db, &ctx.scope).await?;
    let chosen = if progress.completed.iter().any(|s| s == "flows") || page.values.contains_key("__posted") {
        progress.chosen_flows.clone()
    } else {
        vec!["orders".to_owned()]
    };
    page.flows = FlowKind::ALL
        .into_iter()
        .map(|flow| FlowChoice {
            name: flow.as_str(),
            label: label(flow),
            explanation: flow.explanation(),
            checked: chosen.iter().any(|c| c == flow.as_str()),
        })
        .collect();
    Ok(())
}

/// "Orders"; a flow towards the till says so ("Articles (AFAS → MplusKASSA)"), beside the products flow.
fn label(flow: FlowKind) -> String {
    let name = capitalise(flow.as_str());
    match flow.direction() {
        Direction::MplusToAfas => name,
        direction => format!("{name} ({} → {})", direction.source_system(), direction.target_system()),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

pub(super) async fn submit_flows(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let chosen: Vec<String> = form
        .all("flows")
        .into_iter()
        .filter(|f| f.parse::<FlowKind>().is_ok())
        .collect();
    let mut progress = setup::get(&state.db, &ctx.scope).await?;
    if chosen.is_empty() {
        progress.chosen_flows.clear();
        setup::save(&state.db, &ctx.scope, &progress, now_ms()).await?;
        let mut errors = FieldErrors::default();
        errors.add_message("flows", "Choose at least one flow.");
        return rerender(state, ctx, "flows", form, errors, |_| {}).await;
    }
    let before = serde_json::json!({"flows": progress.chosen_flows});
    progress.chosen_flows = chosen;
    if !progress.completed.iter().any(|s| s == "flows") {
        progress.completed.push("flows".into());
    }
    setup::save(&state.db, &ctx.scope, &progress, now_ms()).await?;
    let changes = audit::diff(&before, &serde_json::json!({"flows": progress.chosen_flows}));
    audit::record(
        &state.db,
        &ctx.scope,
        &ctx.user.email,
        "setup/flows",
        &changes,
        now_ms(),
    )
    .await?;
    Ok(redirect_to(ctx, "general"))
}
