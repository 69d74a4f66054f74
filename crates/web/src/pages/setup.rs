//! The setup wizard under `/t/{tenant_id}/setup/{step}`: seven steps, one page each, every step saved when
//! it is completed, resumable (`/t/{tenant_id}/setup` opens the first step not done). Owners and admins
//! only. Connections go through the same functions as `PUT /api/v1/connections/*`; settings are written to
//! the four flows (the wizard keeps their shared settings equal; the settings pages edit them per flow).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koppel_core::{FlowKind, TenantId};
use koppel_jobs::credentials::{self, AfasCredentials, ConnectionTest, MplusCredentials};
use koppel_jobs::lookups::{self, Choice};
use koppel_jobs::scheduler::next_run_after;
use koppel_store::audit;
use koppel_store::flows::{self, FlowConfig};
use koppel_store::setup::{self, SetupProgress};
use koppel_sync::settings::{FlowSettings, ValueMap};

use super::Layout;
use crate::api::connections::{self as conn, AfasInput, MplusInput};
use crate::api::flows::{load_flow, load_settings, queue_run};
use crate::error::{AppError, AppResult};
use crate::forms::FieldErrors;
use crate::preflight;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// The steps in order: path segment and title.
pub const STEPS: [(&str, &str); 7] = [
    ("mplus", "Connect MplusKASSA"),
    ("afas", "Connect AFAS"),
    ("flows", "Choose flows"),
    ("general", "General settings"),
    ("questions", "Per-flow questions"),
    ("mappings", "Mappings"),
    ("review", "Review and activate"),
];

fn step_index(step: &str) -> Option<usize> {
    STEPS.iter().position(|(name, _)| *name == step)
}

/// A submitted form: every name with its values in order (checkboxes and table rows repeat names).
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
    fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty()).map(str::to_owned)
    }
}

pub struct StepNav {
    pub name: &'static str,
    pub title: &'static str,
    pub number: usize,
    pub done: bool,
    pub current: bool,
}

pub struct FlowChoice {
    pub name: &'static str,
    pub label: String,
    pub explanation: &'static str,
    pub checked: bool,
}

/// One row of a mapping table: the source value (fixed when it came from a live list) and its target.
pub struct MapRow {
    pub source: String,
    pub label: String,
    pub target: String,
    pub fixed: bool,
}

/// A "force one value or a table" mapping as the page shows it.
pub struct MapView {
    pub name: &'static str,
    pub legend: &'static str,
    pub source_label: &'static str,
    pub target_label: &'static str,
    pub forced_mode: bool,
    pub forced: String,
    pub default: String,
    pub rows: Vec<MapRow>,
    pub choices: Vec<Choice>,
    pub list_error: Option<String>,
}

pub struct PlannedView {
    pub flow: &'static str,
    pub entity: String,
    pub source_id: String,
    pub outcome: String,
    pub reason: String,
    pub payloads: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
pub struct SetupPage {
    pub layout: Layout,
    /// The address AFAS sees Koppel's requests come from (`KOPPEL_EGRESS_IP`), for the App connector's IP restriction.
    pub egress_ip: Option<String>,
    pub tenant_id: TenantId,
    pub steps: Vec<StepNav>,
    pub step: &'static str,
    pub title: &'static str,
    pub number: usize,
    pub prev: Option<&'static str>,
    pub errors: FieldErrors,
    pub notice: Option<String>,
    pub alert: Option<String>,
    pub sandbox_available: bool,
    pub activated: bool,
    /// Text field values by name.
    pub values: BTreeMap<String, String>,
    pub secret_stored: bool,
    pub test: Option<ConnectionTest>,
    pub test_details: Vec<(String, String)>,
    pub flows: Vec<FlowChoice>,
    pub administrations: Vec<Choice>,
    pub payment_conditions: Vec<Choice>,
    pub debtors: Vec<Choice>,
    pub warehouses: Vec<Choice>,
    pub list_errors: Vec<String>,
    pub order_types: Vec<String>,
    pub maps: Vec<MapView>,
    pub summary: Vec<(String, String)>,
    pub planned: Option<Vec<PlannedView>>,
    /// Set on a flow's settings page (`/t/{tenant_id}/settings/{flow}`), which shows every section at once.
    pub settings_flow: Option<FlowKind>,
    pub flow_enabled: bool,
}

impl SetupPage {
    /// The value of a text field.
    /// Whether a section is on this page: its wizard step, or every section on a settings page.
    pub fn shows(&self, section: &str) -> bool {
        self.step == section
            || (self.settings_flow.is_some() && ["general", "questions", "mappings"].contains(&section))
    }
    /// Where the main form posts.
    pub fn action(&self) -> String {
        match self.settings_flow {
            Some(flow) => format!("/t/{}/settings/{flow}", self.tenant_id),
            None => format!("/t/{}/setup/{}", self.tenant_id, self.step),
        }
    }
    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or_default()
    }
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.v(name) == value
    }
    /// A stored value the live list does not offer (kept selectable so saving does not lose it).
    pub fn unlisted(&self, choices: &[Choice], name: &str) -> bool {
        let value = self.v(name);
        !value.is_empty() && !choices.iter().any(|c| c.code == value)
    }
    pub fn has_type(&self, kind: &str) -> bool {
        self.order_types.iter().any(|t| t == kind)
    }
}

