//! The wizard's page (one template for every step and for the per-flow settings pages): building it, filling
//! each section it shows, and showing a form again with its errors.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use koppel_core::{FlowKind, TenantId};
use koppel_jobs::credentials::ConnectionTest;
use koppel_jobs::lookups::Choice;
use koppel_store::setup;

use super::connections::{fill_afas, fill_mplus};
use super::flow_choice::{FlowChoice, fill_flows};
use super::form::Fields;
use super::general::fill_general;
use super::mappings::{MapView, mapping_views};
use super::progress::{STEPS, step_index};
use super::questions::fill_questions;
use super::review::{PlannedView, summary};
use super::saving::wizard_settings;
use crate::api::flows::load_settings;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::pages::Layout;
use crate::state::AppState;
use crate::tenant::TenantContext;

pub struct StepNav {
    pub name: &'static str,
    pub title: &'static str,
    pub number: usize,
    pub done: bool,
    pub current: bool,
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
    /// Set on a flow's settings page (`/t/{tenant_id}/settings/{flow}`): the flow's own settings and the
    /// company's, at once.
    pub settings_flow: Option<FlowKind>,
    pub flow_enabled: bool,
}

impl SetupPage {
    /// Whether a wizard step's section is on this page: on its step, and on every flow's settings page the
    /// steps of company settings (`general`, `mappings`).
    pub fn shows(&self, section: &str) -> bool {
        match self.settings_flow {
            None => self.step == section,
            Some(_) => ["general", "mappings"].contains(&section),
        }
    }
    /// Whether the page asks `flow`'s own questions: the wizard's questions step asks every flow's, a flow's
    /// settings page its own.
    pub fn asks(&self, flow: &str) -> bool {
        match self.settings_flow {
            None => self.step == "questions",
            Some(settings_flow) => settings_flow.as_str() == flow,
        }
    }
    /// Where the main form posts.
    pub fn action(&self) -> String {
        match self.settings_flow {
            Some(flow) => format!("/t/{}/settings/{flow}", self.tenant_id),
            None => format!("/t/{}/setup/{}", self.tenant_id, self.step),
        }
    }
    /// The value of a text field.
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

pub(super) fn set(page: &mut SetupPage, name: &str, value: impl Into<String>) {
    page.values.entry(name.to_owned()).or_insert_with(|| value.into());
}

/// Loads what the step shows: stored values (unless the form already set them) and live lists.
pub(crate) async fn fill(
    state: &AppState,
    ctx: &TenantContext,
    page: &mut SetupPage,
    debtor_search: Option<&str>,
) -> AppResult<()> {
    let settings = match page.settings_flow {
        Some(flow) => load_settings(state, &ctx.scope, flow).await?,
        None => wizard_settings(state, ctx).await?,
    };
    let posted = page.values.contains_key("__posted");
    if page.step == "mplus" {
        fill_mplus(state, ctx, page).await?;
    }
    if page.step == "afas" {
        fill_afas(state, ctx, page).await?;
    }
    if page.step == "flows" {
        fill_flows(state, ctx, page).await?;
    }
    if page.shows("general") {
        fill_general(state, ctx, page, &settings, debtor_search).await?;
    }
    if page.shows("questions") || page.settings_flow.is_some() {
        fill_questions(state, ctx, page, &settings, posted).await?;
    }
    if page.shows("mappings") && page.maps.is_empty() {
        page.maps = mapping_views(state, ctx, &settings, page.settings_flow).await?;
    }
    if page.step == "review" {
        page.summary = summary(state, ctx, &settings).await?;
    }
    Ok(())
}

pub(super) async fn rerender(
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
