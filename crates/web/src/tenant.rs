//! The tenant a request is about, resolved once per request from the `{tenant_id}` path segment and the
//! signed-in user's memberships. Not a member (or no such tenant) answers 404, never 403.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use koppel_core::TenantId;
use koppel_store::{TenantScope, tenants};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct TenantContext {
    pub user: CurrentUser,
    pub scope: TenantScope,
}

impl TenantContext {
    /// Refuses read-only members; call before any change.
    pub fn require_write(&self) -> Result<(), AppError> {
        if self.scope.role().can_write() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for TenantContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let tenant_id: TenantId = params
            .iter()
            .find(|(name, _)| *name == "tenant_id")
            .and_then(|(_, value)| value.parse().ok())
            .ok_or(AppError::NotFound)?;
        let scope = tenants::resolve_scope(&state.db, user.user_id, tenant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(TenantContext { user, scope })
    }
}

/// The tenant an API request is about: the `tenant` query parameter, or else the user's first company
/// (most users have one). Not a member answers 404, as for pages.
#[derive(Debug, Clone)]
pub struct ApiTenant(pub TenantContext);

impl FromRequestParts<AppState> for ApiTenant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let requested = parts.uri.query().and_then(|query| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("tenant="))
                .map(str::to_owned)
        });
        let tenant_id: TenantId = match requested {
            Some(id) => id.parse().map_err(|_| AppError::NotFound)?,
            None => tenants::memberships_of(&state.db, user.user_id)
                .await?
                .first()
                .map(|m| m.tenant_id)
                .ok_or(AppError::NotFound)?,
        };
        let scope = tenants::resolve_scope(&state.db, user.user_id, tenant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(ApiTenant(TenantContext { user, scope }))
    }
}
