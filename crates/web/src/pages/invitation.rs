//! The page an invitation's link opens (`/invitations/{token}`): sign in, or choose a password, and join
//! ([`crate::invitations`] holds the rules).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use koppel_store::invitations::OpenInvitation;
use serde::Deserialize;

use super::Layout;
use crate::auth::session::ClientIp;
use crate::error::{AppError, AppResult};
use crate::forms::FieldErrors;
use crate::invitations::{self, AcceptError};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "invitation.html")]
pub struct InvitationPage {
    layout: Layout,
    token: String,
    /// `None` when the link no longer works.
    invitation: Option<OpenInvitation>,
    has_account: bool,
    errors: FieldErrors,
    form_error: Option<String>,
}

async fn render(
    state: &AppState,
    token: String,
    status: StatusCode,
    errors: FieldErrors,
    form_error: Option<String>,
) -> AppResult<Response> {
    let (invitation, has_account) = match invitations::open(state, &token).await? {
        Some((open, has_account)) => (Some(open), has_account),
        None => (None, false),
    };
    let status = if invitation.is_none() && status.is_success() {
        StatusCode::GONE
    } else {
        status
    };
    let page = InvitationPage {
        layout: Layout::anonymous("Your invitation"),
        token,
        invitation,
        has_account,
        errors,
        form_error,
    };
    Ok((status, page).into_response())
}

pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    render(&state, token, StatusCode::OK, FieldErrors::default(), None).await
}

#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn accept(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    match invitations::accept(&state, ip, &token, &form.password, &form.confirm_password, user_agent).await {
        Ok((tenant_id, signed_in)) => {
            Ok((jar.add(signed_in.cookie), Redirect::to(&format!("/t/{tenant_id}"))).into_response())
        }
        Err(AcceptError::WrongPassword) => {
            let mut errors = FieldErrors::default();
            errors.add_message("password", "This is not the password of this Koppel account.");
            render(&state, token, StatusCode::UNPROCESSABLE_ENTITY, errors, None).await
        }
        Err(AcceptError::Invalid(errors)) => {
            render(&state, token, StatusCode::UNPROCESSABLE_ENTITY, errors, None).await
        }
        Err(AcceptError::LinkInvalid) => render(&state, token, StatusCode::GONE, FieldErrors::default(), None).await,
        Err(AcceptError::Other(AppError::RateLimited(limited))) => {
            let page = render(
                &state,
                token,
                StatusCode::TOO_MANY_REQUESTS,
                FieldErrors::default(),
                Some(limited.message()),
            );
            Ok(limited.attach_retry_after(page.await?))
        }
        Err(AcceptError::Other(other)) => Err(other),
    }
}
