//! Pages inside one tenant: its home and its members.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koppel_core::{Email, Role, TenantId};
use koppel_store::accounts;
use koppel_store::audit::{self, Change};
use koppel_store::tenants::{self, Member, MemberChange};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Layout;
use super::health::{Chart, FlowHealth, activity_chart, flow_health};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::members::{self, MemberPath};
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

#[derive(Template, WebTemplate)]
#[template(path = "members.html")]
pub struct MembersPage {
    layout: Layout,
    tenant_id: TenantId,
    tenant_name: String,
    members: Vec<Member>,
    can_write: bool,
    roles: [Role; 3],
    errors: FieldErrors,
    notice: Option<String>,
    email: String,
}

async fn render_members(
    state: &AppState,
    ctx: &TenantContext,
    status: StatusCode,
    errors: FieldErrors,
    notice: Option<String>,
    email: String,
) -> AppResult<Response> {
    let tenant = tenants::tenant(&state.db, &ctx.scope).await?;
    let page = MembersPage {
        layout: Layout::for_user(state, &ctx.user, "Members", Some(tenant.id)).await?,
        tenant_id: tenant.id,
        tenant_name: tenant.name,
        members: tenants::members(&state.db, &ctx.scope).await?,
        can_write: ctx.scope.role().can_write(),
        roles: Role::ALL,
        errors,
        notice,
        email,
    };
    Ok((status, page).into_response())
}

pub async fn members(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    render_members(
        &state,
        &ctx,
        StatusCode::OK,
        FieldErrors::default(),
        None,
        String::new(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// The members page after a change, saying what changed.
async fn members_notice(state: &AppState, ctx: &TenantContext, notice: String) -> AppResult<Response> {
    render_members(
        state,
        ctx,
        StatusCode::OK,
        FieldErrors::default(),
        Some(notice),
        String::new(),
    )
    .await
}

/// A refused change to the members, shown above the list.
async fn refused_members(
    state: &AppState,
    ctx: &TenantContext,
    status: StatusCode,
    message: &str,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    errors.add_message("members", message);
    render_members(state, ctx, status, errors, None, String::new()).await
}

pub async fn change_member_role(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path(path): Path<MemberPath>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let Ok(role) = form.role.parse::<Role>() else {
        return refused_members(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, "Choose a role.").await;
    };
    match members::change_role(&state, &ctx, path.user_id, role).await? {
        Ok(member) => {
            members_notice(
                &state,
                &ctx,
                format!("{} is now {} of this company.", member.email, member.role),
            )
            .await
        }
        Err(refusal) => refused_members(&state, &ctx, refusal.status(), refusal.message()).await,
    }
}

pub async fn remove_member(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path(path): Path<MemberPath>,
) -> AppResult<Response> {
    match members::remove(&state, &ctx, path.user_id).await? {
        // Left the company: nothing of it to show any more.
        Ok(_) if path.user_id == ctx.user.user_id => Ok(Redirect::to("/app").into_response()),
        Ok(member) => {
            members_notice(
                &state,
                &ctx,
                format!("{} no longer has access to this company.", member.email),
            )
            .await
        }
        Err(refusal) => refused_members(&state, &ctx, refusal.status(), refusal.message()).await,
    }
}

pub async fn add_member(
    State(state): State<AppState>,
    ctx: TenantContext,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let mut errors = FieldErrors::default();
    let role: Option<Role> = form.role.parse().ok();
    if role.is_none() {
        errors.add_message("role", "Choose a role.");
    }
    let user = match errors.check(Email::parse(&form.email)) {
        Some(email) => accounts::find_user_by_email(&state.db, &email).await?,
        None => None,
    };
    if user.is_none() && errors.get("email").is_none() {
        errors.add_message(
            "email",
            "No Koppel account uses this e-mail address. Ask them to sign up first.",
        );
    }
    // Only an owner may change an owner's role.
    let current = match &user {
        Some(user) => tenants::members(&state.db, &ctx.scope)
            .await?
            .into_iter()
            .find(|member| member.user_id == user.id)
            .map(|member| member.role),
        None => None,
    };
    if let Err(refusal) = members::owner_rule(ctx.scope.role(), current, role) {
        errors.add_message("role", refusal.message());
    }
    match (user, role, errors.is_empty()) {
        (Some(user), Some(role), true) => {
            let change = tenants::upsert_member(&state.db, &ctx.scope, user.id, role, koppel_store::now()).await?;
            let MemberChange::Done { before } = change else {
                errors.add_message(
                    "role",
                    "A company always keeps an owner: make someone else owner first.",
                );
                return render_members(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, None, form.email).await;
            };
            if before != Some(role) {
                let change = Change {
                    field: format!("member/{}", user.email),
                    before: before.map_or(Value::Null, |r| json!(r.as_str())),
                    after: json!(role.as_str()),
                };
                let now = koppel_store::now().timestamp_millis();
                audit::record(&state.db, &ctx.scope, &ctx.user.email, "members", &[change], now).await?;
            }
            let notice = Some(format!("{} is now {} of this company.", user.email, role));
            render_members(
                &state,
                &ctx,
                StatusCode::OK,
                FieldErrors::default(),
                notice,
                String::new(),
            )
            .await
        }
        _ => render_members(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, None, form.email).await,
    }
}
