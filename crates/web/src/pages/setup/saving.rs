//! Writing the wizard's settings: the four flows keep their shared settings equal, and every change is audited.

use koppel_core::FlowKind;
use koppel_store::audit;
use koppel_store::flows;
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

/// The settings the wizard shows: the orders flow's (the wizard keeps all four equal).
pub(super) async fn wizard_settings(state: &AppState, ctx: &TenantContext) -> AppResult<FlowSettings> {
    load_settings(state, &ctx.scope, FlowKind::Orders).await
}

/// Applies `change` to every flow's settings, saves them and records what changed.
pub(super) async fn update_settings(
    state: &AppState,
    ctx: &TenantContext,
    change: impl Fn(&mut FlowSettings),
) -> AppResult<()> {
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
