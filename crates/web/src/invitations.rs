//! Invitations to a company, the rules the Members page and the API share: owners and admins invite by e-mail
//! with a role (only an owner invites an owner); the address gets a single-use link valid 7 days, whether or
//! not it has a Koppel account, so inviting tells nobody which addresses have one. The link signs an existing
//! user in with their password, or lets a new one choose a password, and adds the membership (no company or
//! trial of their own). Every invitation, resend, revocation and acceptance is in the company's audit log.

use std::net::IpAddr;

use koppel_core::{Email, Role, TenantId, validate_new_password};
use koppel_store::audit::{self, Change};
use koppel_store::invitations::{self, Invitation, Invitee, OpenInvitation};
use koppel_store::{StoreError, accounts, alerts, tenants};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::{new_token, token_hash};
use crate::auth::password;
use crate::auth::session::SignedIn;
use crate::auth::sign_in;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::members::{Refusal, owner_rule};
use crate::state::AppState;
use crate::tenant::TenantContext;

/// How long an invitation's link works.
pub const INVITATION_DAYS: i64 = 7;

/// The ids in an invitation's path (`…/{tenant_id}/invitations/{invitation_id}`); the company comes from
/// [`TenantContext`]. An id that is not one is `None`, answered as "no such invitation" (404).
#[derive(Debug, serde::Deserialize)]
pub struct InvitationPath {
    #[allow(dead_code)]
    tenant_id: String,
    #[serde(deserialize_with = "crate::members::malformed_as_none")]
    pub invitation_id: Option<Uuid>,
}

