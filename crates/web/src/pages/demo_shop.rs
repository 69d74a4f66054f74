//! A company's own demo shop in the built-in sandbox: which shop its connections reach, and "Reset the demo
//! shop" (the till and the AFAS administration back to their seed, and Koppel's memory of what it synced there
//! forgotten, so the next runs book the demo orders again; the activity log is kept).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use koppel_jobs::credentials;
use koppel_sandbox::ShopId;
use koppel_store::audit::{self, Change};
use koppel_store::{TenantScope, sync_state};
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenant::TenantContext;

/// The demo shop the company's connections reach: both at the built-in sandbox, with the same company shop.
/// `None` for anything else (other systems, the sandbox's shared default shop, or unreadable credentials).
pub(crate) async fn company_shop(state: &AppState, scope: &TenantScope) -> Option<ShopId> {
    let demo = state.config.demo_sandbox.as_ref()?;
    let stored = async {
        let mplus = credentials::load_mplus(&state.db, &state.secrets, scope).await?;
        let afas = credentials::load_afas(&state.db, &state.secrets, scope).await?;
        Ok::<_, credentials::CredentialsError>(mplus.zip(afas))
    };
    let (mplus, afas) = match stored.await {
        Ok(both) => both?,
        Err(error) => {
            tracing::warn!(tenant_id = %scope.tenant_id(), %error, "stored credentials unreadable");
            return None;
        }
    };
    let same = |stored: &str, sandbox: &str| stored.trim_end_matches('/') == sandbox.trim_end_matches('/');
    let at_sandbox = same(&mplus.url, &demo.mplus_url) && afas.url.is_some_and(|url| same(&url, &demo.afas_url));
    let shop = demo.shops.shop_of_mplus(&mplus.ident, &mplus.secret)?;
    (at_sandbox && demo.shops.shop_of_afas_token(&afas.token) == Some(shop)).then_some(shop)
}

/// `POST /t/{tenant_id}/sandbox/reset`: "Reset the demo shop" (not while a run is queued or running, which
/// would read the old shop and move the cursor again).
pub async fn reset(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    ctx.require_write()?;
    let demo = state.config.demo_sandbox.as_ref().ok_or(AppError::NotFound)?;
    let shop = company_shop(&state, &ctx.scope).await.ok_or(AppError::NotFound)?;
    let home = format!("/t/{}", ctx.scope.tenant_id());
    if sync_state::active_runs(&state.db, &ctx.scope).await? > 0 {
        return Ok(Redirect::to(&format!("{home}?demo_shop=busy")).into_response());
    }
    let forgotten = sync_state::forget(&state.db, &ctx.scope).await?;
    demo.shops.reset(&shop);
    let change = Change {
        field: "demo_shop".into(),
        before: json!("in use"),
        after: json!(format!(
            "reset to its seed; forgot {} synced records and {} flow cursors",
            forgotten.records, forgotten.cursors
        )),
    };
    let now = koppel_store::now().timestamp_millis();
    audit::record(&state.db, &ctx.scope, &ctx.user.email, "sandbox", &[change], now).await?;
    tracing::info!(tenant_id = %ctx.scope.tenant_id(), records = forgotten.records, "demo shop reset");
    Ok(Redirect::to(&format!("{home}?demo_shop=reset")).into_response())
}

/// The message for `?demo_shop=` on the home page after a reset.
pub(crate) fn notice(outcome: Option<&str>) -> Option<&'static str> {
    match outcome? {
        "reset" => Some("The demo shop is back as it started. The next runs book its orders again."),
        "busy" => Some("A run is queued or running: reset the demo shop once it has finished."),
        _ => None,
    }
}
