//! A company's members over JSON: list them, change a role, remove one ([`crate::members`] holds the rules).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use koppel_core::{Role, UserId};
use koppel_store::tenants::{self, Member};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ErrorBody;
use super::accounts::ValidationErrorBody;
use crate::error::AppResult;
use crate::forms::FieldErrors;
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
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(ValidationErrorBody { errors })).into_response());
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
