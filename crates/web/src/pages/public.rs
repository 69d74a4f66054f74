//! Pages anyone can open: landing, signup, sign-in; and sign-out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use koppel_store::accounts;
use koppel_store::signup_requests::SignupRequest;
use serde::Deserialize;

use super::{Layout, safe_next};
use crate::accounts::{
    ALREADY_REGISTERED, BAD_CREDENTIALS, ConfirmError, LINK_INVALID, LoginError, SIGNUP_SENT, SignupError,
    WRONG_SIGNUP_PASSWORD, confirm_signup, log_in, sign_up, signup_request,
};
use crate::auth::CurrentUser;
use crate::auth::session::{ClientIp, expired_session_cookie};
use crate::error::{AppError, AppResult};
use crate::forms::FieldErrors;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "landing.html")]
pub struct LandingPage {
    layout: Layout,
}

pub async fn landing(user: Option<CurrentUser>) -> LandingPage {
    let mut layout = Layout::anonymous("MplusKASSA and AFAS Profit, linked");
    layout.user_email = user.map(|u| u.email);
    LandingPage { layout }
}

#[derive(Template, WebTemplate)]
#[template(path = "signup.html")]
pub struct SignupPage {
    layout: Layout,
    email: String,
    company: String,
    errors: FieldErrors,
    form_error: Option<String>,
}

impl SignupPage {
    fn new(email: String, company: String, errors: FieldErrors, form_error: Option<String>) -> Self {
        Self {
            layout: Layout::anonymous("Start your free trial"),
            email,
            company,
            errors,
            form_error,
        }
    }
}

pub async fn signup_page() -> SignupPage {
    SignupPage::new(String::new(), String::new(), FieldErrors::default(), None)
}

/// Every field defaults to empty, so a form with a field missing gets per-field messages, not a 422 text.
#[derive(Debug, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    company: String,
}

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok())
}

pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<SignupForm>,
) -> AppResult<Response> {
    let rerender = |status, errors, form_error| {
        (
            status,
            SignupPage::new(form.email.clone(), form.company.clone(), errors, form_error),
        )
            .into_response()
    };
    match sign_up(&state, ip, &form.email, &form.password, &form.company).await {
        Ok(()) => Ok(Redirect::to("/signup/sent").into_response()),
        Err(SignupError::Invalid(errors)) => Ok(rerender(StatusCode::UNPROCESSABLE_ENTITY, errors, None)),
        Err(SignupError::Other(AppError::RateLimited(limited))) => Ok(limited.attach_retry_after(rerender(
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::default(),
            Some(limited.message()),
        ))),
        Err(SignupError::Other(other)) => Err(other),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signup_sent.html")]
pub struct SignupSentPage {
    layout: Layout,
    message: &'static str,
}

/// What every signup with valid input sees next, registered address or not.
pub async fn signup_sent() -> SignupSentPage {
    SignupSentPage {
        layout: Layout::anonymous("Check your inbox"),
        message: SIGNUP_SENT,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signup_confirm.html")]
pub struct SignupConfirmPage {
    layout: Layout,
    token: String,
    /// `None` when the link no longer works.
    request: Option<SignupRequest>,
    errors: FieldErrors,
    form_error: Option<String>,
}

impl SignupConfirmPage {
    fn new(token: String, request: Option<SignupRequest>, errors: FieldErrors, form_error: Option<String>) -> Self {
        Self {
            layout: Layout::anonymous("Confirm your e-mail address"),
            token,
            request,
            errors,
            form_error,
        }
    }
}

/// The page a signup's link opens: it asks for the password (opening the link alone changes nothing, so a mail
/// scanner that follows it does no harm).
pub async fn signup_confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let request = signup_request(&state, &token).await?;
    let status = if request.is_some() {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let page = SignupConfirmPage::new(token, request, FieldErrors::default(), None);
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    password: String,
}

pub async fn signup_confirm(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let refuse = |status, request, errors, form_error: Option<String>| {
        (
            status,
            SignupConfirmPage::new(token.clone(), request, errors, form_error),
        )
            .into_response()
    };
    match confirm_signup(&state, ip, &token, &form.password, user_agent(&headers)).await {
        Ok((signup, signed_in)) => {
            let target = format!("/t/{}", signup.tenant_id);
            Ok((jar.add(signed_in.cookie), Redirect::to(&target)).into_response())
        }
        Err(ConfirmError::WrongPassword) => {
            let mut errors = FieldErrors::default();
            errors.add_message("password", WRONG_SIGNUP_PASSWORD);
            let request = signup_request(&state, &token).await?;
            Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, request, errors, None))
        }
        Err(ConfirmError::LinkInvalid) => Ok(refuse(
            StatusCode::GONE,
            None,
            FieldErrors::default(),
            Some(LINK_INVALID.to_owned()),
        )),
        Err(ConfirmError::AlreadyRegistered) => Ok(refuse(
            StatusCode::CONFLICT,
            None,
            FieldErrors::default(),
            Some(ALREADY_REGISTERED.to_owned()),
        )),
        Err(ConfirmError::Other(AppError::RateLimited(limited))) => {
            let request = signup_request(&state, &token).await?;
            let page = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                request,
                FieldErrors::default(),
                Some(limited.message()),
            );
            Ok(limited.attach_retry_after(page))
        }
        Err(ConfirmError::Other(other)) => Err(other),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    errors: FieldErrors,
    form_error: Option<String>,
    notice: Option<String>,
}

impl LoginPage {
    fn new(email: String, next: String, form_error: Option<String>, notice: Option<String>) -> Self {
        Self {
            layout: Layout::anonymous("Sign in"),
            email,
            next,
            errors: FieldErrors::default(),
            form_error,
            notice,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    signed_out: Option<String>,
}

pub async fn login_page(Query(query): Query<LoginQuery>) -> LoginPage {
    let notice = query.signed_out.map(|_| "You are signed out.".to_owned());
    LoginPage::new(String::new(), query.next, None, notice)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let refuse = |status, message: String| {
        (
            status,
            LoginPage::new(form.email.clone(), form.next.clone(), Some(message), None),
        )
            .into_response()
    };
    match log_in(&state, ip, &form.email, &form.password, user_agent(&headers)).await {
        Ok((_, signed_in)) => {
            let target = safe_next(&form.next).unwrap_or("/app").to_owned();
            Ok((jar.add(signed_in.cookie), Redirect::to(&target)).into_response())
        }
        Err(LoginError::BadCredentials) => Ok(refuse(StatusCode::UNAUTHORIZED, BAD_CREDENTIALS.to_owned())),
        Err(LoginError::Other(AppError::RateLimited(limited))) => {
            Ok(limited.attach_retry_after(refuse(StatusCode::TOO_MANY_REQUESTS, limited.message())))
        }
        Err(LoginError::Other(other)) => Err(other),
    }
}

/// Ends this session (server side too, so a copied cookie stops working).
pub async fn logout(State(state): State<AppState>, user: Option<CurrentUser>, jar: CookieJar) -> AppResult<Response> {
    if let Some(user) = user {
        accounts::delete_session(&state.db, user.session_id).await?;
    }
    Ok((
        jar.add(expired_session_cookie(&state)),
        Redirect::to("/login?signed_out=1"),
    )
        .into_response())
}