fn now_ms() -> i64 {
    koppel_store::now().timestamp_millis()
}

pub(crate) fn internal(error: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(error.into())
}

/// The settings the wizard shows: the orders flow's (the wizard keeps all four equal).
async fn wizard_settings(state: &AppState, ctx: &TenantContext) -> AppResult<FlowSettings> {
    load_settings(state, &ctx.scope, FlowKind::Orders).await
}

/// Applies `change` to every flow's settings, saves them and records what changed.
async fn update_settings(state: &AppState, ctx: &TenantContext, change: impl Fn(&mut FlowSettings)) -> AppResult<()> {
    for flow in FlowKind::ALL {
        let mut config = load_flow(state, &ctx.scope, flow).await?;
        let before = config.settings.clone();
        let mut settings: FlowSettings = serde_json::from_value(config.settings.clone()).unwrap_or_default();
        change(&mut settings);
        config.settings = serde_json::to_value(&settings).map_err(internal)?;
        let changes = audit::diff(&before, &config.settings);
        if changes.is_empty() && flows::get(&state.db, &ctx.scope, flow).await?.is_some() {
            continue;
        }
        flows::save(&state.db, &ctx.scope, &config, now_ms()).await?;
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
    Ok(())
}

async fn mark_done(state: &AppState, ctx: &TenantContext, step: &str) -> AppResult<SetupProgress> {
    let mut progress = setup::get(&state.db, &ctx.scope).await?;
    if !progress.completed.iter().any(|s| s == step) {
        progress.completed.push(step.to_owned());
        setup::save(&state.db, &ctx.scope, &progress, now_ms()).await?;
    }
    Ok(progress)
}

fn redirect_to(ctx: &TenantContext, step: &str) -> Response {
    Redirect::to(&format!("/t/{}/setup/{step}", ctx.scope.tenant_id())).into_response()
}

/// `GET /t/{tenant_id}/setup`: resume at the first step not done.
pub async fn resume(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    ctx.require_write()?;
    let progress = setup::get(&state.db, &ctx.scope).await?;
    let first = STEPS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| !progress.completed.iter().any(|done| done == name))
        .unwrap_or("review");
    Ok(redirect_to(&ctx, first))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StepQuery {
    #[serde(default)]
    debtor_search: Option<String>,
}

/// `GET /t/{tenant_id}/setup/{step}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, step)): Path<(String, String)>,
    Query(query): Query<StepQuery>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let step = STEPS
        .iter()
        .find(|(name, _)| *name == step)
        .map(|(name, _)| *name)
        .ok_or(AppError::NotFound)?;
    let mut page = base_page(&state, &ctx, step).await?;
    fill(&state, &ctx, &mut page, query.debtor_search.as_deref()).await?;
    Ok(page.into_response())
}

pub(crate) async fn base_page(state: &AppState, ctx: &TenantContext, step: &'static str) -> AppResult<SetupPage> {
    let progress = setup::get(&state.db, &ctx.scope).await?;
    let index = step_index(step).unwrap_or_default();
    let tenant_id = ctx.scope.tenant_id();
    let title = STEPS[index].1;
    Ok(SetupPage {
        egress_ip: state.config.egress_ip.clone(),
        layout: Layout::for_user(state, &ctx.user, &format!("Setup: {title}"), Some(tenant_id)).await?,
        tenant_id,
        steps: STEPS
            .iter()
            .enumerate()
            .map(|(i, (name, title))| StepNav {
                name,
                title,
                number: i + 1,
                done: progress.completed.iter().any(|s| s == name),
                current: i == index,
            })
            .collect(),
        step,
        title,
        number: index + 1,
        prev: index.checked_sub(1).map(|i| STEPS[i].0),
        errors: FieldErrors::default(),
        notice: None,
        alert: None,
        sandbox_available: state.config.demo_sandbox.is_some(),
        activated: progress.activated_at_ms.is_some(),
        values: BTreeMap::new(),
        secret_stored: false,
        test: None,
        test_details: Vec::new(),
        flows: Vec::new(),
        administrations: Vec::new(),
        payment_conditions: Vec::new(),
        debtors: Vec::new(),
        warehouses: Vec::new(),
        list_errors: Vec::new(),
        order_types: Vec::new(),
        maps: Vec::new(),
        summary: Vec::new(),
        planned: None,
        settings_flow: None,
        flow_enabled: false,
    })
}

fn set(page: &mut SetupPage, name: &str, value: impl Into<String>) {
    page.values.entry(name.to_owned()).or_insert_with(|| value.into());
}

/// Splits a stored MplusKASSA URL into host and port for the form.
fn host_port(url: &str) -> (String, String) {
    let rest = url.trim_end_matches('/');
    let scheme_less = rest.split_once("://").map(|(_, r)| r).unwrap_or(rest);
    let authority = scheme_less.split('/').next().unwrap_or_default();
    match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            let host = if rest.starts_with("http://") {
                format!("http://{host}")
            } else {
                host.to_owned()
            };
            (host, port.to_owned())
        }
        _ => (authority.to_owned(), String::new()),
    }
}

