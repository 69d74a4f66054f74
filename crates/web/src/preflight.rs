//! The preflight where a flow is switched on (`PUT /api/v1/flows/{flow}`, a flow's settings page, the
//! wizard's Activate): [`koppel_jobs::preflight::check_stored`] with the tenant's stored AFAS credentials, its
//! problems as the `{errors: {setting: [message]}}` the API and the forms already use.

use koppel_core::FlowKind;
use koppel_store::TenantScope;
use koppel_sync::requirements::SettingProblem;
use koppel_sync::settings::FlowSettings;

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
        let field = match problem.setting {
            "payment_method_map" => "payment",
            "shipping_method_map" => "shipping",
            "vat_code_by_country" => "vat",
            "revenue_account_by_country" => "revenue",
            setting => setting,
        };
        errors.add_message(field, problem.message.clone());
    }
    errors
}

/// One sentence naming every problem, for the top of a page (it also names settings the page has no input for).
pub fn alert(flow: FlowKind, problems: &[SettingProblem]) -> String {
    let problems = koppel_jobs::preflight::listed(problems);
    format!("The {flow} flow cannot be switched on yet: {problems}.")
}
