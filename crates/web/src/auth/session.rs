//! The signed-in user: read from the session cookie (pages) or a bearer token (API), both the same JWT.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, Utc};
use koppel_core::{SessionId, UserId};
use koppel_store::accounts;

use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "koppel_session";

/// A user with a live session. Extracting it fails with 401 (API) or a redirect to the sign-in page.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub email: String,
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = match bearer_token(&parts.headers) {
        Some(token) => token.to_owned(),
        None => match jar.get(SESSION_COOKIE) {
            Some(cookie) => cookie.value().to_owned(),
            None => return Ok(None),
        },
    };
    let Some(claims) = state.tokens.verify(&token) else {
        return Ok(None);
    };
    let now = koppel_store::now();
    if accounts::find_live_session(&state.db, claims.sid, claims.sub, now)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let Some(user) = accounts::find_user(&state.db, claims.sub).await? else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        user_id: user.id,
        session_id: claims.sid,
        email: user.email,
    }))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let user = resolve(parts, state).await?.ok_or(AppError::Unauthenticated)?;
        // Cached, so the tenant extractor in the same request does not query again.
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// A fresh session for `user_id`: the token, when it expires, and the cookie that carries it.
pub struct SignedIn {
    pub session_id: SessionId,
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub cookie: Cookie<'static>,
}

pub async fn sign_in(state: &AppState, user_id: UserId, user_agent: Option<&str>) -> Result<SignedIn, AppError> {
    let now = koppel_store::now();
    let ttl = chrono::Duration::from_std(state.config.session_ttl).map_err(anyhow::Error::from)?;
    let expires_at = now + ttl;
    let session = accounts::create_session(&state.db, user_id, now, expires_at, user_agent).await?;
    let token = state.tokens.issue(user_id, session.id, now, expires_at)?;
    let cookie = session_cookie(state, token.clone(), ttl);
    Ok(SignedIn {
        session_id: session.id,
        token,
        expires_at,
        cookie,
    })
}

fn session_cookie(state: &AppState, value: String, ttl: chrono::Duration) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.is_https())
        .path("/")
        .max_age(time_duration(ttl))
        .build()
}

/// The cookie that deletes the session cookie in the browser.
pub fn expired_session_cookie(state: &AppState) -> Cookie<'static> {
    session_cookie(state, String::new(), chrono::Duration::zero())
}

fn time_duration(d: chrono::Duration) -> time::Duration {
    time::Duration::seconds(d.num_seconds())
}

/// The client's address: the socket peer, or the last `X-Forwarded-For` hop behind a trusted proxy.
pub fn client_ip(parts: &Parts, behind_proxy: bool) -> IpAddr {
    let forwarded = behind_proxy
        .then(|| {
            parts
                .headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .flatten();
    forwarded
        .or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip())
        })
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// Extracts the client address (see [`client_ip`]).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state.config.behind_proxy)))
    }
}
