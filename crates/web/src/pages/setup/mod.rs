//! The setup wizard under `/t/{tenant_id}/setup/{step}`: seven steps, one page each, every step saved when
//! it is completed, resumable (`/t/{tenant_id}/setup` opens the first step not done). Owners and admins
//! only. Connections go through the same functions as `PUT /api/v1/connections/*`; settings are written with
//! `koppel_jobs::settings::save`: the company-wide ones once for the company, the flows' own to every flow.
//! This module routes a step's page and form to the step's module.

mod connections;
mod flow_choice;
mod form;
mod general;
mod mappings;
mod page;
mod progress;
mod questions;
mod review;
mod sandbox;
mod saving;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

pub use form::{Apply, Fields};
pub use general::read_general;
pub(crate) use mappings::mapping_views;
pub use mappings::read_mappings;
pub(crate) use page::{SetupPage, base_page, fill};
pub use progress::resume;
pub(crate) use questions::combination_errors;
pub use questions::{read_company_questions, read_flow_questions};
pub use sandbox::{sandbox_settings, use_sandbox};

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenant::TenantContext;
use progress::STEPS;

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
        "mplus" => connections::submit_mplus(&state, &ctx, &form).await,
        "afas" => connections::submit_afas(&state, &ctx, &form).await,
        "flows" => flow_choice::submit_flows(&state, &ctx, &form).await,
        "general" => general::submit_general(&state, &ctx, &form).await,
        "questions" => questions::submit_questions(&state, &ctx, &form).await,
        "mappings" => mappings::submit_mappings(&state, &ctx, &form).await,
        _ => review::submit_review(&state, &ctx, &form).await,
    }
}
