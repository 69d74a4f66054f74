//! Step 7: review and activate. Shows what was set up, dry-runs the chosen flows, and switches them on once
//! both connections work and every chosen flow passes the preflight.

use axum::response::{IntoResponse, Redirect, Response};
use koppel_core::FlowKind;
use koppel_jobs::scheduler::next_run_after;
use koppel_store::audit;
use koppel_store::flows::{self, FlowConfig};
use koppel_store::setup;
use koppel_sync::settings::{FlowSettings, ValueMap};

use super::form::Fields;
use super::page::rerender;
use super::progress::mark_done;
use super::saving::now_ms;
use crate::api::connections as conn;
use crate::api::flows::{load_flow, load_settings, queue_run};
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::preflight;
use crate::state::AppState;
use crate::tenant::TenantContext;

pub struct PlannedView {
    pub flow: &'static str,
    pub entity: String,
    pub source_id: String,
    pub outcome: String,
    pub reason: String,
    pub payloads: Vec<(String, String)>,
}

pub(super) async fn summary(
    state: &AppState,
    ctx: &TenantContext,
    settings: &FlowSettings,
) -> AppResult<Vec<(String, String)>> {
    let mut rows = Vec::new();
    let connections = conn::summaries(state, ctx).await?;
    let describe = |body: Option<&conn::ConnectionBody>| match body {
        Some(body) if body.test.ok => format!("Connected. {}", body.test.message),
        Some(body) => format!("Stored, but the test failed: {}", body.test.message),
        None => "Not connected yet".to_owned(),
    };
    rows.push(("MplusKASSA".to_owned(), describe(connections.mplus.as_ref())));
    rows.push(("AFAS".to_owned(), describe(connections.afas.as_ref())));
    let progress = setup::get(&state.db, &ctx.scope).await?;
    rows.push((
        "Flows".to_owned(),
        if progress.chosen_flows.is_empty() {
            "None chosen".to_owned()
        } else {
            progress.chosen_flows.join(", ")
        },
    ));
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "not set".to_owned());
    rows.push(("Administration".to_owned(), or_none(&settings.company.administration)));
    rows.push((
        "Debtor ledger account".to_owned(),
        or_none(&settings.company.debtor_ledger_account),
    ));
    rows.push(("Payment terms".to_owned(), or_none(&settings.company.payment_terms)));
    rows.push(("Default debtor".to_owned(), or_none(&settings.company.default_debtor)));
    rows.push(("Currency".to_owned(), settings.company.currency.clone()));
    rows.push(("Warehouse".to_owned(), or_none(&settings.company.warehouse)));
    let describe_map = |map: &ValueMap| {
        if let Some(forced) = &map.forced {
            return format!("always {forced}");
        }
        let mut parts: Vec<String> = map.table.iter().map(|(k, v)| format!("{k} → {v}")).collect();
        if let Some(default) = &map.default {
            parts.push(format!("otherwise {default}"));
        }
        if parts.is_empty() {
            "not set".to_owned()
        } else {
            parts.join(", ")
        }
    };
    rows.push((
        "Payment methods".to_owned(),
        describe_map(&settings.company.payment_method_map),
    ));
    rows.push((
        "Shipping methods".to_owned(),
        describe_map(&settings.shipping_method_map),
    ));
    rows.push((
        "VAT codes".to_owned(),
        describe_map(&settings.company.vat_code_by_country),
    ));
    rows.push((
        "Revenue accounts".to_owned(),
        describe_map(&settings.company.revenue_account_by_country),
    ));
    Ok(rows)
}