fn test_details(test: &ConnectionTest) -> Vec<(String, String)> {
    let Some(map) = test.details.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| i.to_string()))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            (key.replace('_', " "), text)
        })
        .filter(|(_, text)| !text.is_empty())
        .collect()
}

async fn stored_mplus(state: &AppState, ctx: &TenantContext) -> AppResult<Option<MplusCredentials>> {
    credentials::load_mplus(&state.db, &state.secrets, &ctx.scope)
        .await
        .map_err(internal)
}

async fn stored_afas(state: &AppState, ctx: &TenantContext) -> AppResult<Option<AfasCredentials>> {
    credentials::load_afas(&state.db, &state.secrets, &ctx.scope)
        .await
        .map_err(internal)
}

fn map_mode(map: &ValueMap) -> bool {
    map.forced.is_some()
}

/// Loads what the step shows: stored values (unless the form already set them) and live lists.
pub(crate) async fn fill(
    state: &AppState,
    ctx: &TenantContext,
    page: &mut SetupPage,
    debtor_search: Option<&str>,
) -> AppResult<()> {
    let settings = match page.settings_flow {
        Some(flow) => serde_json::from_value(load_flow(state, &ctx.scope, flow).await?.settings).unwrap_or_default(),
        None => wizard_settings(state, ctx).await?,
    };
    let posted = page.values.contains_key("__posted");
    if page.step == "mplus"
        && let Some(summary) = credentials::summary(&state.db, &ctx.scope, koppel_store::connections::System::Mplus)
            .await
            .map_err(internal)?
    {
        let url = summary.config.get("url").and_then(|v| v.as_str()).unwrap_or_default();
        let (host, port) = host_port(url);
        set(page, "host", host);
        set(page, "port", port);
        set(
            page,
            "ident",
            summary.config.get("ident").and_then(|v| v.as_str()).unwrap_or_default(),
        );
        page.secret_stored = true;
        if page.test.is_none() {
            page.test = Some(summary.test);
        }
    }
    if page.step == "afas" {
        if let Some(summary) = credentials::summary(&state.db, &ctx.scope, koppel_store::connections::System::Afas)
            .await
            .map_err(internal)?
        {
            let field = |name: &str| {
                summary
                    .config
                    .get(name)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            set(page, "environment", field("environment"));
            set(page, "environment_type", field("environment_type"));
            set(page, "url", field("url"));
            page.secret_stored = true;
            if page.test.is_none() {
                page.test = Some(summary.test);
            }
        }
        set(page, "environment_type", "production");
    }
    if page.step == "flows" {
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
                label: capitalise(flow.as_str()),
                explanation: flow.explanation(),
                checked: chosen.iter().any(|c| c == flow.as_str()),
            })
            .collect();
    }
    if page.shows("general") {
        set(
            page,
            "administration",
            settings.administration.clone().unwrap_or_default(),
        );
        set(
            page,
            "debtor_ledger_account",
            settings.debtor_ledger_account.clone().unwrap_or_default(),
        );
        set(
            page,
            "payment_terms",
            settings.payment_terms.clone().unwrap_or_default(),
        );
        set(
            page,
            "default_debtor",
            settings.default_debtor.clone().unwrap_or_default(),
        );
        set(page, "currency", settings.currency.clone());
        set(page, "debtor_search", debtor_search.unwrap_or_default());
        if let Some(afas) = stored_afas(state, ctx).await? {
            match lookups::afas_administrations(&afas).await {
                Ok(list) => page.administrations = list,
                Err(e) => page.list_errors.push(e),
            }
            match lookups::afas_payment_conditions(&afas).await {
                Ok(list) => page.payment_conditions = list,
                Err(e) => page.list_errors.push(e),
            }
            match lookups::afas_debtors(&afas, debtor_search.unwrap_or_default()).await {
                Ok(list) => page.debtors = list,
                Err(e) => page.list_errors.push(e),
            }
        } else {
            page.list_errors
                .push("Connect AFAS first to pick from its lists; you can type the codes meanwhile.".into());
        }
    }
    if page.shows("questions") {
        let enum_text = |value: serde_json::Value| value.as_str().unwrap_or_default().to_owned();
        set(
            page,
            "order_filter",
            enum_text(serde_json::to_value(settings.order_filter).map_err(internal)?),
        );
        set(
            page,
            "order_target",
            enum_text(serde_json::to_value(settings.order_target).map_err(internal)?),
        );
        set(
            page,
            "stock_calculation",
            enum_text(serde_json::to_value(settings.stock_calculation).map_err(internal)?),
        );
        set(page, "warehouse", settings.warehouse.clone().unwrap_or_default());
        set(page, "stock_branch", settings.stock_branch.clone().unwrap_or_default());
        // A posted form's unchecked boxes are absent: they stay unchecked.
        if !posted {
            set(
                page,
                "update_product_info",
                if settings.update_product_info { "on" } else { "" },
            );
            set(page, "manage_stock", if settings.manage_stock { "on" } else { "" });
            set(
                page,
                "webshop_only",
                if settings.product_filter.webshop_only { "on" } else { "" },
            );
            set(
                page,
                "active_only",
                if settings.product_filter.active_only { "on" } else { "" },
            );
            set(
                page,
                "create_missing_articles",
                if settings.create_missing_articles { "on" } else { "" },
            );
            set(page, "enabled", if page.flow_enabled { "on" } else { "" });
        }
        if page.order_types.is_empty() {
            page.order_types = settings
                .order_types
                .iter()
                .filter_map(|t| serde_json::to_value(t).ok())
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
        }
        if let Some(afas) = stored_afas(state, ctx).await? {
            match lookups::afas_warehouses(&afas).await {
                Ok(list) => page.warehouses = list,
                Err(e) => page.list_errors.push(e),
            }
        }
    }
    if page.shows("mappings") && page.maps.is_empty() {
        page.maps = mapping_views(state, ctx, &settings).await?;
    }
    if page.step == "review" {
        page.summary = summary(state, ctx, &settings).await?;
    }
    Ok(())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

