//! Accounts over JSON: sign-up, sessions (tokens), the signed-in user.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use koppel_core::{Role, TenantId, UserId};
use koppel_store::{accounts, tenants};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ErrorBody;
use crate::accounts::{
    ALREADY_REGISTERED, BAD_CREDENTIALS, ConfirmError, LINK_INVALID, LoginError, RESET_SENT, SIGNUP_SENT, SignupError,
    WRONG_SIGNUP_PASSWORD, confirm_signup, log_in, request_password_reset, sign_up,
};
use crate::auth::CurrentUser;
use crate::auth::session::ClientIp;
use crate::error::{AppError, AppResult};
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::TenantContext;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Sign in and get a bearer token.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 201, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody),
    ))]
pub async fn create_session(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(request): Json<LoginRequest>,
) -> AppResult<Response> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    match log_in(&state, ip, &request.email, &request.password, user_agent).await {
        Ok((_, signed_in)) => Ok((
            StatusCode::CREATED,
            Json(TokenResponse {
                token: signed_in.token,
                expires_at: signed_in.expires_at,
            }),
        )
            .into_response()),
        Err(LoginError::BadCredentials) => Ok((
            StatusCode::UNAUTHORIZED,
            Json(ErrorBody {
                error: "invalid_credentials".into(),
                message: BAD_CREDENTIALS.into(),
            }),
        )
            .into_response()),
        Err(LoginError::Other(error)) => Err(error),
    }
}

/// Sign out: the token stops working at once.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "accounts", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody)))]
pub async fn delete_current_session(State(state): State<AppState>, user: CurrentUser) -> AppResult<StatusCode> {
    accounts::delete_session(&state.db, user.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SignupRequest {
    pub email: String,
    pub password: String,
    /// The company's name; it becomes the tenant.
    pub company: String,
}

/// What every signup with valid input answers, registered address or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupAccepted {
    /// Always `confirmation_sent`.
    #[schema(example = "confirmation_sent")]
    pub status: &'static str,
    pub message: &'static str,
}

/// Field errors: `{"errors": {"password": ["Use at least 10 characters."]}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationErrorBody {
    #[schema(value_type = std::collections::HashMap<String, Vec<String>>)]
    pub errors: FieldErrors,
}

impl ValidationErrorBody {
    /// The 422 answer naming each field's problem.
    pub fn response(errors: FieldErrors) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, Json(ValidationErrorBody { errors })).into_response()
    }
}

