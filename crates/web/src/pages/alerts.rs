//! Where alerts go besides the owners' e-mail: a webhook (signed with a secret) and the daily digest.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use koppel_core::TenantId;
use koppel_jobs::alerts::{SIGNATURE_HEADER, webhook_allowed, webhook_context};
use koppel_store::alerts::{self, AlertSettings};
use koppel_store::audit;
use serde::Deserialize;

use super::Layout;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

#[derive(Template, WebTemplate)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    layout: Layout,
    tenant_id: TenantId,
    webhook_url: String,
    secret_stored: bool,
    daily_digest: bool,
    signature_header: &'static str,
    can_write: bool,
    errors: FieldErrors,
    notice: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &TenantContext,
    status: StatusCode,
    url: Option<String>,
    errors: FieldErrors,
    notice: Option<String>,
) -> AppResult<Response> {
    let settings = alerts::settings(&state.db, &ctx.scope).await?;
    let page = AlertsPage {
        layout: Layout::for_user(state, &ctx.user, "Alerts", Some(ctx.scope.tenant_id())).await?,
        tenant_id: ctx.scope.tenant_id(),
        webhook_url: url.or(settings.webhook_url).unwrap_or_default(),
        secret_stored: settings.webhook_secret.is_some(),
        daily_digest: settings.daily_digest,
        signature_header: SIGNATURE_HEADER,
        can_write: ctx.scope.role().can_write(),
        errors,
        notice,
    };
    Ok((status, page).into_response())
}

pub async fn page(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    render(&state, &ctx, StatusCode::OK, None, FieldErrors::default(), None).await
}

#[derive(Debug, Deserialize)]
pub struct AlertsForm {
    #[serde(default)]
    webhook_url: String,
    /// Empty keeps the stored secret.
    #[serde(default)]
    webhook_secret: String,
    #[serde(default)]
    daily_digest: Option<String>,
}

pub async fn save(
    State(state): State<AppState>,
    ctx: TenantContext,
    Form(form): Form<AlertsForm>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let mut errors = FieldErrors::default();
    let url = form.webhook_url.trim().to_owned();
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        errors.add_message("webhook_url", "Enter a URL starting with https://.");
    } else if let Err(refusal) = webhook_allowed(&url) {
        errors.add_message("webhook_url", refusal);
    }
    if !form.webhook_secret.is_empty() && form.webhook_secret.len() < 16 {
        errors.add_message("webhook_secret", "Use a secret of at least 16 characters.");
    }
    if !errors.is_empty() {
        return render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(url), errors, None).await;
    }
    let mut settings = alerts::settings(&state.db, &ctx.scope).await?;
    let before = audited(&settings, false);
    settings = AlertSettings {
        webhook_url: (!url.is_empty()).then_some(url),
        webhook_secret: match form.webhook_secret.as_str() {
            "" => settings.webhook_secret,
            secret => Some(state.secrets.seal(secret.as_bytes(), &webhook_context(&ctx.scope))),
        },
        daily_digest: form.daily_digest.is_some(),
        last_digest_day: settings.last_digest_day,
    };
    let now_ms = koppel_store::now().timestamp_millis();
    alerts::save_settings(&state.db, &ctx.scope, &settings, now_ms).await?;
    let changes = audit::diff(&before, &audited(&settings, !form.webhook_secret.is_empty()));
    audit::record(&state.db, &ctx.scope, &ctx.user.email, "alerts", &changes, now_ms).await?;
    render(
        &state,
        &ctx,
        StatusCode::OK,
        None,
        FieldErrors::default(),
        Some("Saved.".to_owned()),
    )
    .await
}

/// The alert settings as the audit log compares them: the secret only as whether it is set, or `replaced` by
/// this change (the log redacts it either way; this makes a new secret show as a change).
fn audited(settings: &AlertSettings, secret_replaced: bool) -> serde_json::Value {
    let secret = match (settings.webhook_secret.is_some(), secret_replaced) {
        (_, true) => Some("replaced"),
        (true, false) => Some("set"),
        (false, false) => None,
    };
    serde_json::json!({
        "webhook_url": settings.webhook_url,
        "webhook_secret": secret,
        "daily_digest": settings.daily_digest,
    })
}