fn table_rows(map: &ValueMap, blanks: usize) -> Vec<MapRow> {
    let mut rows: Vec<MapRow> = map
        .table
        .iter()
        .map(|(source, target)| MapRow {
            source: source.clone(),
            label: source.clone(),
            target: target.clone(),
            fixed: false,
        })
        .collect();
    rows.extend((0..blanks).map(|_| MapRow {
        source: String::new(),
        label: String::new(),
        target: String::new(),
        fixed: false,
    }));
    rows
}

fn map_view(
    name: &'static str,
    legend: &'static str,
    source_label: &'static str,
    target_label: &'static str,
    map: &ValueMap,
) -> MapView {
    MapView {
        name,
        legend,
        source_label,
        target_label,
        forced_mode: map_mode(map),
        forced: map.forced.clone().unwrap_or_default(),
        default: map.default.clone().unwrap_or_default(),
        rows: table_rows(map, 3),
        choices: Vec::new(),
        list_error: None,
    }
}

/// A table whose source values MplusKASSA lists (payment or delivery methods): one fixed row per listed value,
/// then the stored rows for values it no longer lists (still editable); or the reason the list failed.
fn live_rows(view: &mut MapView, listed: Result<Vec<Choice>, String>, map: &ValueMap) {
    let listed = match listed {
        Ok(listed) => listed,
        Err(error) => {
            view.list_error = Some(error);
            return;
        }
    };
    view.rows = listed
        .into_iter()
        .map(|choice| MapRow {
            target: map.table.get(&choice.code).cloned().unwrap_or_default(),
            source: choice.code,
            label: choice.label,
            fixed: true,
        })
        .collect();
    let codes: Vec<String> = view.rows.iter().map(|r| r.source.clone()).collect();
    view.rows
        .extend(table_rows(map, 1).into_iter().filter(|r| !codes.contains(&r.source)));
}

pub(crate) async fn mapping_views(
    state: &AppState,
    ctx: &TenantContext,
    settings: &FlowSettings,
) -> AppResult<Vec<MapView>> {
    let mut payment = map_view(
        "payment",
        "Payment methods",
        "MplusKASSA payment method",
        "AFAS payment method",
        &settings.payment_method_map,
    );
    let mut shipping = map_view(
        "shipping",
        "Shipping methods",
        "MplusKASSA shipping method",
        "AFAS delivery method",
        &settings.shipping_method_map,
    );
    if let Some(mplus) = stored_mplus(state, ctx).await? {
        live_rows(
            &mut payment,
            lookups::mplus_payment_methods(&mplus).await,
            &settings.payment_method_map,
        );
        live_rows(
            &mut shipping,
            lookups::mplus_delivery_methods(&mplus).await,
            &settings.shipping_method_map,
        );
    }
    if let Some(afas) = stored_afas(state, ctx).await? {
        match lookups::afas_payment_methods(&afas).await {
            Ok(list) => payment.choices = list,
            Err(e) => payment.list_error = Some(e),
        }
    }
    Ok(vec![
        payment,
        shipping,
        map_view(
            "vat",
            "VAT code per country",
            "Country (e.g. NL, or NL:21 for one VAT rate)",
            "AFAS VAT code",
            &settings.vat_code_by_country,
        ),
        map_view(
            "revenue",
            "Revenue account per country",
            "Country (e.g. NL, or NL:21 for one VAT rate)",
            "AFAS revenue account",
            &settings.revenue_account_by_country,
        ),
    ])
}

async fn summary(state: &AppState, ctx: &TenantContext, settings: &FlowSettings) -> AppResult<Vec<(String, String)>> {
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
    rows.push(("Administration".to_owned(), or_none(&settings.administration)));
    rows.push((
        "Debtor ledger account".to_owned(),
        or_none(&settings.debtor_ledger_account),
    ));
    rows.push(("Payment terms".to_owned(), or_none(&settings.payment_terms)));
    rows.push(("Default debtor".to_owned(), or_none(&settings.default_debtor)));
    rows.push(("Currency".to_owned(), settings.currency.clone()));
    rows.push(("Warehouse".to_owned(), or_none(&settings.warehouse)));
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
    rows.push(("Payment methods".to_owned(), describe_map(&settings.payment_method_map)));
    rows.push((
        "Shipping methods".to_owned(),
        describe_map(&settings.shipping_method_map),
    ));
    rows.push(("VAT codes".to_owned(), describe_map(&settings.vat_code_by_country)));
    rows.push((
        "Revenue accounts".to_owned(),
        describe_map(&settings.revenue_account_by_country),
    ));
    Ok(rows)
}