/// Ask for an account and a company on a 14-day trial. The address gets an e-mail: a link to
/// `POST /api/v1/signup/confirm` (`/signup/confirm/{token}`), or, when it has an account already, a mail saying
/// so; the answer is the same either way.
#[utoipa::path(post, path = "/api/v1/signup", tag = "accounts", request_body = SignupRequest,
    responses(
        (status = 202, description = "An e-mail is on its way to the address", body = SignupAccepted),
        (status = 422, description = "Invalid input", body = ValidationErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(request): Json<SignupRequest>,
) -> AppResult<Response> {
    match sign_up(&state, ip, &request.email, &request.password, &request.company).await {
        Ok(()) => Ok((
            StatusCode::ACCEPTED,
            Json(SignupAccepted {
                status: "confirmation_sent",
                message: SIGNUP_SENT,
            }),
        )
            .into_response()),
        Err(SignupError::Invalid(errors)) => Ok(ValidationErrorBody::response(errors)),
        Err(SignupError::Other(error)) => Err(error),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    pub email: String,
}

/// What every password-reset request with a well-formed address answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetAccepted {
    /// Always `reset_sent`.
    #[schema(example = "reset_sent")]
    pub status: &'static str,
    pub message: &'static str,
}

/// "Forgot password": the account with this address (if any) is mailed a single-use link to
/// `/password/reset/{token}`, valid one hour; the answer is the same whether or not the address has an account.
#[utoipa::path(post, path = "/api/v1/password-resets", tag = "accounts", request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the address has an account, a link is on its way", body = PasswordResetAccepted),
        (status = 422, description = "Not an e-mail address", body = ValidationErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn password_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(request): Json<PasswordResetRequest>,
) -> AppResult<Response> {
    match request_password_reset(&state, ip, &request.email).await {
        Ok(()) => Ok((
            StatusCode::ACCEPTED,
            Json(PasswordResetAccepted {
                status: "reset_sent",
                message: RESET_SENT,
            }),
        )
            .into_response()),
        Err(SignupError::Invalid(errors)) => Ok(ValidationErrorBody::response(errors)),
        Err(SignupError::Other(error)) => Err(error),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmSignupRequest {
    /// The token from the e-mailed link (`/signup/confirm/{token}`).
    pub token: String,
    /// The password chosen at signup.
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    #[schema(value_type = String, format = Uuid)]
    pub tenant_id: TenantId,
    pub trial_ends_at: DateTime<Utc>,
    /// A bearer token of the session the confirmation opened.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Confirm a signup: creates the account and its company on a 14-day trial and signs in.
#[utoipa::path(post, path = "/api/v1/signup/confirm", tag = "accounts", request_body = ConfirmSignupRequest,
    responses(
        (status = 201, description = "Account and company created; signed in", body = SignupResponse),
        (status = 409, description = "The address has an account now (`already_registered`)", body = ErrorBody),
        (status = 410, description = "The link expired or was used (`link_expired`)", body = ErrorBody),
        (status = 422, description = "Not the password chosen at signup", body = ValidationErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub async fn confirm_signup_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(request): Json<ConfirmSignupRequest>,
) -> AppResult<Response> {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let refused = ErrorBody::response;
    match confirm_signup(&state, ip, &request.token, &request.password, user_agent).await {
        Ok((signup, signed_in)) => Ok((
            StatusCode::CREATED,
            Json(SignupResponse {
                user_id: signup.user_id,
                tenant_id: signup.tenant_id,
                trial_ends_at: signup.trial_ends_at,
                token: signed_in.token,
                expires_at: signed_in.expires_at,
            }),
        )
            .into_response()),
        Err(ConfirmError::WrongPassword) => {
            let mut errors = FieldErrors::default();
            errors.add_message("password", WRONG_SIGNUP_PASSWORD);
            Ok(ValidationErrorBody::response(errors))
        }
        Err(ConfirmError::LinkInvalid) => Ok(refused(StatusCode::GONE, "link_expired", LINK_INVALID)),
        Err(ConfirmError::AlreadyRegistered) => {
            Ok(refused(StatusCode::CONFLICT, "already_registered", ALREADY_REGISTERED))
        }
        Err(ConfirmError::Other(error)) => Err(error),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantMembership {
    #[schema(value_type = String, format = Uuid)]
    pub tenant_id: TenantId,
    pub name: String,
    #[schema(value_type = String, example = "owner")]
    pub role: Role,
    pub trial_ends_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    pub email: String,
    pub tenants: Vec<TenantMembership>,
}

/// The signed-in user and the companies they belong to.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<MeResponse>> {
    let tenants = tenants::memberships_of(&state.db, user.user_id)
        .await?
        .into_iter()
        .map(|m| TenantMembership {
            tenant_id: m.tenant_id,
            name: m.name,
            role: m.role,
            trial_ends_at: m.trial_ends_at,
        })
        .collect();
    Ok(Json(MeResponse {
        user_id: user.user_id,
        email: user.email,
        tenants,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantResponse {
    #[schema(value_type = String, format = Uuid)]
    pub tenant_id: TenantId,
    pub name: String,
    #[schema(value_type = String, example = "owner")]
    pub role: Role,
    pub trial_ends_at: DateTime<Utc>,
    pub trial_days_left: i64,
}

/// One company the user belongs to; another company's id answers 404.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant_id}", tag = "accounts", security(("bearer" = [])),
    params(("tenant_id" = String, Path, description = "The company's id")),
    responses((status = 200, body = TenantResponse), (status = 404, body = ErrorBody)))]
pub async fn tenant(State(state): State<AppState>, ctx: TenantContext) -> AppResult<Json<TenantResponse>> {
    let tenant = tenants::tenant(&state.db, &ctx.scope).await.map_err(AppError::from)?;
    Ok(Json(TenantResponse {
        tenant_id: tenant.id,
        trial_days_left: tenant.trial_days_left(koppel_store::now()),
        name: tenant.name,
        role: ctx.scope.role(),
        trial_ends_at: tenant.trial_ends_at,
    }))
}
