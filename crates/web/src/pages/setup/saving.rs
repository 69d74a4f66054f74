//! Writing the wizard's settings: the company-wide ones once, the flows' own equal in every flow, every change
//! audited.

use koppel_core::FlowKind;
use koppel_sync::settings::FlowSettings;

use crate::api::flows::{load_flow, load_settings};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenant::TenantContext;

pub(super) fn now_ms() -> i64 {
    koppel_store::now().timestamp_millis()
}

pub(crate) fn internal(error: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(error.into())
}

/// The settings the wizard shows: the orders flow's (the company's, and the own settings the wizard keeps
/// equal in every flow).
pub(super) async fn wizard_settings(state: &AppState, ctx: &TenantContext) -> AppResult<FlowSettings> {
    load_settings(state, &ctx.scope, FlowKind::Orders).await
}

/// Applies `change` to every flow's settings and saves them: the company-wide part once for the company (one
/// audit entry), each flow's own in its row.
pub(super) async fn update_settings(
    state: &AppState,
    ctx: &TenantContext,
    change: impl Fn(&mut FlowSettings),
) -> AppResult<()> {
    for flow in FlowKind::ALL {
        let config = load_flow(state, &ctx.scope, flow).await?;
        let mut settings = load_settings(state, &ctx.scope, flow).await?;
        change(&mut settings);
        koppel_jobs::settings::save(&state.db, &ctx.scope, &ctx.user.email, config, &settings, now_ms()).await?;
    }
    Ok(())
}