/// `POST /t/{tenant_id}/setup/{step}`.
pub async fn submit(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path((_, step)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let step = STEPS
        .iter()
        .find(|(name, _)| *name == step)
        .map(|(name, _)| *name)
        .ok_or(AppError::NotFound)?;
    let form = Fields::new(pairs);
    match step {
        "mplus" => submit_mplus(&state, &ctx, &form).await,
        "afas" => submit_afas(&state, &ctx, &form).await,
        "flows" => submit_flows(&state, &ctx, &form).await,
        "general" => submit_general(&state, &ctx, &form).await,
        "questions" => submit_questions(&state, &ctx, &form).await,
        "mappings" => submit_mappings(&state, &ctx, &form).await,
        _ => submit_review(&state, &ctx, &form).await,
    }
}

/// Re-renders a step with the submitted values and errors (422 when there are errors).
async fn rerender(
    state: &AppState,
    ctx: &TenantContext,
    step: &'static str,
    form: &Fields,
    errors: FieldErrors,
    adjust: impl FnOnce(&mut SetupPage),
) -> AppResult<Response> {
    let mut page = base_page(state, ctx, step).await?;
    for (name, value) in &form.0 {
        page.values
            .entry(name.clone())
            .or_insert_with(|| value.trim().to_owned());
    }
    page.values.insert("__posted".into(), "1".into());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    if !errors.is_empty() {
        page.alert = Some("Please correct the fields marked below.".into());
    }
    page.errors = errors;
    adjust(&mut page);
    fill(state, ctx, &mut page, Some(form.get("debtor_search"))).await?;
    Ok((status, page).into_response())
}

fn connection_result(page: &mut SetupPage, test: ConnectionTest) {
    page.test_details = test_details(&test);
    if test.ok {
        page.notice = Some(test.message.clone());
    } else {
        page.alert = Some(test.message.clone());
    }
    page.test = Some(test);
}

async fn submit_mplus(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let host = form.get("host");
    let port = form.get("port");
    if host.is_empty() {
        errors.add_message(
            "host",
            "Enter the host name MplusKASSA gave you, e.g. api.mpluskassa.nl.",
        );
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => {}
        _ => errors.add_message("port", "Enter the port: a number between 1 and 65535, e.g. 34567."),
    }
    let url = if host.starts_with("http://") || host.starts_with("https://") {
        format!("{}:{port}", host.trim_end_matches('/'))
    } else {
        format!("https://{host}:{port}")
    };
    let stored = stored_mplus(state, ctx).await?;
    let input = MplusInput {
        url,
        ident: form.get("ident").to_owned(),
        secret: form.opt("secret"),
    };
    let credentials = match conn::validate_mplus(&input, stored.as_ref()) {
        Ok(credentials) if errors.is_empty() => Some(credentials),
        Ok(_) => None,
        Err(more) => {
            for field in ["ident", "secret"] {
                if let Some(message) = more.get(field) {
                    errors.add_message(field, message.to_owned());
                }
            }
            if errors.is_empty()
                && let Some(message) = more.get("url")
            {
                errors.add_message("host", message.to_owned());
            }
            None
        }
    };
    let Some(credentials) = credentials else {
        return rerender(state, ctx, "mplus", form, errors, |_| {}).await;
    };
    let test = conn::store_mplus(state, ctx, credentials).await?;
    if test.ok && form.get("action") != "test" {
        mark_done(state, ctx, "mplus").await?;
        return Ok(redirect_to(ctx, "afas"));
    }
    rerender(state, ctx, "mplus", form, errors, |page| connection_result(page, test)).await
}

async fn submit_afas(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let stored = stored_afas(state, ctx).await?;
    let input = AfasInput {
        environment: form.get("environment").to_owned(),
        environment_type: form.get("environment_type").to_owned(),
        token: form.opt("token"),
        url: form.opt("url"),
    };
    let credentials = match conn::validate_afas(&input, stored.as_ref()) {
        Ok(credentials) => credentials,
        Err(errors) => return rerender(state, ctx, "afas", form, errors, |_| {}).await,
    };
    let test = conn::store_afas(state, ctx, credentials).await?;
    if test.ok && form.get("action") != "test" {
        mark_done(state, ctx, "afas").await?;
        return Ok(redirect_to(ctx, "flows"));
    }
    rerender(state, ctx, "afas", form, FieldErrors::default(), |page| {
        connection_result(page, test)
    })
    .await
}

async fn submit_flows(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
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

fn is_code(value: &str) -> bool {
    !value.is_empty() && value.len() <= 20 && value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// A change to flow settings read from a form, applied to one flow or to all.
pub type Apply = Box<dyn Fn(&mut FlowSettings) + Send + Sync>;

/// The general settings from a form, checked; errors are added per field.
pub fn read_general(form: &Fields, errors: &mut FieldErrors) -> Apply {
    let administration = form.get("administration");
    if administration.is_empty() || !administration.chars().all(|c| c.is_ascii_digit()) {
        errors.add_message("administration", "Choose the AFAS administration (its number, e.g. 1).");
    }
    let ledger = form.get("debtor_ledger_account");
    if !ledger.is_empty() && !ledger.chars().all(|c| c.is_ascii_digit()) {
        errors.add_message("debtor_ledger_account", "A ledger account is a number, e.g. 1300.");
    }
    let terms = form.get("payment_terms");
    if !terms.is_empty() && !is_code(terms) {
        errors.add_message(
            "payment_terms",
            "Choose payment terms from the list (a short code such as 14).",
        );
    }
    let debtor = form.get("default_debtor");
    if debtor.is_empty() {
        errors.add_message(
            "default_debtor",
            "Choose the debtor anonymous till sales are booked on.",
        );
    } else if !is_code(debtor) {
        errors.add_message(
            "default_debtor",
            "A debtor number has letters and digits only, e.g. 10000.",
        );
    }
    let currency = form.get("currency").to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        errors.add_message("currency", "Enter a three-letter currency code, e.g. EUR.");
    }
    let opt = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
    let (administration, ledger, terms, debtor) = (opt(administration), opt(ledger), opt(terms), opt(debtor));
    Box::new(move |s: &mut FlowSettings| {
        s.administration = administration.clone();
        s.debtor_ledger_account = ledger.clone();
        s.payment_terms = terms.clone();
        s.default_debtor = debtor.clone();
        s.currency = currency.clone();
    })
}

async fn submit_general(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let apply = read_general(form, &mut errors);
    if !errors.is_empty() {
        return rerender(state, ctx, "general", form, errors, |_| {}).await;
    }
    update_settings(state, ctx, |s| apply(s)).await?;
    mark_done(state, ctx, "general").await?;
    Ok(redirect_to(ctx, "questions"))
}

fn parse_enum<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}

/// The per-flow questions from a form, checked.
pub fn read_questions(form: &Fields, errors: &mut FieldErrors) -> Apply {
    let order_filter = parse_enum(form.get("order_filter"));
    if order_filter.is_none() {
        errors.add_message("order_filter", "Choose which sales to send.");
    }
    let order_target = parse_enum(form.get("order_target"));
    if order_target.is_none() {
        errors.add_message("order_target", "Choose what a sale becomes in AFAS.");
    }
    let stock_calculation = parse_enum(form.get("stock_calculation"));
    if stock_calculation.is_none() {
        errors.add_message("stock_calculation", "Choose how stock is counted.");
    }
    let order_types: Vec<_> = form.all("order_types").iter().filter_map(|t| parse_enum(t)).collect();
    if order_types.is_empty() {
        errors.add_message("order_types", "Choose at least one kind of document to read.");
    }
    let warehouse = form.opt("warehouse");
    if warehouse.as_deref().is_some_and(|w| !is_code(w)) {
        errors.add_message("warehouse", "A warehouse code has letters and digits only, e.g. 01.");
    }
    let branch = form.opt("stock_branch");
    if branch
        .as_deref()
        .is_some_and(|b| !b.chars().all(|c| c.is_ascii_digit()))
    {
        errors.add_message("stock_branch", "A branch is a number, e.g. 1.");
    }
    let flags = |name: &str| form.has(name);
    let (update_info, manage_stock, webshop, active, create_missing) = (
        flags("update_product_info"),
        flags("manage_stock"),
        flags("webshop_only"),
        flags("active_only"),
        flags("create_missing_articles"),
    );
    Box::new(move |s: &mut FlowSettings| {
        if let Some(value) = order_filter {
            s.order_filter = value;
        }
        if let Some(value) = order_target {
            s.order_target = value;
        }
        if let Some(value) = stock_calculation {
            s.stock_calculation = value;
        }
        s.order_types = order_types.clone();
        s.warehouse = warehouse.clone();
        s.stock_branch = branch.clone();
        s.update_product_info = update_info;
        s.manage_stock = manage_stock;
        s.product_filter.webshop_only = webshop;
        s.product_filter.active_only = active;
        s.create_missing_articles = create_missing;
    })
}

async fn submit_questions(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let apply = read_questions(form, &mut errors);
    if !errors.is_empty() {
        let types = form.all("order_types");
        return rerender(state, ctx, "questions", form, errors, |page| page.order_types = types).await;
    }
    update_settings(state, ctx, |s| apply(s)).await?;
    mark_done(state, ctx, "questions").await?;
    Ok(redirect_to(ctx, "mappings"))
}

/// The four mappings from a form, checked.
pub fn read_mappings(form: &Fields, errors: &mut FieldErrors) -> Apply {
    let payment = read_map(form, "payment", errors, false);
    let shipping = read_map(form, "shipping", errors, false);
    let vat = read_map(form, "vat", errors, true);
    let revenue = read_map(form, "revenue", errors, true);
    Box::new(move |s: &mut FlowSettings| {
        s.payment_method_map = payment.clone();
        s.shipping_method_map = shipping.clone();
        s.vat_code_by_country = vat.clone();
        s.revenue_account_by_country = revenue.clone();
    })
}

/// Reads one mapping from the form: `{name}_mode` (`forced` or `table`), `{name}_forced`, `{name}_default`,
/// and the rows `{name}_source` / `{name}_target` (paired by position).
pub fn read_map(form: &Fields, name: &'static str, errors: &mut FieldErrors, countries: bool) -> ValueMap {
    let mode = form.get(&format!("{name}_mode"));
    let forced = form.opt(&format!("{name}_forced"));
    let default = form.opt(&format!("{name}_default"));
    let sources = form.all(&format!("{name}_source"));
    let targets = form.all(&format!("{name}_target"));
    let field = leak_field(name);
    let mut map = ValueMap::default();
    if mode == "forced" {
        match forced {
            Some(value) => map.forced = Some(value),
            None => errors.add_message(field, "Enter the value to use for everything, or choose a table."),
        }
        return map;
    }
    for (index, target) in targets.iter().enumerate() {
        let source = sources.get(index).map(String::as_str).unwrap_or_default();
        match (source.is_empty(), target.is_empty()) {
            (true, true) | (false, true) => {}
            (true, false) => errors.add_message(
                field,
                if countries {
                    format!("Row {}: a value per country needs its country.", index + 1)
                } else {
                    format!("Row {}: say which source value {target} is for.", index + 1)
                },
            ),
            (false, false) => {
                let key = if countries {
                    source.to_ascii_uppercase()
                } else {
                    source.to_owned()
                };
                if countries && !is_country_key(&key) {
                    errors.add_message(
                        field,
                        format!("Row {}: {source} is not a two-letter country code (NL, BE, DE…), optionally with a VAT rate (NL:21).", index + 1),
                    );
                }
                map.table.insert(key, target.clone());
            }
        }
    }
    map.default = default;
    map
}

/// `NL`, or `NL:21` for one VAT rate in that country.
fn is_country_key(key: &str) -> bool {
    let (country, rate) = key.split_once(':').unwrap_or((key, "0"));
    country.len() == 2
        && country.chars().all(|c| c.is_ascii_uppercase())
        && !rate.is_empty()
        && rate.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// The error field names of the mappings (FieldErrors keys are static).
fn leak_field(name: &'static str) -> &'static str {
    match name {
        "payment" => "payment",
        "shipping" => "shipping",
        "vat" => "vat",
        "revenue" => "revenue",
        _ => "mapping",
    }
}

async fn submit_mappings(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let apply = read_mappings(form, &mut errors);
    if !errors.is_empty() {
        let mut settings = wizard_settings(state, ctx).await?;
        apply(&mut settings);
        let maps = mapping_views(state, ctx, &settings).await?;
        return rerender(state, ctx, "mappings", form, errors, |page| page.maps = maps).await;
    }
    update_settings(state, ctx, |s| apply(s)).await?;
    mark_done(state, ctx, "mappings").await?;
    Ok(redirect_to(ctx, "review"))
}

async fn submit_review(state: &AppState, ctx: &TenantContext, form: &Fields) -> AppResult<Response> {
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
        let problems = preflight::check(state, &ctx.scope, flow, &settings).await?;
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
    // The first run of each chosen flow starts now rather than at the next scheduled time.
    let mut order = progress.chosen_flows.clone();
    order.sort_by_key(|f| FlowKind::ALL.iter().position(|k| k.as_str() == f));
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
    let mut planned = Vec::new();
    for flow in FlowKind::ALL {
        if !chosen.iter().any(|c| c == flow.as_str()) {
            continue;
        }
        let settings = load_settings(state, &ctx.scope, flow)
            .await
            .map_err(|e| e.to_string())?;
        let writes = koppel_sync::dry_run(flow, &settings, &source, &target)
            .await
            .map_err(|e| format!("The {flow} dry run stopped: {e}"))?;
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
                    .map(|x| {
                        (
                            x.operation,
                            serde_json::to_string_pretty(&x.request.to_value()).unwrap_or_default(),
                        )
                    })
                    .collect(),
            }
        }));
    }
    Ok(planned)
}

