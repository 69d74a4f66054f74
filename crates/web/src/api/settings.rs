//! The company-wide settings over JSON: the part of the settings every flow shares (administration, debtor
//! ledger, payment terms, default debtor, warehouse, VAT and revenue mappings, ...), stored once per company.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use koppel_sync::settings::CompanySettings;

use super::ErrorBody;
use super::accounts::ValidationErrorBody;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::preflight;
use crate::state::AppState;
use crate::tenant::ApiTenant;

/// The company-wide settings every flow uses (the defaults before any are stored).
#[utoipa::path(get, path = "/api/v1/settings", tag = "flows", security(("bearer" = [])),
    params(("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 200, body = CompanySettings), (status = 404, body = ErrorBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
) -> AppResult<Json<CompanySettings>> {
    Ok(Json(koppel_jobs::settings::company(&state.db, &ctx.scope).await?))
}

/// Replace the company-wide settings, for every flow at once; fields left out take their defaults. The change
/// is recorded once in the settings audit log (area `company`).
///
/// Values that cannot work (an administration that is not a number, a currency that is not a three-letter
/// code) are refused, and so is a change that would stop a flow that is on (the preflight, as for
/// `PUT /api/v1/flows/{flow}`): 422 naming each setting; nothing is saved.
#[utoipa::path(put, path = "/api/v1/settings", tag = "flows", security(("bearer" = [])),
    params(("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    request_body = CompanySettings,
    responses((status = 200, body = CompanySettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationErrorBody,
               description = "Invalid input, or a flow that is on could not work with these settings: messages per \
                              setting (its JSON name; `connection` for AFAS itself)",
               example = json!({"errors": {"administration": ["must be the AFAS administration's number, not \"Retail\""]}}))))]
pub async fn put_settings(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Json(document): Json<serde_json::Value>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let mut errors = FieldErrors::default();
    for problem in koppel_sync::validation::withdrawn_values(&document) {
        errors.add_message(problem.setting, problem.message);
    }
    let settings = match serde_json::from_value::<CompanySettings>(document) {
        Ok(settings) => settings,
        Err(error) => {
            errors.add_message("settings", format!("These settings are not valid: {error}"));
            return Ok(invalid(errors));
        }
    };
    for problem in settings.validate() {
        errors.add_message(problem.setting, problem.message);
    }
    if !errors.is_empty() {
        return Ok(invalid(errors));
    }
    let before = koppel_jobs::settings::company(&state.db, &ctx.scope).await?;
    let problems = preflight::check_others(&state, &ctx.scope, None, &before, &settings).await?;
    if !problems.is_empty() {
        return Ok(invalid(preflight::api_errors(&problems)));
    }
    let now = koppel_store::now().timestamp_millis();
    koppel_jobs::settings::save_company(&state.db, &ctx.scope, &ctx.user.email, &settings, now).await?;
    tracing::info!(tenant_id = %ctx.scope.tenant_id(), "company settings saved");
    Ok(Json(settings).into_response())
}

fn invalid(errors: FieldErrors) -> Response {
    ValidationErrorBody::response(errors)
}
