//! The company's data (owners only): how long the activity log is kept, an export of everything, and
//! deleting the company with everything in it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use koppel_core::{Role, TenantId};
use koppel_store::retention::{self, ENTRY_DAYS, PAYLOAD_DAYS, Retention};
use koppel_store::{audit, flows, tenants};
use serde::Deserialize;

use super::Layout;
use crate::error::{AppError, AppResult};
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

#[derive(Template, WebTemplate)]
#[template(path = "data.html")]
pub struct DataPage {
    layout: Layout,
    tenant_id: TenantId,
    tenant_name: String,
    payload_days: String,
    entry_days: String,
    errors: FieldErrors,
    notice: Option<String>,
}

fn require_owner(ctx: &TenantContext) -> AppResult<()> {
    if ctx.scope.role() == Role::Owner {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn render(
    state: &AppState,
    ctx: &TenantContext,
    status: StatusCode,
    values: Option<(String, String)>,
    errors: FieldErrors,
    notice: Option<String>,
) -> AppResult<Response> {
    let tenant = tenants::tenant(&state.db, &ctx.scope).await?;
    let current = retention::get(&state.db, &ctx.scope).await?;
    let (payload_days, entry_days) =
        values.unwrap_or((current.payload_days.to_string(), current.entry_days.to_string()));
    let page = DataPage {
        layout: Layout::for_user(state, &ctx.user, "Your data", Some(tenant.id)).await?,
        tenant_id: tenant.id,
        tenant_name: tenant.name,
        payload_days,
        entry_days,
        errors,
        notice,
    };
    Ok((status, page).into_response())
}

pub async fn page(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    require_owner(&ctx)?;
    render(&state, &ctx, StatusCode::OK, None, FieldErrors::default(), None).await
}

#[derive(Debug, Deserialize)]
pub struct RetentionForm {
    #[serde(default)]
    payload_days: String,
    #[serde(default)]
    entry_days: String,
}

fn days(input: &str, field: &'static str, range: std::ops::RangeInclusive<i64>, errors: &mut FieldErrors) -> i64 {
    match input.trim().parse::<i64>() {
        Ok(days) if range.contains(&days) => days,
        _ => {
            errors.add_message(
                field,
                format!("Enter a number of days from {} to {}.", range.start(), range.end()),
            );
            0
        }
    }
}

pub async fn save_retention(
    State(state): State<AppState>,
    ctx: TenantContext,
    Form(form): Form<RetentionForm>,
) -> AppResult<Response> {
    require_owner(&ctx)?;
    let mut errors = FieldErrors::default();
    let payload_days = days(&form.payload_days, "payload_days", PAYLOAD_DAYS, &mut errors);
    let entry_days = days(&form.entry_days, "entry_days", ENTRY_DAYS, &mut errors);
    if errors.is_empty() && entry_days < payload_days {
        errors.add_message("entry_days", "Keep entries at least as long as their payloads.");
    }
    if !errors.is_empty() {
        let values = Some((form.payload_days, form.entry_days));
        return render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, values, errors, None).await;
    }
    let before = retention::get(&state.db, &ctx.scope).await?;
    let after = Retention {
        payload_days,
        entry_days,
    };
    retention::set(&state.db, &ctx.scope, after).await?;
    let changes = audit::diff(&retention_document(before), &retention_document(after));
    audit::record(&state.db, &ctx.scope, &ctx.user.email, "retention", &changes, now_ms()).await?;
    let notice = Some("Saved. Older data is deleted within the hour.".to_owned());
    render(&state, &ctx, StatusCode::OK, None, FieldErrors::default(), notice).await
}

/// Everything the company has in Koppel, as one JSON document (credentials without their secrets).
pub async fn export(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    require_owner(&ctx)?;
    let tenant = tenants::tenant(&state.db, &ctx.scope).await?;
    let members: Vec<_> = tenants::members(&state.db, &ctx.scope)
        .await?
        .into_iter()
        .map(|m| serde_json::json!({"email": m.email, "role": m.role}))
        .collect();
    let invitations: Vec<_> = koppel_store::invitations::pending(&state.db, &ctx.scope)
        .await?
        .into_iter()
        .map(|i| serde_json::json!({"email": i.email, "role": i.role, "invited_by": i.invited_by}))
        .collect();
    let flows: Vec<_> = flows::list(&state.db, &ctx.scope)
        .await?
        .into_iter()
        .map(|f| serde_json::json!({"flow": f.flow, "enabled": f.enabled, "schedule": f.schedule, "settings": f.settings}))
        .collect();
    let company_settings = koppel_jobs::settings::company(&state.db, &ctx.scope).await?;
    let mut connections = serde_json::Map::new();
    for system in [
        koppel_store::connections::System::Mplus,
        koppel_store::connections::System::Afas,
    ] {
        if let Some(summary) = koppel_jobs::credentials::summary(&state.db, &ctx.scope, system)
            .await
            .map_err(anyhow::Error::from)?
        {
            connections.insert(system.as_str().to_owned(), summary.config);
        }
    }
    let entries = retention::export_entries(&state.db, &ctx.scope).await?;
    // An export hands out everything the company has: who took it, and when, is on record.
    let exported = audit::Change {
        field: "export".to_owned(),
        before: serde_json::Value::Null,
        after: serde_json::json!(format!("all data downloaded ({} activity entries)", entries.len())),
    };
    audit::record(&state.db, &ctx.scope, &ctx.user.email, "data", &[exported], now_ms()).await?;
    let document = serde_json::json!({
        "company": {"id": tenant.id, "name": tenant.name, "created_at": tenant.created_at, "trial_ends_at": tenant.trial_ends_at},
        "members": members,
        "invitations": invitations,
        "connections": connections,
        "company_settings": company_settings,
        "flows": flows,
        "activity": entries,
    });
    let filename = format!("koppel-export-{}.json", tenant.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        serde_json::to_string_pretty(&document).map_err(anyhow::Error::from)?,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
}

/// Deletes the company after the owner typed its name.
pub async fn delete(
    State(state): State<AppState>,
    ctx: TenantContext,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    require_owner(&ctx)?;
    let tenant = tenants::tenant(&state.db, &ctx.scope).await?;
    if form.confirm_name.trim() != tenant.name {
        let mut errors = FieldErrors::default();
        errors.add_message("confirm_name", "Type the company's name exactly to confirm.");
        return render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, None, errors, None).await;
    }
    tracing::warn!(tenant_id = %tenant.id, user_id = %ctx.user.user_id, "tenant deleted by its owner");
    retention::delete_tenant(&state.db, ctx.scope).await?;
    Ok(Redirect::to("/app").into_response())
}

fn retention_document(retention: Retention) -> serde_json::Value {
    serde_json::json!({"payload_days": retention.payload_days, "entry_days": retention.entry_days})
}

fn now_ms() -> i64 {
    koppel_store::now().timestamp_millis()
}