/// `POST /t/{tenant_id}/setup/sandbox`: both connections to the built-in simulators and settings that suit
/// their seeded data; then on to choosing flows.
pub async fn use_sandbox(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    ctx.require_write()?;
    let Some(sandbox) = state.config.demo_sandbox.clone() else {
        return Err(AppError::NotFound);
    };
    let mplus = MplusCredentials {
        url: sandbox.mplus_url.trim_end_matches('/').to_owned(),
        ident: sandbox.mplus_ident.clone(),
        secret: sandbox.mplus_secret.clone(),
    };
    let afas = AfasCredentials {
        environment: "12345".into(),
        environment_type: "test".into(),
        token: sandbox.afas_token.clone(),
        url: Some(sandbox.afas_url.clone()),
    };
    let mplus_test = conn::store_mplus(&state, &ctx, mplus).await?;
    let afas_test = conn::store_afas(&state, &ctx, afas.clone()).await?;
    if !mplus_test.ok || !afas_test.ok {
        let message = format!(
            "The sandbox did not answer as expected: {} {}",
            mplus_test.message, afas_test.message
        );
        return Err(AppError::Internal(anyhow::anyhow!(message)));
    }
    let administration = lookups::afas_administrations(&afas)
        .await
        .ok()
        .and_then(|list| list.into_iter().next())
        .map_or_else(|| "1".to_owned(), |c| c.code);
    let terms = lookups::afas_payment_conditions(&afas)
        .await
        .ok()
        .and_then(|l| l.into_iter().next())
        .map(|c| c.code);
    let method = lookups::afas_payment_methods(&afas)
        .await
        .ok()
        .and_then(|l| l.into_iter().next())
        .map(|c| c.code);
    update_settings(&state, &ctx, |s| {
        *s = sandbox_settings(&administration, terms.as_deref(), method.as_deref())
    })
    .await?;
    let mut progress = setup::get(&state.db, &ctx.scope).await?;
    for step in ["mplus", "afas"] {
        if !progress.completed.iter().any(|s| s == step) {
            progress.completed.push(step.into());
        }
    }
    if progress.chosen_flows.is_empty() {
        progress.chosen_flows = vec!["orders".into()];
    }
    setup::save(&state.db, &ctx.scope, &progress, now_ms()).await?;
    Ok(redirect_to(&ctx, "flows"))
}

