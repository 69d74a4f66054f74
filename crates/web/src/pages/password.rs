//! "Forgot password": asking for a link (`/password/forgot`) and choosing a new password with it
//! (`/password/reset/{token}`). The rules are in [`crate::accounts`].

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::Layout;
use crate::accounts::{RESET_SENT, ResetError, SignupError, request_password_reset, reset_link_works, reset_password};
use crate::auth::session::ClientIp;
use crate::error::{AppError, AppResult};
use crate::forms::FieldErrors;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "password_forgot.html")]
pub struct ForgotPage {
    layout: Layout,
    email: String,
    errors: FieldErrors,
    form_error: Option<String>,
    notice: Option<String>,
}

impl ForgotPage {
    fn new(email: String, errors: FieldErrors, form_error: Option<String>, notice: Option<String>) -> Self {
        Self {
            layout: Layout::anonymous("Forgot your password?"),
            email,
            errors,
            form_error,
            notice,
        }
    }
}

pub async fn forgot_page() -> ForgotPage {
    ForgotPage::new(String::new(), FieldErrors::default(), None, None)
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let page = |status, errors, form_error, notice| {
        (status, ForgotPage::new(form.email.clone(), errors, form_error, notice)).into_response()
    };
    match request_password_reset(&state, ip, &form.email).await {
        Ok(()) => Ok(page(
            StatusCode::OK,
            FieldErrors::default(),
            None,
            Some(RESET_SENT.to_owned()),
        )),
        Err(SignupError::Invalid(errors)) => Ok(page(StatusCode::UNPROCESSABLE_ENTITY, errors, None, None)),
        Err(SignupError::Other(AppError::RateLimited(limited))) => Ok(limited.attach_retry_after(page(
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::default(),
            Some(limited.message()),
            None,
        ))),
        Err(SignupError::Other(other)) => Err(other),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "password_reset.html")]
pub struct ResetPage {
    layout: Layout,
    token: String,
    works: bool,
    errors: FieldErrors,
    form_error: Option<String>,
}

impl ResetPage {
    fn new(token: String, works: bool, errors: FieldErrors, form_error: Option<String>) -> Self {
        Self {
            layout: Layout::anonymous("Choose a new password"),
            token,
            works,
            errors,
            form_error,
        }
    }
}

pub async fn reset_page(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let works = reset_link_works(&state, &token).await?;
    let status = if works { StatusCode::OK } else { StatusCode::GONE };
    Ok((status, ResetPage::new(token, works, FieldErrors::default(), None)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let page = |status, works, errors, form_error| {
        (status, ResetPage::new(token.clone(), works, errors, form_error)).into_response()
    };
    match reset_password(
        &state,
        ip,
        &token,
        &form.new_password,
        &form.confirm_password,
        user_agent,
    )
    .await
    {
        Ok(signed_in) => Ok((jar.add(signed_in.cookie), axum::response::Redirect::to("/app")).into_response()),
        Err(ResetError::Invalid(errors)) => Ok(page(StatusCode::UNPROCESSABLE_ENTITY, true, errors, None)),
        Err(ResetError::LinkInvalid) => Ok(page(StatusCode::GONE, false, FieldErrors::default(), None)),
        Err(ResetError::Other(AppError::RateLimited(limited))) => {
            let refused = page(
                StatusCode::TOO_MANY_REQUESTS,
                true,
                FieldErrors::default(),
                Some(limited.message()),
            );
            Ok(limited.attach_retry_after(refused))
        }
        Err(ResetError::Other(other)) => Err(other),
    }
}
