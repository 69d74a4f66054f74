//! Signup, sign-in, password changes and resets: the rules both the pages and the JSON API go through.

use std::net::IpAddr;

use koppel_core::{Email, UserId, validate_company, validate_new_password};
use koppel_store::StoreError;
use koppel_store::accounts::{self, Signup};
use koppel_store::alerts;
use koppel_store::password_resets;
use koppel_store::signup_requests::{self, SignupRequest};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::session::SignedIn;
use crate::auth::{password, sign_in};
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;

pub const BAD_CREDENTIALS: &str = "The e-mail address or password is not correct.";
/// What every signup with valid input is told, whether or not the address has an account.
pub const SIGNUP_SENT: &str = "We sent an e-mail to the address you gave. Open the link in it to confirm the \
    address and open your company; it works for 48 hours.";
pub const LINK_INVALID: &str = "This link has expired or was used already. Sign in, or sign up again for a new link.";
pub const ALREADY_REGISTERED: &str = "This address has a Koppel account now. Sign in instead.";
pub const WRONG_SIGNUP_PASSWORD: &str = "This is not the password you chose when you signed up.";

/// How long a signup's link works.
const SIGNUP_LINK_HOURS: i64 = 48;

#[derive(Debug)]
pub enum SignupError {
    Invalid(FieldErrors),
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for SignupError {
    fn from(error: E) -> Self {
        SignupError::Other(error.into())
    }
}

/// A signup: with valid input, mails the address a link to confirm it and open the company (created only then,
/// see [`confirm_signup`]), or, when the address has an account, a mail saying so. The caller gets the same
/// answer after the same steps (the password is hashed either way; the mail is made after the answer), so a
/// signup tells nobody whether an address is registered.
pub async fn sign_up(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    password: &str,
    company: &str,
) -> Result<(), SignupError> {
    state.limiters.signup(ip, email).map_err(AppError::RateLimited)?;
    let mut errors = FieldErrors::default();
    let email = errors.check(Email::parse(email));
    errors.check(validate_new_password(password, email.as_ref().map(Email::as_str)));
    let company = errors.check(validate_company(company));
    let (Some(email), Some(company), true) = (email, company, errors.is_empty()) else {
        return Err(SignupError::Invalid(errors));
    };
    let hash = password::hash(password.to_owned()).await?;
    // Everything that depends on whether the address has an account happens after the answer, so that
    // neither its content nor its timing tells (a new address costs two writes, a registered one one).
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = mail_signup(&state, &email, &hash, &company).await {
            tracing::error!(%error, "mailing a signup's link failed");
        }
    });
    Ok(())
}

/// The mail a signup sends: a link that opens the account (a new address), or word that the address has one.
async fn mail_signup(state: &AppState, email: &Email, hash: &str, company: &str) -> Result<(), StoreError> {
    let now_ms = koppel_store::now().timestamp_millis();
    if accounts::find_user_by_email(&state.db, email).await?.is_some() {
        let body = format!(
            "Someone, perhaps you, just tried to sign up for Koppel with this address ({address}). It already \
             has a Koppel account, so no new one was made.\n\nSign in: {{base_url}}/login\n\nIf it was not you, \
             you need not do anything: your account is unchanged.\n",
            address = email.as_str()
        );
        let subject = "You already have a Koppel account";
        alerts::enqueue_account_mail(&state.db, email.as_str(), subject, &body, now_ms).await?;
        tracing::info!("signup for a registered address: told its owner");
    } else {
        let token = new_token();
        let expires_at_ms = now_ms + SIGNUP_LINK_HOURS * 3_600_000;
        let token_hash = token_hash(&token);
        signup_requests::insert(&state.db, &token_hash, email, hash, company, now_ms, expires_at_ms).await?;
        let body = format!(
            "Welcome to Koppel. To confirm this address and open {company}, follow this link within \
             {SIGNUP_LINK_HOURS} hours and give the password you chose:\n\n{{base_url}}/signup/confirm/{token}\n\n\
             If you did not sign up for Koppel, ignore this e-mail: nothing is made without the link.\n"
        );
        let subject = "Confirm your e-mail address for Koppel";
        alerts::enqueue_account_mail(&state.db, email.as_str(), subject, &body, now_ms).await?;
        metrics::counter!("koppel_signup_requests_total").increment(1);
    }
    koppel_jobs::alerts::deliver_soon();
    Ok(())
}