fn table(pairs: &[(&str, &str)]) -> ValueMap {
    ValueMap {
        table: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..ValueMap::default()
    }
}

/// Settings that suit the sandbox's seeded administration and till (what "Try it with the sandbox" stores).
pub fn sandbox_settings(administration: &str, terms: Option<&str>, method: Option<&str>) -> FlowSettings {
    let mut vat = Vec::new();
    for country in ["NL", "BE", "DE"] {
        for (rate, code) in [
            ("21", if country == "BE" { "BE21" } else { "1" }),
            ("9", "2"),
            ("6", "BE6"),
            ("0", "0"),
        ] {
            vat.push((format!("{country}:{rate}"), code));
        }
    }
    let vat: Vec<(&str, &str)> = vat.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let mut payment = table(&[
        ("PIN", "PIN"),
        ("CONTANT", "K"),
        ("IDEAL", "IDL"),
        ("BANCONTACT", "B"),
        ("CADEAUBON", "K"),
    ]);
    payment.default = method.map(str::to_owned);
    FlowSettings {
        administration: Some(administration.to_owned()),
        debtor_ledger_account: Some("1300".into()),
        payment_terms: Some(terms.unwrap_or("14").to_owned()),
        default_debtor: Some(koppel_sandbox_defaults::CASH_SALES_DEBTOR.into()),
        vat_duty: Some("1".into()),
        warehouse: Some(koppel_sandbox_defaults::MAIN_WAREHOUSE.into()),
        shipping_cost_item: Some("VERZEND".into()),
        shipping_articles: vec![koppel_sandbox_defaults::SHIPPING_ARTICLE.into()],
        rounding_cost_item: Some("AFRONDING".into()),
        payment_method_map: payment,
        shipping_method_map: table(&[("PostNL", "POSTNL"), ("Afhalen", "AFHALEN")]),
        vat_code_by_country: table(&vat),
        revenue_account_by_country: table(&[("NL", "8000"), ("BE", "8100"), ("DE", "8200")]),
        create_missing_articles: true,
        article_group_map: ValueMap {
            default: Some("900".into()),
            ..ValueMap::default()
        },
        vat_group_map: table(&[("21", "1"), ("9", "2"), ("0", "0")]),
        stock_branch: Some("1".into()),
        ..FlowSettings::default()
    }
}

