//! Settings after the wizard: an overview (connections, flows), each flow's settings on one page (its own
//! settings, the schedule, on/off, and a separate section of the company-wide settings every flow shares),
//! and the settings audit log. Owners and admins only.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use koppel_core::{FlowKind, TenantId};
use koppel_jobs::scheduler::{self, next_run_after};
use koppel_store::audit::{self, Entry};
use koppel_sync::settings::FlowSettings;

use super::Layout;
use super::setup::{self, Fields, SetupPage};
use crate::api::connections::{self as conn, ConnectionBody};
use crate::api::flows::{Resync, load_flow, load_settings, parse_flow, queue_resync};
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::preflight;
use crate::state::AppState;
use crate::tenant::TenantContext;

pub struct ConnectionRow {
    pub name: &'static str,
    pub step: &'static str,
    pub state: String,
}

pub struct FlowRow {
    pub name: &'static str,
    pub explanation: &'static str,
    pub enabled: bool,
    pub schedule: String,
    pub next_run: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub layout: Layout,
    pub tenant_id: TenantId,
    pub connections: Vec<ConnectionRow>,
    pub flows: Vec<FlowRow>,
}

fn describe(body: Option<&ConnectionBody>) -> String {
    match body {
        Some(body) if body.test.ok => format!("Connected. {}", body.test.message),
        Some(body) => format!("The last test failed: {}", body.test.message),
        None => "Not connected".to_owned(),
    }
}

fn time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// `GET /t/{tenant_id}/settings`.
pub async fn overview(State(state): State<AppState>, ctx: TenantContext) -> AppResult<SettingsPage> {
    ctx.require_write()?;
    let connections = conn::summaries(&state, &ctx).await?;
    let mut rows = Vec::new();
    for flow in FlowKind::ALL {
        let config = load_flow(&state, &ctx.scope, flow).await?;
        rows.push(FlowRow {
            name: flow.as_str(),
            explanation: flow.explanation(),
            enabled: config.enabled,
            schedule: config.schedule,
            next_run: config.next_run_at_ms.map(time).unwrap_or_default(),
        });
    }
    Ok(SettingsPage {
        layout: Layout::for_user(&state, &ctx.user, "Settings", Some(ctx.scope.tenant_id())).await?,
        tenant_id: ctx.scope.tenant_id(),
        connections: vec![
            ConnectionRow {
                name: "MplusKASSA",
                step: "mplus",
                state: describe(connections.mplus.as_ref()),
            },
            ConnectionRow {
                name: "AFAS",
                step: "afas",
                state: describe(connections.afas.as_ref()),
            },
        ],
        flows: rows,
    })
}

pub struct AuditRow {
    pub when: String,
    pub actor: String,
    pub area: String,
    pub changes: Vec<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub tenant_id: TenantId,
    pub entries: Vec<AuditRow>,
}

fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `GET /t/{tenant_id}/settings/audit`: who changed which setting when (secrets redacted).
pub async fn audit_log(State(state): State<AppState>, ctx: TenantContext) -> AppResult<AuditPage> {
    ctx.require_write()?;
    let entries = audit::list(&state.db, &ctx.scope, 500).await?;
    Ok(AuditPage {
        layout: Layout::for_user(&state, &ctx.user, "Settings audit log", Some(ctx.scope.tenant_id())).await?,
        tenant_id: ctx.scope.tenant_id(),
        entries: entries.into_iter().map(audit_row).collect(),
    })
}

