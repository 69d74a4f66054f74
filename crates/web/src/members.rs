//! Who belongs to a company and with what role: the rules the Members page and the members API share. Owners
//! and admins manage members; only an owner makes, unmakes or removes an owner; a company always keeps an owner
//! (the store holds that rule in the same statement as the change); every change is in the audit log.

use axum::http::StatusCode;
use koppel_core::{Role, UserId};
use koppel_store::audit::{self, Change};
use koppel_store::tenants::{self, Member, MemberChange, MemberRemoval};
use serde_json::{Value, json};

use crate::error::AppError;
use crate::state::AppState;
use crate::tenant::TenantContext;

/// The ids in a member's path (`…/{tenant_id}/members/{user_id}`); the company comes from [`TenantContext`]. A
/// user id that is not one is nobody's: `None`, answered as "not a member" (404) like any unknown id.
#[derive(Debug, serde::Deserialize)]
pub struct MemberPath {
    #[allow(dead_code)]
    tenant_id: String,
    #[serde(deserialize_with = "malformed_as_none")]
    pub user_id: Option<UserId>,
}

/// An id from a path, or `None` when the text is not one (the caller answers 404, as for an unknown id).
pub fn malformed_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
{
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    Ok(text.parse().ok())
}

/// Why a change to the members was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    ReadOnly,
    NotMember,
    /// No such pending invitation (accepted, revoked, another company's, or none).
    NoInvitation,
    OwnersOnly,
    LastOwner,
}

impl Refusal {
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::ReadOnly | Refusal::OwnersOnly => StatusCode::FORBIDDEN,
            Refusal::NotMember | Refusal::NoInvitation => StatusCode::NOT_FOUND,
            Refusal::LastOwner => StatusCode::CONFLICT,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Refusal::ReadOnly => "forbidden",
            Refusal::NotMember | Refusal::NoInvitation => "not_found",
            Refusal::OwnersOnly => "owners_only",
            Refusal::LastOwner => "last_owner",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Refusal::ReadOnly => "Your role in this company is read-only. Ask an owner or admin to make this change.",
            Refusal::NotMember => "This person is not a member of this company.",
            Refusal::NoInvitation => "This company has no such open invitation.",
            Refusal::OwnersOnly => {
                "Only an owner can change an owner's role, make someone an owner or remove an owner."
            }
            Refusal::LastOwner => "A company always keeps an owner: make someone else owner first.",
        }
    }
}

/// Whether `actor` may move someone from `current` to `new` (`None`: remove, or not yet a member).
pub fn owner_rule(actor: Role, current: Option<Role>, new: Option<Role>) -> Result<(), Refusal> {
    let touches_owner = current == Some(Role::Owner) || new == Some(Role::Owner);
    if touches_owner && current != new && actor != Role::Owner {
        return Err(Refusal::OwnersOnly);
    }
    Ok(())
}

async fn member(
    state: &AppState,
    ctx: &TenantContext,
    user_id: Option<UserId>,
) -> Result<Result<Member, Refusal>, AppError> {
    if !ctx.scope.role().can_write() {
        return Ok(Err(Refusal::ReadOnly));
    }
    let Some(user_id) = user_id else {
        return Ok(Err(Refusal::NotMember));
    };
    let members = tenants::members(&state.db, &ctx.scope).await?;
    Ok(members
        .into_iter()
        .find(|m| m.user_id == user_id)
        .ok_or(Refusal::NotMember))
}

async fn audit_member(
    state: &AppState,
    ctx: &TenantContext,
    email: &str,
    before: Option<Role>,
    after: Option<Role>,
) -> Result<(), AppError> {
    let role = |role: Option<Role>| role.map_or(Value::Null, |r| json!(r.as_str()));
    let change = Change {
        field: format!("member/{email}"),
        before: role(before),
        after: role(after),
    };
    let now = koppel_store::now().timestamp_millis();
    audit::record(&state.db, &ctx.scope, &ctx.user.email, "members", &[change], now).await?;
    Ok(())
}

/// Changes a member's role; the member as they are now.
pub async fn change_role(
    state: &AppState,
    ctx: &TenantContext,
    user_id: Option<UserId>,
    role: Role,
) -> Result<Result<Member, Refusal>, AppError> {
    let member = match member(state, ctx, user_id).await? {
        Ok(member) => member,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Err(refusal) = owner_rule(ctx.scope.role(), Some(member.role), Some(role)) {
        return Ok(Err(refusal));
    }
    if member.role == role {
        return Ok(Ok(member));
    }
    match tenants::upsert_member(&state.db, &ctx.scope, member.user_id, role, koppel_store::now()).await? {
        MemberChange::LastOwner => Ok(Err(Refusal::LastOwner)),
        MemberChange::Done { before } => {
            audit_member(state, ctx, &member.email, before, Some(role)).await?;
            Ok(Ok(Member { role, ..member }))
        }
    }
}

/// Removes a member (a member may also leave); the member as they were.
pub async fn remove(
    state: &AppState,
    ctx: &TenantContext,
    user_id: Option<UserId>,
) -> Result<Result<Member, Refusal>, AppError> {
    let leaving = user_id == Some(ctx.user.user_id);
    let member = if leaving {
        let members = tenants::members(&state.db, &ctx.scope).await?;
        members
            .into_iter()
            .find(|m| m.user_id == ctx.user.user_id)
            .ok_or(Refusal::NotMember)
    } else {
        member(state, ctx, user_id).await?
    };
    let member = match member {
        Ok(member) => member,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !leaving && let Err(refusal) = owner_rule(ctx.scope.role(), Some(member.role), None) {
        return Ok(Err(refusal));
    }
    match tenants::remove_member(&state.db, &ctx.scope, member.user_id).await? {
        MemberRemoval::Removed(role) => {
            audit_member(state, ctx, &member.email, Some(role), None).await?;
            Ok(Ok(member))
        }
        MemberRemoval::LastOwner => Ok(Err(Refusal::LastOwner)),
        MemberRemoval::NotMember => Ok(Err(Refusal::NotMember)),
    }
}
