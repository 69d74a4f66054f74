//! Server-rendered pages. Every page embeds a [`Layout`] for the shared header (user, tenant switcher).

mod account;
pub(crate) mod activity;
mod alerts;
mod data;
mod demo_shop;
mod fields;
mod health;
mod invitation;
mod members;
mod password;
mod public;
pub(crate) mod reconciliation;
mod runs;
mod settings;
mod setup;
mod staff;

pub use setup::sandbox_settings;
mod tenant;

use axum::Router;
use axum::routing::{get, post};
use koppel_core::TenantId;
use koppel_store::tenants;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(public::landing))
        .route("/signup", get(public::signup_page).post(public::signup))
        .route("/signup/sent", get(public::signup_sent))
        .route(
            "/signup/confirm/{token}",
            get(public::signup_confirm_page).post(public::signup_confirm),
        )
        .route("/login", get(public::login_page).post(public::login))
        .route("/password/forgot", get(password::forgot_page).post(password::forgot))
        .route(
            "/password/reset/{token}",
            get(password::reset_page).post(password::reset),
        )
        .route("/logout", post(public::logout))
        .route("/app", get(tenant::app))
        .route("/staff", get(staff::page))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/sign-out-everywhere", post(account::sign_out_everywhere))
        .route("/account/companies", post(account::add_company))
        .route("/t/{tenant_id}", get(tenant::home))
        .route(
            "/t/{tenant_id}/members",
            get(members::members).post(members::invite_member),
        )
        .route(
            "/t/{tenant_id}/members/{user_id}/role",
            post(members::change_member_role),
        )
        .route("/t/{tenant_id}/members/{user_id}/remove", post(members::remove_member))
        .route(
            "/t/{tenant_id}/invitations/{invitation_id}/resend",
            post(members::resend_invitation),
        )
        .route(
            "/t/{tenant_id}/invitations/{invitation_id}/revoke",
            post(members::revoke_invitation),
        )
        .route("/invitations/{token}", get(invitation::page).post(invitation::accept))
        .route("/t/{tenant_id}/alerts", get(alerts::page).post(alerts::save))
        .route("/t/{tenant_id}/data", get(data::page))
        .route("/t/{tenant_id}/data/retention", post(data::save_retention))
        .route("/t/{tenant_id}/data/export.json", get(data::export))
        .route("/t/{tenant_id}/data/delete", post(data::delete))
        .route("/t/{tenant_id}/runs", get(runs::list))
        .route("/t/{tenant_id}/runs/{run_id}", get(runs::show))
        .route("/t/{tenant_id}/runs/{run_id}/progress", get(runs::progress))
        .route("/t/{tenant_id}/runs/{run_id}/cancel", post(runs::cancel))
        .route("/t/{tenant_id}/runs/{run_id}/retry-failed", post(runs::retry_failed))
        .route("/t/{tenant_id}/runs/{run_id}/skip-failed", post(runs::skip_failed))
        .route("/t/{tenant_id}/activity/{entry_id}/retry", post(runs::retry_entry))
        .route("/t/{tenant_id}/activity/{entry_id}/skip", post(runs::skip_entry))
        .route("/t/{tenant_id}/flows/{flow}/run", post(runs::run_now))
        .route("/t/{tenant_id}/settings", get(settings::overview))
        .route("/t/{tenant_id}/settings/audit", get(settings::audit_log))
        .route(
            "/t/{tenant_id}/settings/{flow}",
            get(settings::flow_settings).post(settings::save_flow_settings),
        )
        .route(
            "/t/{tenant_id}/settings/{flow}/fields",
            get(fields::show).post(fields::save),
        )
        .route("/t/{tenant_id}/settings/{flow}/fields/preview", post(fields::preview))
        .route("/t/{tenant_id}/settings/{flow}/resync", post(settings::resync))
        .route("/t/{tenant_id}/setup", get(setup::resume))
        .route("/t/{tenant_id}/setup/sandbox", post(setup::use_sandbox))
        .route("/t/{tenant_id}/sandbox/reset", post(demo_shop::reset))
        .route("/t/{tenant_id}/setup/{step}", get(setup::show).post(setup::submit))
        .route("/t/{tenant_id}/reconciliation", get(reconciliation::page))
        .route("/t/{tenant_id}/reconciliation.csv", get(reconciliation::csv))
        .route("/t/{tenant_id}/reconciliation/check", post(reconciliation::check_again))
        .route("/t/{tenant_id}/activity", get(activity::list))
        .route("/t/{tenant_id}/activity.csv", get(activity::csv))
        .route("/t/{tenant_id}/activity/{entry_id}", get(activity::entry))
}

pub struct TenantNav {
    pub id: TenantId,
    pub name: String,
    pub current: bool,
}

/// What the base template needs on every page.
pub struct Layout {
    pub title: String,
    pub user_email: Option<String>,
    pub tenants: Vec<TenantNav>,
}

impl Layout {
    pub fn anonymous(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            user_email: None,
            tenants: Vec::new(),
        }
    }

    /// The layout for a signed-in user, with `current` highlighted in the tenant switcher.
    pub async fn for_user(
        state: &AppState,
        user: &CurrentUser,
        title: &str,
        current: Option<TenantId>,
    ) -> AppResult<Self> {
        let tenants = tenants::memberships_of(&state.db, user.user_id)
            .await?
            .into_iter()
            .map(|m| TenantNav {
                current: Some(m.tenant_id) == current,
                id: m.tenant_id,
                name: m.name,
            })
            .collect();
        Ok(Self {
            title: title.to_owned(),
            user_email: Some(user.email.clone()),
            tenants,
        })
    }

    pub fn current_tenant_name(&self) -> Option<&str> {
        self.tenants.iter().find(|t| t.current).map(|t| t.name.as_str())
    }

    /// The company the page is about, for the section navigation.
    pub fn current_tenant_id(&self) -> Option<TenantId> {
        self.tenants.iter().find(|t| t.current).map(|t| t.id)
    }
}

/// A `next` target after sign-in: only a path on this site, a single `/` followed by anything but `/` or `\`,
/// with no control character anywhere (browsers drop a tab or line break, which turns `/\t/evil.example`
/// into `//evil.example`, another site; a line break in a header would fail the response).
pub fn safe_next(next: &str) -> Option<&str> {
    let mut chars = next.chars();
    let local = chars.next() == Some('/') && !matches!(chars.next(), Some('/' | '\\'));
    (local && !next.chars().any(|c| c.is_control() || c == '\\')).then_some(next)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(super::safe_next("/t/abc"), Some("/t/abc"));
        assert_eq!(super::safe_next("//evil.example"), None);
        assert_eq!(super::safe_next("https://evil.example"), None);
        assert_eq!(super::safe_next("/\\evil.example"), None);
        assert_eq!(super::safe_next("/"), Some("/"));
        for control in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/a\r\nSet-Cookie: x",
            "/\u{b}/evil",
            "/a\u{0}",
        ] {
            assert_eq!(super::safe_next(control), None, "{control:?}");
        }
    }
}