fn audit_row(entry: Entry) -> AuditRow {
    AuditRow {
        when: time(entry.created_at_ms),
        actor: entry.actor,
        area: entry.area,
        changes: entry
            .changes
            .iter()
            .map(|c| (c.field.clone(), shown(&c.before), shown(&c.after)))
            .collect(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct FlowQuery {
    #[serde(default)]
    debtor_search: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    resync: Option<String>,
}

async fn flow_page(state: &AppState, ctx: &TenantContext, flow: FlowKind) -> AppResult<SetupPage> {
    let config = load_flow(state, &ctx.scope, flow).await?;
    let mut page = setup::base_page(state, ctx, "review").await?;
    page.step = "settings";
    page.title = "Settings";
    page.prev = None;
    page.settings_flow = Some(flow);
    page.flow_enabled = config.enabled;
    page.layout.title = format!("Settings: {flow}");
    page.values.entry("schedule".into()).or_insert(config.schedule);
    Ok(page)
}

/// `GET /t/{tenant_id}/settings/{flow}`.
pub async fn flow_settings(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
    Query(query): Query<FlowQuery>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let mut page = flow_page(&state, &ctx, flow).await?;
    if query.saved.is_some() {
        page.notice = Some("Saved.".into());
    }
    page.notice = match query.resync.as_deref() {
        Some("queued") => Some("A full resync is queued: the next run reads every record again.".into()),
        Some("busy") => Some("A run of this flow is queued or running: ask for the resync again when it ended.".into()),
        _ => page.notice,
    };
    setup::fill(&state, &ctx, &mut page, query.debtor_search.as_deref()).await?;
    Ok(page.into_response())
}

/// `POST /t/{tenant_id}/settings/{flow}/resync`: the page's "Full resync" (`POST /api/v1/flows/{flow}/resync`).
pub async fn resync(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let outcome = match queue_resync(&state, &ctx.scope, flow).await? {
        Resync::Queued(_) => "queued",
        Resync::Busy(_) => "busy",
        Resync::NotForSales => return Err(crate::error::AppError::NotFound),
    };
    let tenant = ctx.scope.tenant_id();
    Ok(Redirect::to(&format!("/t/{tenant}/settings/{flow}?resync={outcome}")).into_response())
}

/// The changes a flow's settings page makes: the flow's own settings, and the company's (for every flow).
fn read_page(flow: FlowKind, form: &Fields, errors: &mut FieldErrors) -> [setup::Apply; 4] {
    [
        setup::read_general(form, errors),
        setup::read_company_questions(form, errors),
        setup::read_flow_questions(form, errors, &[flow]),
        setup::read_mappings(form, errors, Some(flow)),
    ]
}

/// `POST /t/{tenant_id}/settings/{flow}`: the flow's own settings, its schedule and on/off, and the
/// company-wide settings (changed for every flow, audited once).
pub async fn save_flow_settings(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, flow)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let flow = parse_flow(&flow)?;
    let form = Fields::new(pairs);
    let mut errors = FieldErrors::default();
    let changes = read_page(flow, &form, &mut errors);
    let schedule = form.get("schedule").to_owned();
    if let Err(error) = scheduler::validate_schedule(&schedule) {
        errors.add_message("schedule", error.to_string());
    }
    let enabled = form.has("enabled");
    let stored = load_settings(&state, &ctx.scope, flow).await?;
    let mut settings = stored.clone();
    changes.iter().for_each(|change| change(&mut settings));
    if errors.is_empty() {
        setup::combination_errors(&settings, &mut errors);
    }
    if !errors.is_empty() {
        let alert = "Please correct the fields marked below.".to_owned();
        return invalid_form(&state, &ctx, flow, &form, &settings, errors, alert).await;
    }
    // Switched on: this flow must work; a company-wide change must leave the other flows that are on working.
    let mut problems = Vec::new();
    if enabled {
        problems = preflight::check(&state, &ctx.scope, flow, &settings).await?;
    }
    let others = preflight::check_others(&state, &ctx.scope, Some(flow), &stored.company, &settings.company).await?;
    if !problems.is_empty() || !others.is_empty() {
        let mut alerts = Vec::new();
        if !problems.is_empty() {
            alerts.push(preflight::alert(flow, &problems));
        }
        if !others.is_empty() {
            let listed = koppel_jobs::preflight::listed(&others);
            alerts.push(format!(
                "The company settings would stop another flow that is on: {listed}."
            ));
        }
        problems.extend(others);
        let errors = preflight::form_errors(&problems);
        return invalid_form(&state, &ctx, flow, &form, &settings, errors, alerts.join(" ")).await;
    }
    let mut config = load_flow(&state, &ctx.scope, flow).await?;
    config.schedule = schedule.trim().to_owned();
    config.enabled = enabled;
    let now = koppel_store::now();
    config.next_run_at_ms = if enabled {
        next_run_after(&config.schedule, now).ok().map(|t| t.timestamp_millis())
    } else {
        None
    };
    koppel_jobs::settings::save(
        &state.db,
        &ctx.scope,
        &ctx.user.email,
        config,
        &settings,
        now.timestamp_millis(),
    )
    .await?;
    Ok(Redirect::to(&format!("/t/{}/settings/{flow}?saved=1", ctx.scope.tenant_id())).into_response())
}

/// The flow's form again with what was typed (`typed`: the settings as the form would change them), the
/// messages beside the fields and `alert` on top (422); nothing is saved.
async fn invalid_form(
    state: &AppState,
    ctx: &TenantContext,
    flow: FlowKind,
    form: &Fields,
    typed: &FlowSettings,
    errors: FieldErrors,
    alert: String,
) -> AppResult<Response> {
    let mut page = flow_page(state, ctx, flow).await?;
    page.values.clear();
    for name in [
        "administration",
        "debtor_ledger_account",
        "payment_terms",
        "default_debtor",
        "currency",
        "order_filter",
        "order_target",
        "receipt_target",
        "stock_calculation",
        "warehouse",
        "stock_branch",
        "journal_code",
        "journal_revenue",
        "journal_start_date",
        "journal_difference_account",
        "journal_accounts",
        "article_groups",
        "article_connector",
        "article_field_filters",
        "variant_size_dimension",
        "schedule",
    ] {
        page.values.insert(name.into(), form.get(name).to_owned());
    }
    for name in [
        "update_product_info",
        "update_debtor_terms",
        "manage_stock",
        "webshop_only",
        "active_only",
        "create_missing_articles",
        "article_prices_include_vat",
        "enabled",
    ] {
        page.values
            .insert(name.into(), if form.has(name) { "on".into() } else { String::new() });
    }
    page.values.insert("__posted".into(), "1".into());
    page.order_types = form.all("order_types");
    page.maps = setup::mapping_views(state, ctx, typed, page.settings_flow).await?;
    page.alert = Some(alert);
    page.errors = errors;
    setup::fill(state, ctx, &mut page, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