/// The seeded sandbox's reference data (kept here so the web crate needs no sandbox dependency).
mod koppel_sandbox_defaults {
    /// `koppel_sandbox::afas::seed::CASH_SALES_DEBTOR`.
    pub const CASH_SALES_DEBTOR: &str = "10000";
    /// `koppel_sandbox::afas::seed::MAIN_WAREHOUSE`.
    pub const MAIN_WAREHOUSE: &str = "01";
    /// `koppel_sandbox::mplus::seed::SHIPPING_ARTICLE`.
    pub const SHIPPING_ARTICLE: &str = "990001";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_are_split_back_out() {
        assert_eq!(
            host_port("https://api.mpluskassa.nl:34567"),
            ("api.mpluskassa.nl".into(), "34567".into())
        );
        assert_eq!(
            host_port("http://127.0.0.1:8182/"),
            ("http://127.0.0.1".into(), "8182".into())
        );
    }

    #[test]
    fn a_value_per_country_needs_its_country() {
        let form = Fields::new(vec![
            ("revenue_mode".into(), "table".into()),
            ("revenue_source".into(), "nl".into()),
            ("revenue_target".into(), "8000".into()),
            ("revenue_source".into(), "".into()),
            ("revenue_target".into(), "8100".into()),
        ]);
        let mut errors = FieldErrors::default();
        let map = read_map(&form, "revenue", &mut errors, true);
        assert_eq!(map.table.get("NL").map(String::as_str), Some("8000"));
        assert!(errors.get("revenue").unwrap().contains("needs its country"));
    }
}