/// Why an invitation was not made, resent or revoked.
#[derive(Debug)]
pub enum InviteError {
    Refused(Refusal),
    Invalid(FieldErrors),
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for InviteError {
    fn from(error: E) -> Self {
        InviteError::Other(error.into())
    }
}

async fn audit_invitation(
    state: &AppState,
    ctx: &TenantContext,
    email: &str,
    before: Value,
    after: Value,
) -> Result<(), AppError> {
    let change = Change {
        field: format!("invitation/{email}"),
        before,
        after,
    };
    let now = koppel_store::now().timestamp_millis();
    audit::record(&state.db, &ctx.scope, &ctx.user.email, "members", &[change], now).await?;
    Ok(())
}

/// Mails the invitation's link (through the company's outbox, delivered at once).
async fn mail_link(
    state: &AppState,
    ctx: &TenantContext,
    invitation: &Invitation,
    token: &str,
) -> Result<(), AppError> {
    let company = tenants::tenant(&state.db, &ctx.scope).await?.name;
    let body = format!(
        "{inviter} invites you to {company} on Koppel, the link between MplusKASSA and AFAS Profit, as {role}.\n\n\
         Accept within {INVITATION_DAYS} days:\n\n{{base_url}}/invitations/{token}\n\n\
         With a Koppel account you sign in with it; without one you choose a password.\n",
        inviter = invitation.invited_by,
        role = invitation.role,
    );
    let subject = format!("You are invited to {company} on Koppel");
    let now_ms = koppel_store::now().timestamp_millis();
    alerts::enqueue(
        &state.db,
        &ctx.scope,
        "email",
        &invitation.email,
        &subject,
        &body,
        now_ms,
    )
    .await?;
    koppel_jobs::alerts::deliver_soon();
    Ok(())
}

fn expiry(now_ms: i64) -> i64 {
    now_ms + INVITATION_DAYS * 86_400_000
}

/// Invites `email` with `role`.
pub async fn invite(state: &AppState, ctx: &TenantContext, email: &str, role: &str) -> Result<Invitation, InviteError> {
    if !ctx.scope.role().can_write() {
        return Err(InviteError::Refused(Refusal::ReadOnly));
    }
    let mut errors = FieldErrors::default();
    let email = errors.check(Email::parse(email));
    let role: Option<Role> = role.parse().ok();
    if role.is_none() {
        errors.add_message("role", "Choose owner, admin or member.");
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Err(InviteError::Invalid(errors));
    };
    owner_rule(ctx.scope.role(), None, Some(role)).map_err(InviteError::Refused)?;
    let token = new_token();
    let now_ms = koppel_store::now().timestamp_millis();
    let invitation = invitations::create(
        &state.db,
        &ctx.scope,
        &email,
        role,
        &token_hash(&token),
        &ctx.user.email,
        now_ms,
        expiry(now_ms),
    )
    .await?;
    mail_link(state, ctx, &invitation, &token).await?;
    audit_invitation(state, ctx, email.as_str(), Value::Null, json!(role.as_str())).await?;
    Ok(invitation)
}

/// Sends a pending invitation again with a new link (the old one stops working) and a new expiry.
pub async fn resend(state: &AppState, ctx: &TenantContext, id: Option<Uuid>) -> Result<Invitation, InviteError> {
    if !ctx.scope.role().can_write() {
        return Err(InviteError::Refused(Refusal::ReadOnly));
    }
    let id = id.ok_or(InviteError::Refused(Refusal::NoInvitation))?;
    let token = new_token();
    let now_ms = koppel_store::now().timestamp_millis();
    let renewed = invitations::renew(&state.db, &ctx.scope, id, &token_hash(&token), expiry(now_ms)).await?;
    let invitation = renewed.ok_or(InviteError::Refused(Refusal::NoInvitation))?;
    owner_rule(ctx.scope.role(), None, Some(invitation.role)).map_err(InviteError::Refused)?;
    mail_link(state, ctx, &invitation, &token).await?;
    Ok(invitation)
}

/// Revokes a pending invitation.
pub async fn revoke(state: &AppState, ctx: &TenantContext, id: Option<Uuid>) -> Result<Invitation, InviteError> {
    if !ctx.scope.role().can_write() {
        return Err(InviteError::Refused(Refusal::ReadOnly));
    }
    let id = id.ok_or(InviteError::Refused(Refusal::NoInvitation))?;
    let now_ms = koppel_store::now().timestamp_millis();
    let revoked = invitations::revoke(&state.db, &ctx.scope, id, now_ms).await?;
    let invitation = revoked.ok_or(InviteError::Refused(Refusal::NoInvitation))?;
    let role = json!(invitation.role.as_str());
    audit_invitation(state, ctx, &invitation.email, role, json!("revoked")).await?;
    Ok(invitation)
}

/// The invitation behind a link while it works, and whether its address has a Koppel account.
pub async fn open(state: &AppState, token: &str) -> Result<Option<(OpenInvitation, bool)>, AppError> {
    let now_ms = koppel_store::now().timestamp_millis();
    let Some(open) = invitations::find_open(&state.db, &token_hash(token), now_ms).await? else {
        return Ok(None);
    };
    let email = Email::parse(&open.invitation.email).map_err(|e| AppError::Internal(anyhow::anyhow!("{e:?}")))?;
    let has_account = accounts::find_user_by_email(&state.db, &email).await?.is_some();
    Ok(Some((open, has_account)))
}

#[derive(Debug)]
pub enum AcceptError {
    LinkInvalid,
    WrongPassword,
    Invalid(FieldErrors),
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for AcceptError {
    fn from(error: E) -> Self {
        AcceptError::Other(error.into())
    }
}

/// Accepts an invitation: with the password of the address's account, or a new password (twice) for a new
/// account; joins the company and signs in.
pub async fn accept(
    state: &AppState,
    ip: IpAddr,
    token: &str,
    password: &str,
    confirm: &str,
    user_agent: Option<&str>,
) -> Result<(TenantId, SignedIn), AcceptError> {
    state.limiters.link(ip).map_err(AppError::RateLimited)?;
    let Some((open, _)) = open(state, token).await? else {
        return Err(AcceptError::LinkInvalid);
    };
    let email = Email::parse(&open.invitation.email).map_err(|_| AcceptError::LinkInvalid)?;
    let user = accounts::find_user_by_email(&state.db, &email).await?;
    let hash;
    let invitee = match &user {
        Some(user) => {
            if !password::verify(password.to_owned(), Some(user.password_hash.clone())).await {
                return Err(AcceptError::WrongPassword);
            }
            Invitee::Existing(user.id)
        }
        None => {
            let mut errors = FieldErrors::default();
            errors.check(validate_new_password(password, Some(email.as_str())));
            if errors.is_empty() && password != confirm {
                errors.add_message("confirm_password", "The two passwords differ.");
            }
            if !errors.is_empty() {
                return Err(AcceptError::Invalid(errors));
            }
            hash = password::hash(password.to_owned()).await?;
            Invitee::New {
                email: &email,
                password_hash: &hash,
            }
        }
    };
    let accepted = match invitations::accept(&state.db, &token_hash(token), invitee, koppel_store::now()).await {
        Ok(Some(accepted)) => accepted,
        // Used at the same moment, or the address got an account meanwhile: the link shows what to do.
        Ok(None) | Err(StoreError::Conflict) => return Err(AcceptError::LinkInvalid),
        Err(other) => return Err(other.into()),
    };
    let (user_id, tenant_id) = accepted;
    if let Some(scope) = tenants::resolve_scope(&state.db, user_id, tenant_id).await? {
        let change = Change {
            field: format!("member/{}", email.as_str()),
            before: json!("invited"),
            after: json!(scope.role().as_str()),
        };
        let now = koppel_store::now().timestamp_millis();
        audit::record(&state.db, &scope, email.as_str(), "members", &[change], now).await?;
    }
    tracing::info!(%user_id, %tenant_id, "invitation accepted");
    Ok((tenant_id, sign_in(state, user_id, user_agent).await?))
}
