//! The signed-in user's own settings: password, sessions, further companies.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use koppel_core::validate_company;
use koppel_store::{accounts, tenants};
use serde::Deserialize;

use super::Layout;
use crate::accounts::SignupError;
use crate::auth::CurrentUser;
use crate::auth::session::expired_session_cookie;
use crate::error::AppResult;
use crate::forms::FieldErrors;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    layout: Layout,
    errors: FieldErrors,
    notice: Option<String>,
    session_count: i64,
    company: String,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    errors: FieldErrors,
    notice: Option<String>,
    company: String,
) -> AppResult<Response> {
    let page = AccountPage {
        layout: Layout::for_user(state, user, "Account settings", None).await?,
        errors,
        notice,
        session_count: accounts::count_sessions_of_user(&state.db, user.user_id).await?,
        company,
    };
    Ok((status, page).into_response())
}

pub async fn page(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    render(
        &state,
        &user,
        StatusCode::OK,
        FieldErrors::default(),
        None,
        String::new(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let result = crate::accounts::change_password(
        &state,
        user.user_id,
        &user.email,
        &form.current_password,
        &form.new_password,
        &form.confirm_password,
        user_agent,
    )
    .await;
    match result {
        Ok(signed_in) => {
            let notice = Some("Your password is changed. Every other session has been signed out.".to_owned());
            let user = CurrentUser {
                session_id: signed_in.session_id,
                ..user
            };
            let page = render(
                &state,
                &user,
                StatusCode::OK,
                FieldErrors::default(),
                notice,
                String::new(),
            )
            .await?;
            Ok((jar.add(signed_in.cookie), page).into_response())
        }
        Err(SignupError::Invalid(errors)) => {
            render(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                String::new(),
            )
            .await
        }
        Err(SignupError::Other(error)) => Err(error),
    }
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
) -> AppResult<Response> {
    accounts::delete_sessions_of_user(&state.db, user.user_id).await?;
    Ok((
        jar.add(expired_session_cookie(&state)),
        Redirect::to("/login?signed_out=1"),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct CompanyForm {
    #[serde(default)]
    company: String,
}

pub async fn add_company(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<CompanyForm>,
) -> AppResult<Response> {
    match validate_company(&form.company) {
        Ok(name) => match tenants::create_tenant(&state.db, user.user_id, &name, koppel_store::now()).await? {
            Ok(tenant) => Ok(Redirect::to(&format!("/t/{}", tenant.id)).into_response()),
            Err(too_many) => {
                let mut errors = FieldErrors::default();
                errors.add_message("company", format!("Not created: {too_many}."));
                render(&state, &user, StatusCode::TOO_MANY_REQUESTS, errors, None, form.company).await
            }
        },
        Err(error) => {
            let mut errors = FieldErrors::default();
            errors.add(error);
            render(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                form.company,
            )
            .await
        }
    }
}
