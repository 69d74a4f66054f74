//! The preflight where a flow is switched on (`PUT /api/v1/flows/{flow}`, a flow's settings page, the
//! wizard's Activate) and where a company-wide setting changes under flows that are on (those and
//! `PUT /api/v1/settings`): [`koppel_jobs::preflight::check_stored`] with the tenant's stored AFAS
//! credentials, its problems as the `{errors: {setting: [message]}}` the API and the forms already use.

use koppel_core::FlowKind;
use koppel_store::TenantScope;
use koppel_sync::requirements::SettingProblem;
use koppel_sync::settings::{CompanySettings, FlowSettings};

use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;

/// What stops `flow` from being switched on with `settings`; empty when nothing does.
pub async fn check(
    state: &AppState,
    scope: &TenantScope,
    flow: FlowKind,
    settings: &FlowSettings,
) -> AppResult<Vec<SettingProblem>> {
    Ok(koppel_jobs::preflight::check_stored(&state.db, &state.secrets, scope, flow, settings).await?)
}

/// What stops the flows that are on, other than `except` (the flow being saved, which its caller checks),
/// from working once the company-wide settings change from `before` to `after`; nothing when they do not
/// change. Each message says which flow needs the setting.
pub async fn check_others(
    state: &AppState,
    scope: &TenantScope,
    except: Option<FlowKind>,
    before: &CompanySettings,
    after: &CompanySettings,
) -> AppResult<Vec<SettingProblem>> {
    let mut problems = Vec::new();
    if before == after {
        return Ok(problems);
    }
    for flow in FlowKind::ALL.into_iter().filter(|flow| Some(*flow) != except) {
        let config = koppel_jobs::settings::flow_config(&state.db, scope, flow).await?;
        if !config.enabled {
            continue;
        }
        let settings = FlowSettings::from_parts(after.clone(), &config.settings);
        for problem in check(state, scope, flow, &settings).await? {
            let message = format!("{} (the {flow} flow, which is on, needs it)", problem.message);
            problems.push(SettingProblem::new(problem.setting, message));
        }
    }
    Ok(problems)
}

/// The problems keyed by the settings' JSON names (the API's body).
pub fn api_errors(problems: &[SettingProblem]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for problem in problems {
        errors.add_message(problem.setting, problem.message.clone());
    }
    errors
}

/// The problems keyed by the form fields that edit them (the mapping tables have short names), so a page
/// shows each beside its input.
pub fn form_errors(problems: &[SettingProblem]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for problem in problems {
        errors.add_message(form_field(problem.setting), problem.message.clone());
    }
    errors
}

/// The form field that edits a setting.
pub fn form_field(setting: &'static str) -> &'static str {
    match setting {
        "payment_method_map" => "payment",
        "shipping_method_map" => "shipping",
        "vat_code_by_country" => "vat",
        "revenue_account_by_country" => "revenue",
        "vat_group_map" => "vat_groups",
        "turnover_group_map" => "turnover_groups",
        "discount_group_map" => "discount_groups",
        "afas_article_filter" => "article_connector",
        setting => setting,
    }
}

/// One sentence naming every problem, for the top of a page (it also names settings the page has no input for).
pub fn alert(flow: FlowKind, problems: &[SettingProblem]) -> String {
    let problems = koppel_jobs::preflight::listed(problems);
    format!("The {flow} flow cannot be switched on yet: {problems}.")
}
