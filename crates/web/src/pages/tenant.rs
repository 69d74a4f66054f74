//! Pages inside one tenant: its home (the Members page is [`super::members`]).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Redirect;
use koppel_core::{Role, TenantId};
use koppel_store::tenants;
use serde::Deserialize;

use super::Layout;
use super::health::{Chart, FlowHealth, activity_chart, flow_health};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// Where a signed-in person lands: their first company.
pub async fn app(State(state): State<AppState>, user: CurrentUser) -> AppResult<Redirect> {
    let memberships = tenants::memberships_of(&state.db, user.user_id).await?;
    Ok(match memberships.first() {
        Some(first) => Redirect::to(&format!("/t/{}", first.tenant_id)),
        None => Redirect::to("/account"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    layout: Layout,
    tenant_id: TenantId,
    tenant_name: String,
    role: Role,
    can_write: bool,
    trial_days_left: i64,
    trial_ends_on: String,
    flows: Vec<FlowHealth>,
    chart: Chart,
    /// The company's connections reach its own demo shop in the built-in sandbox.
    demo_shop: bool,
    demo_shop_notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct HomeQuery {
    /// How "Reset the demo shop" went: `reset` or `busy`.
    demo_shop: Option<String>,
}

pub async fn home(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(query): Query<HomeQuery>,
) -> AppResult<HomePage> {
    let tenant = tenants::tenant(&state.db, &ctx.scope).await?;
    let trial_over = tenant.trial_days_left(koppel_store::now()) == 0;
    Ok(HomePage {
        demo_shop: super::demo_shop::company_shop(&state, &ctx.scope).await.is_some(),
        demo_shop_notice: super::demo_shop::notice(query.demo_shop.as_deref()),
        flows: flow_health(&state, &ctx.scope, trial_over).await?,
        chart: activity_chart(&state, &ctx.scope).await?,
        layout: Layout::for_user(&state, &ctx.user, &tenant.name, Some(tenant.id)).await?,
        tenant_id: tenant.id,
        trial_days_left: tenant.trial_days_left(koppel_store::now()),
        trial_ends_on: tenant.trial_ends_at.format("%-d %B %Y").to_string(),
        tenant_name: tenant.name,
        role: ctx.scope.role(),
        can_write: ctx.scope.role().can_write(),
    })
}
