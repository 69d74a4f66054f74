//! A company's Members page: who belongs to it with what role, the invitations still open, and the forms to
//! invite, resend, revoke, change a role and remove ([`crate::members`] and [`crate::invitations`] hold the
//! rules).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koppel_core::{Role, TenantId};
use koppel_store::invitations::{self as pending_invitations, Invitation};
use koppel_store::tenants::{self, Member};
use serde::Deserialize;

use super::Layout;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::invitations::{self, INVITATION_DAYS, InvitationPath, InviteError};
use crate::members::{self, MemberPath};
use crate::state::AppState;
use crate::tenant::TenantContext;

#[derive(Template, WebTemplate)]
#[template(path = "members.html")]
pub struct MembersPage {
    layout: Layout,
    tenant_id: TenantId,
    tenant_name: String,
    members: Vec<Member>,
    /// Pending invitations, for those who manage members.
    invitations: Vec<Invitation>,
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
        invitations: match ctx.scope.role().can_write() {
            true => pending_invitations::pending(&state.db, &ctx.scope).await?,
            false => Vec::new(),
        },
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
        Ok(_) if path.user_id == Some(ctx.user.user_id) => Ok(Redirect::to("/app").into_response()),
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

/// The members page after an invitation was made, resent or revoked: `notice` says what happened; a refusal or
/// a form error says why not (the form keeps `email`).
async fn after_invitation(
    state: &AppState,
    ctx: &TenantContext,
    outcome: Result<Invitation, InviteError>,
    notice: impl FnOnce(&Invitation) -> String,
    email: String,
) -> AppResult<Response> {
    match outcome {
        Ok(invitation) => members_notice(state, ctx, notice(&invitation)).await,
        Err(InviteError::Invalid(errors)) => {
            render_members(state, ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, None, email).await
        }
        Err(InviteError::Refused(refusal)) => refused_members(state, ctx, refusal.status(), refusal.message()).await,
        Err(InviteError::Other(error)) => Err(error),
    }
}

/// Invites someone (the Members page's form): the same answer whether or not they have a Koppel account.
pub async fn invite_member(
    State(state): State<AppState>,
    ctx: TenantContext,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let outcome = invitations::invite(&state, &ctx, &form.email, &form.role).await;
    let notice = |invitation: &Invitation| {
        format!(
            "Invitation sent to {}: the link in it works for {INVITATION_DAYS} days.",
            invitation.email
        )
    };
    after_invitation(&state, &ctx, outcome, notice, form.email).await
}

pub async fn resend_invitation(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path(path): Path<InvitationPath>,
) -> AppResult<Response> {
    let outcome = invitations::resend(&state, &ctx, path.invitation_id).await;
    let notice = |invitation: &Invitation| format!("Invitation sent again to {}.", invitation.email);
    after_invitation(&state, &ctx, outcome, notice, String::new()).await
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path(path): Path<InvitationPath>,
) -> AppResult<Response> {
    let outcome = invitations::revoke(&state, &ctx, path.invitation_id).await;
    let notice = |invitation: &Invitation| format!("The invitation of {} is revoked.", invitation.email);
    after_invitation(&state, &ctx, outcome, notice, String::new()).await
}