pub(super) async fn submit_review(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let progress = setup::get(&state.db, &ctx.scope).await?;
    if form.get("action") == "dry_run" {
        let planned = dry_run(state, ctx, &progress.chosen_flows).await;
        return rerender(
            state,
            ctx,
            "review",
            form,
            FieldErrors::default(),
            |page| match planned {
                Ok(planned) => page.planned = Some(planned),
                Err(message) => page.alert = Some(message),
            },
        )
        .await;
    }
    let connections = conn::summaries(state, ctx).await?;
    let mut problems = Vec::new();
    if !connections.mplus.as_ref().is_some_and(|c| c.test.ok) {
        problems.push("MplusKASSA is not connected (step 1)");
    }
    if !connections.afas.as_ref().is_some_and(|c| c.test.ok) {
        problems.push("AFAS is not connected (step 2)");
    }
    if progress.chosen_flows.is_empty() {
        problems.push("no flow is chosen (step 3)");
    }
    if !problems.is_empty() {
        let message = format!("Not ready to activate: {}.", problems.join("; "));
        return rerender(state, ctx, "review", form, FieldErrors::default(), |page| {
            page.alert = Some(message)
        })
        .await;
    }
    // Every chosen flow passes the preflight, or none is switched on.
    let (mut refusals, mut found) = (Vec::new(), Vec::new());
    for flow in FlowKind::ALL {
        if !progress.chosen_flows.iter().any(|f| f == flow.as_str()) {
            continue;
        }
        let settings = load_settings(state, &ctx.scope, flow).await?;
        let mut problems = preflight::check(state, &ctx.scope, flow, &settings).await?;
        // Chosen together, not yet on: the stored flows do not show the conflict.
        let chosen: Vec<FlowKind> = progress.chosen_flows.iter().filter_map(|f| f.parse().ok()).collect();
        if !problems.iter().any(|p| p.setting == "enabled") {
            problems.extend(koppel_sync::requirements::conflict(flow, &chosen));
        }
        if !problems.is_empty() {
            refusals.push(preflight::alert(flow, &problems));
            found.extend(problems);
        }
    }
    if !refusals.is_empty() {
        let message = format!("Not activated. {}", refusals.join(" "));
        let errors = preflight::form_errors(&found);
        return rerender(state, ctx, "review", form, errors, |page| page.alert = Some(message)).await;
    }
    let now = koppel_store::now();
    for flow in FlowKind::ALL {
        let mut config: FlowConfig = load_flow(state, &ctx.scope, flow).await?;
        let enabled = progress.chosen_flows.iter().any(|f| f == flow.as_str());
        if config.enabled == enabled && flows::get(&state.db, &ctx.scope, flow).await?.is_some() {
            continue;
        }
        let before = serde_json::json!({"enabled": config.enabled});
        config.enabled = enabled;
        config.next_run_at_ms = if enabled {
            next_run_after(&config.schedule, now).ok().map(|t| t.timestamp_millis())
        } else {
            None
        };
        flows::save(&state.db, &ctx.scope, &config, now.timestamp_millis()).await?;
        let changes = audit::diff(&before, &serde_json::json!({"enabled": enabled}));
        audit::record(
            &state.db,
            &ctx.scope,
            &ctx.user.email,
            &format!("flow/{flow}"),
            &changes,
            now_ms(),
        )
        .await?;
    }
    // The first run of each chosen flow starts now rather than at the next scheduled time, queued in the order
    // they run in (each waits for the ones before it: articles and debtors exist before the orders need them).
    let mut order = progress.chosen_flows.clone();
    order.sort_by_key(|f| FlowKind::RUN_ORDER.iter().position(|k| k.as_str() == f));
    for flow in &order {
        if let Ok(flow) = flow.parse::<FlowKind>() {
            // A run already queued or running is as good as a new one.
            let _ = queue_run(state, &ctx.scope, flow, "setup").await?;
        }
    }
    let mut progress = mark_done(state, ctx, "review").await?;
    progress.activated_at_ms = Some(now_ms());
    setup::save(&state.db, &ctx.scope, &progress, now_ms()).await?;
    Ok(Redirect::to(&format!("/t/{}/runs", ctx.scope.tenant_id())).into_response())
}

/// What the first run of each chosen flow would send, without sending it.
async fn dry_run(state: &AppState, ctx: &TenantContext, chosen: &[String]) -> Result<Vec<PlannedView>, String> {
    use koppel_jobs::Connectors;
    let connectors = koppel_jobs::connect::ClientConnectors::new(state.secrets.clone());
    let (source, target) = connectors
        .open(&state.db, &ctx.scope)
        .await
        .map_err(|e| format!("Cannot open the connections: {}", e.message))?;
    let mut flows = Vec::new();
    for flow in FlowKind::RUN_ORDER {
        if chosen.iter().any(|c| c == flow.as_str()) {
            let settings = load_settings(state, &ctx.scope, flow)
                .await
                .map_err(|e| e.to_string())?;
            flows.push((flow, settings));
        }
    }
    // Planned together, as Activate runs them: the orders flow sees the articles the products flow creates.
    let plans = koppel_sync::dry_run_together(&flows, &source, &target)
        .await
        .map_err(|(flow, e)| format!("The {flow} dry run stopped: {e}"))?;
    let mut planned = Vec::new();
    for (flow, writes) in plans {
        planned.extend(writes.into_iter().map(|w| {
            PlannedView {
                flow: flow.as_str(),
                entity: w.entity,
                source_id: w.source_id,
                outcome: format!("{:?}", w.outcome).to_lowercase(),
                reason: w.reason.unwrap_or_default(),
                payloads: w
                    .writes
                    .into_iter()
                    .map(|x| (x.operation, crate::pages::activity::pretty_value(&x.request.to_value())))
                    .collect(),
            }
        }));
    }
    Ok(planned)
}
