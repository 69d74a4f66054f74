//! A company's members and invitations over JSON: list, change a role, remove; invite, resend, revoke
//! ([`crate::members`] and [`crate::invitations`] hold the rules).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use koppel_core::{Role, UserId};
use koppel_store::invitations::Invitation;
use koppel_store::tenants::{self, Member};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ErrorBody;
use super::accounts::ValidationErrorBody;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::invitations::{self, InvitationPath, InviteError};
use crate::members::{self, MemberPath, Refusal};
use crate::state::AppState;
use crate::tenant::TenantContext;

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberBody {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    pub email: String,
    #[schema(value_type = String, example = "admin")]
    pub role: Role,
}

impl From<Member> for MemberBody {
    fn from(member: Member) -> Self {
        Self {
            user_id: member.user_id,
            email: member.email,
            role: member.role,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleChange {
    /// `owner`, `admin` or `member`.
    pub role: String,
}

fn refused(refusal: Refusal) -> Response {
    ErrorBody::response(refusal.status(), refusal.code(), refusal.message())
}

/// The company's members and their roles; any member may read them.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/members", tag = "accounts", security(("bearer" = [])),
    params(("tenant_id" = String, Path, description = "The company's id")),
    responses((status = 200, body = [MemberBody]), (status = 404, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Json<Vec<MemberBody>>> {
    let members = tenants::members(&state.db, &ctx.scope).await?;
    Ok(Json(members.into_iter().map(MemberBody::from).collect()))
}

/// Change a member's role: owners and admins; only an owner makes or unmakes an owner; the last owner stays.
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant_id}/members/{user_id}", tag = "accounts",
    security(("bearer" = [])), request_body = RoleChange,
    params(("tenant_id" = String, Path, description = "The company's id"),
           ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, description = "The member with their role now", body = MemberBody),
        (status = 403, description = "Read-only, or an owner's role changed by a non-owner (`owners_only`)", body = ErrorBody),
        (status = 404, description = "Not a member of this company", body = ErrorBody),
        (status = 409, description = "The company's last owner (`last_owner`)", body = ErrorBody),
        (status = 422, description = "Not a role", body = ValidationErrorBody),
    ))]
pub async fn change_role(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path(path): Path<MemberPath>,
    Json(change): Json<RoleChange>,
) -> AppResult<Response> {
    let Ok(role) = change.role.parse::<Role>() else {
        let mut errors = FieldErrors::default();
        errors.add_message("role", "Choose owner, admin or member.");
        return Ok(ValidationErrorBody::response(errors));
    };
    Ok(match members::change_role(&state, &ctx, path.user_id, role).await? {
        Ok(member) => Json(MemberBody::from(member)).into_response(),
        Err(refusal) => refused(refusal),
    })
}

/// Remove a member (anyone may leave); their sessions lose the company at once; the last owner stays.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant_id}/members/{user_id}", tag = "accounts",
    security(("bearer" = [])),
    params(("tenant_id" = String, Path, description = "The company's id"),
           ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Read-only, or an owner removed by a non-owner (`owners_only`)", body = ErrorBody),
        (status = 404, description = "Not a member of this company", body = ErrorBody),
        (status = 409, description = "The company's last owner (`last_owner`)", body = ErrorBody),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path(path): Path<MemberPath>,
) -> AppResult<Response> {
    Ok(match members::remove(&state, &ctx, path.user_id).await? {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(refusal) => refused(refusal),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InvitationRequest {
    pub email: String,
    /// `owner`, `admin` or `member`.
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationCreated {
    pub invitation_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationBody {
    pub invitation_id: Uuid,
    pub email: String,
    #[schema(value_type = String, example = "admin")]
    pub role: Role,
    /// Who invited (their e-mail address).
    pub invited_by: String,
    pub expires_at: DateTime<Utc>,
}

impl From<Invitation> for InvitationBody {
    fn from(invitation: Invitation) -> Self {
        Self {
            invitation_id: invitation.id,
            expires_at: expires_at(&invitation),
            email: invitation.email,
            role: invitation.role,
            invited_by: invitation.invited_by,
        }
    }
}

fn expires_at(invitation: &Invitation) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(invitation.expires_at_ms).unwrap_or_default()
}

fn invite_error(error: InviteError) -> AppResult<Response> {
    match error {
        InviteError::Refused(refusal) => Ok(refused(refusal)),
        InviteError::Invalid(errors) => Ok(ValidationErrorBody::response(errors)),
        InviteError::Other(error) => Err(error),
    }
}

/// Invite someone by e-mail with a role: they get a link valid 7 days, whether or not they have an account.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/invitations", tag = "accounts",
    security(("bearer" = [])), request_body = InvitationRequest,
    params(("tenant_id" = String, Path, description = "The company's id")),
    responses(
        (status = 201, description = "Invited", body = InvitationCreated),
        (status = 403, description = "Read-only, or an owner invited by a non-owner (`owners_only`)", body = ErrorBody),
        (status = 422, description = "Not an e-mail address or not a role", body = ValidationErrorBody),
    ))]
pub async fn invite(
    State(state): State<AppState>,
    ctx: TenantContext,
    Json(request): Json<InvitationRequest>,
) -> AppResult<Response> {
    match invitations::invite(&state, &ctx, &request.email, &request.role).await {
        Ok(invitation) => Ok((
            StatusCode::CREATED,
            Json(InvitationCreated {
                invitation_id: invitation.id,
                expires_at: expires_at(&invitation),
            }),
        )
            .into_response()),
        Err(error) => invite_error(error),
    }
}

/// The company's pending invitations (not accepted or revoked; expired ones can be resent).
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}/invitations", tag = "accounts", security(("bearer" = [])),
    params(("tenant_id" = String, Path, description = "The company's id")),
    responses((status = 200, body = [InvitationBody]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_invitations(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Response> {
    if !ctx.scope.role().can_write() {
        return Ok(refused(Refusal::ReadOnly));
    }
    let pending = koppel_store::invitations::pending(&state.db, &ctx.scope).await?;
    Ok(Json(pending.into_iter().map(InvitationBody::from).collect::<Vec<_>>()).into_response())
}

/// Send a pending invitation again: a new link (the old one stops working), valid 7 days from now.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant_id}/invitations/{invitation_id}/resend", tag = "accounts",
    security(("bearer" = [])),
    params(("tenant_id" = String, Path, description = "The company's id"),
           ("invitation_id" = String, Path, description = "The invitation's id")),
    responses(
        (status = 200, description = "Sent again", body = InvitationBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such pending invitation", body = ErrorBody),
    ))]
pub async fn resend_invitation(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path(path): Path<InvitationPath>,
) -> AppResult<Response> {
    match invitations::resend(&state, &ctx, path.invitation_id).await {
        Ok(invitation) => Ok(Json(InvitationBody::from(invitation)).into_response()),
        Err(error) => invite_error(error),
    }
}

/// Revoke a pending invitation: its link stops working.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant_id}/invitations/{invitation_id}", tag = "accounts",
    security(("bearer" = [])),
    params(("tenant_id" = String, Path, description = "The company's id"),
           ("invitation_id" = String, Path, description = "The invitation's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such pending invitation", body = ErrorBody),
    ))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    ctx: TenantContext,
    Path(path): Path<InvitationPath>,
) -> AppResult<Response> {
    match invitations::revoke(&state, &ctx, path.invitation_id).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(error) => invite_error(error),
    }
}
