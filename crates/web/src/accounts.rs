//! Signup, sign-in and password changes: the rules both the pages and the JSON API go through.

use std::net::IpAddr;

use koppel_core::{Email, UserId, validate_company, validate_new_password};
use koppel_store::StoreError;
use koppel_store::accounts::{self, Signup};

use crate::auth::session::SignedIn;
use crate::auth::{password, sign_in};
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;

pub const EMAIL_TAKEN: &str = "An account with this e-mail address already exists. Sign in instead.";
pub const BAD_CREDENTIALS: &str = "The e-mail address or password is not correct.";

#[derive(Debug)]
pub enum SignupError {
    Invalid(FieldErrors),
    EmailTaken(FieldErrors),
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for SignupError {
    fn from(error: E) -> Self {
        SignupError::Other(error.into())
    }
}

/// Creates the user, their company (a tenant on a 14-day trial) and the owner membership.
pub async fn sign_up(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    password: &str,
    company: &str,
) -> Result<Signup, SignupError> {
    state.limiters.signup(ip, email).map_err(AppError::RateLimited)?;
    let mut errors = FieldErrors::default();
    let email = errors.check(Email::parse(email));
    errors.check(validate_new_password(password, email.as_ref().map(Email::as_str)));
    let company = errors.check(validate_company(company));
    let (Some(email), Some(company), true) = (email, company, errors.is_empty()) else {
        return Err(SignupError::Invalid(errors));
    };
    let hash = password::hash(password.to_owned()).await?;
    match accounts::sign_up(&state.db, &email, &hash, &company, koppel_store::now()).await {
        Ok(signup) => {
            metrics::counter!("koppel_signups_total").increment(1);
            tracing::info!(user_id = %signup.user_id, tenant_id = %signup.tenant_id, "signed up");
            Ok(signup)
        }
        Err(StoreError::Conflict) => {
            let mut errors = FieldErrors::default();
            errors.add_message("email", EMAIL_TAKEN);
            Err(SignupError::EmailTaken(errors))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug)]
pub enum LoginError {
    BadCredentials,
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for LoginError {
    fn from(error: E) -> Self {
        LoginError::Other(error.into())
    }
}

/// Checks the credentials and opens a session.
pub async fn log_in(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    password: &str,
    user_agent: Option<&str>,
) -> Result<(UserId, SignedIn), LoginError> {
    state.limiters.login(ip, email).map_err(AppError::RateLimited)?;
    let user = match Email::parse(email) {
        Ok(email) => accounts::find_user_by_email(&state.db, &email).await?,
        Err(_) => None,
    };
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    if !password::verify(password.to_owned(), stored_hash).await {
        metrics::counter!("koppel_logins_total", "outcome" => "refused").increment(1);
        return Err(LoginError::BadCredentials);
    }
    let user = user.expect("verified against a stored hash");
    let signed_in = sign_in(state, user.id, user_agent).await?;
    metrics::counter!("koppel_logins_total", "outcome" => "ok").increment(1);
    Ok((user.id, signed_in))
}

/// Changes the password after checking the current one; every session of the user ends, and a new one
/// is opened for the browser that made the change.
pub async fn change_password(
    state: &AppState,
    user_id: UserId,
    email: &str,
    current: &str,
    new: &str,
    confirm: &str,
    user_agent: Option<&str>,
) -> Result<SignedIn, SignupError> {
    let mut errors = FieldErrors::default();
    let user = accounts::find_user(&state.db, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !password::verify(current.to_owned(), Some(user.password_hash)).await {
        errors.add_message("current_password", "This is not your current password.");
    }
    if let Err(mut e) = validate_new_password(new, Some(email)) {
        e.field = "new_password";
        errors.add(e);
    } else if new != confirm {
        errors.add_message("confirm_password", "The two new passwords differ.");
    }
    if !errors.is_empty() {
        return Err(SignupError::Invalid(errors));
    }
    let hash = password::hash(new.to_owned()).await?;
    accounts::change_password(&state.db, user_id, &hash, koppel_store::now()).await?;
    tracing::info!(%user_id, "password changed; all sessions revoked");
    Ok(sign_in(state, user_id, user_agent).await?)
}