#[derive(Debug)]
pub enum ConfirmError {
    /// Unknown, used or expired.
    LinkInvalid,
    WrongPassword,
    /// The address got an account after this link was sent (another link of it was used).
    AlreadyRegistered,
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for ConfirmError {
    fn from(error: E) -> Self {
        ConfirmError::Other(error.into())
    }
}

/// The signup behind a link: its address and company, while the link works.
pub async fn signup_request(state: &AppState, token: &str) -> Result<Option<SignupRequest>, AppError> {
    let now_ms = koppel_store::now().timestamp_millis();
    Ok(signup_requests::find_open(&state.db, &token_hash(token), now_ms).await?)
}

/// Opens the account a signup asked for: with the link's token and the password chosen at signup (the link
/// alone is not enough, so a link that reached someone else, or a signup someone else made with this address,
/// opens nothing), creates the user, the company on its 14-day trial and the owner membership, and signs in.
pub async fn confirm_signup(
    state: &AppState,
    ip: IpAddr,
    token: &str,
    password: &str,
    user_agent: Option<&str>,
) -> Result<(Signup, SignedIn), ConfirmError> {
    state.limiters.link(ip).map_err(AppError::RateLimited)?;
    let Some(request) = signup_request(state, token).await? else {
        return Err(ConfirmError::LinkInvalid);
    };
    if !password::verify(password.to_owned(), Some(request.password_hash.clone())).await {
        return Err(ConfirmError::WrongPassword);
    }
    let email = Email::parse(&request.email).map_err(|_| ConfirmError::LinkInvalid)?;
    let now = koppel_store::now();
    let created = accounts::sign_up(&state.db, &email, &request.password_hash, &request.company, now).await;
    signup_requests::mark_used(&state.db, &token_hash(token), now.timestamp_millis()).await?;
    let signup = match created {
        Ok(signup) => signup,
        Err(StoreError::Conflict) => return Err(ConfirmError::AlreadyRegistered),
        Err(other) => return Err(other.into()),
    };
    metrics::counter!("koppel_signups_total").increment(1);
    tracing::info!(user_id = %signup.user_id, tenant_id = %signup.tenant_id, "signed up");
    let signed_in = sign_in(state, signup.user_id, user_agent).await?;
    Ok((signup, signed_in))
}

pub const RESET_SENT: &str = "If this address has a Koppel account, we sent it a link to choose a new password; it \
    works for one hour.";

/// How long a "forgot password" link works.
const RESET_LINK_MINUTES: i64 = 60;

/// "Forgot password": mails the account with this address a single-use link to choose a new password. The
/// caller gets the same answer whether or not the address has an account; a malformed address is a field error.
pub async fn request_password_reset(state: &AppState, ip: IpAddr, email: &str) -> Result<(), SignupError> {
    state.limiters.login(ip, email).map_err(AppError::RateLimited)?;
    let mut errors = FieldErrors::default();
    let Some(email) = errors.check(Email::parse(email)) else {
        return Err(SignupError::Invalid(errors));
    };
    if let Some(user) = accounts::find_user_by_email(&state.db, &email).await? {
        // Written after the answer, so that an address with an account is not told apart by a slower one.
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(error) = mail_reset_link(&state, &user).await {
                tracing::error!(user_id = %user.id, %error, "mailing a password reset link failed");
            }
        });
    }
    Ok(())
}

async fn mail_reset_link(state: &AppState, user: &accounts::User) -> Result<(), StoreError> {
    let token = new_token();
    let now_ms = koppel_store::now().timestamp_millis();
    let expires_at_ms = now_ms + RESET_LINK_MINUTES * 60_000;
    password_resets::insert(&state.db, &token_hash(&token), user.id, now_ms, expires_at_ms).await?;
    let body = format!(
        "Someone, perhaps you, asked to reset the password of your Koppel account ({address}). To choose a new \
         one, follow this link within {RESET_LINK_MINUTES} minutes:\n\n{{base_url}}/password/reset/{token}\n\n\
         Choosing a new password signs you out everywhere else. If you did not ask, ignore this e-mail: your \
         password stays as it is.\n",
        address = user.email
    );
    alerts::enqueue_account_mail(&state.db, &user.email, "Reset your Koppel password", &body, now_ms).await?;
    koppel_jobs::alerts::deliver_soon();
    tracing::info!(user_id = %user.id, "password reset link mailed");
    Ok(())
}

/// Whether a "forgot password" link still works.
pub async fn reset_link_works(state: &AppState, token: &str) -> Result<bool, AppError> {
    let now_ms = koppel_store::now().timestamp_millis();
    Ok(password_resets::find_open(&state.db, &token_hash(token), now_ms)
        .await?
        .is_some())
}

#[derive(Debug)]
pub enum ResetError {
    LinkInvalid,
    Invalid(FieldErrors),
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for ResetError {
    fn from(error: E) -> Self {
        ResetError::Other(error.into())
    }
}

/// Sets the new password a "forgot password" link was used for: every session of the account ends and this
/// browser is signed in.
pub async fn reset_password(
    state: &AppState,
    ip: IpAddr,
    token: &str,
    new: &str,
    confirm: &str,
    user_agent: Option<&str>,
) -> Result<SignedIn, ResetError> {
    state.limiters.link(ip).map_err(AppError::RateLimited)?;
    let now_ms = koppel_store::now().timestamp_millis();
    let Some(user_id) = password_resets::find_open(&state.db, &token_hash(token), now_ms).await? else {
        return Err(ResetError::LinkInvalid);
    };
    let user = accounts::find_user(&state.db, user_id)
        .await?
        .ok_or(ResetError::LinkInvalid)?;
    let mut errors = FieldErrors::default();
    if let Err(mut e) = validate_new_password(new, Some(&user.email)) {
        e.field = "new_password";
        errors.add(e);
    } else if new != confirm {
        errors.add_message("confirm_password", "The two new passwords differ.");
    }
    if !errors.is_empty() {
        return Err(ResetError::Invalid(errors));
    }
    let hash = password::hash(new.to_owned()).await?;
    // Taken only now, once: a second use of the link (or one at the same moment) finds it used.
    if password_resets::take(&state.db, &token_hash(token), now_ms)
        .await?
        .is_none()
    {
        return Err(ResetError::LinkInvalid);
    }
    accounts::change_password(&state.db, user_id, &hash, koppel_store::now()).await?;
    tracing::info!(%user_id, "password reset; all sessions revoked");
    Ok(sign_in(state, user_id, user_agent).await?)
}

/// A link's secret: a version-4 UUID's 122 random bits as 32 hex digits (unguessable for a single-use link of 48
/// hours, and short enough that the link stays on one line of a plain-text mail).
pub(crate) fn new_token() -> String {
    Uuid::new_v4().simple().to_string()
}

/// What the database keeps of a token: its SHA-256, so a copy of the database opens no signup.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
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
