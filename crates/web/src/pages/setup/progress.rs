//! The wizard's steps in order, which of them a tenant has done, and the redirects between them.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use koppel_store::setup::{self, SetupProgress};

use super::saving::now_ms;
use crate::error::AppResult;
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

pub(super) fn step_index(step: &str) -> Option<usize> {
    STEPS.iter().position(|(name, _)| *name == step)
}

pub(super) async fn mark_done(state: &AppState, ctx: &TenantContext, step: &str) -> AppResult<SetupProgress> {
    let mut progress = setup::get(&state.db, &ctx.scope).await?;
    if !progress.completed.iter().any(|s| s == step) {
        progress.completed.push(step.to_owned());
        setup::save(&state.db, &ctx.scope, &progress, now_ms()).await?;
    }
    Ok(progress)
}

pub(super) fn redirect_to(ctx: &TenantContext, step: &str) -> Response {
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
