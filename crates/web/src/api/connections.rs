//! The tenant's connections to MplusKASSA and AFAS over JSON: store credentials (sealed), answer with the
//! connection test, list them without secrets. The wizard's connect steps use the same functions, so pages
//! and API validate and test alike.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use koppel_jobs::credentials::{self, AfasCredentials, ConnectionSummary, ConnectionTest, MplusCredentials};
use koppel_store::audit;
use koppel_store::connections::System;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ErrorBody;
use super::accounts::ValidationErrorBody;
use crate::error::{AppError, AppResult};
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::{ApiTenant, TenantContext};

/// `PUT /api/v1/connections/mplus`. An empty or missing `secret` keeps the stored one.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MplusInput {
    /// The API address with its port, e.g. `https://api.mpluskassa.nl:34567`.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub ident: String,
    #[serde(default)]
    pub secret: Option<String>,
}

/// `PUT /api/v1/connections/afas`. An empty or missing `token` keeps the stored one.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AfasInput {
    /// The environment number, e.g. `12345` (an `O12345AA`-style name is accepted too).
    #[serde(default)]
    pub environment: String,
    /// `production`, `test` or `accept`.
    #[serde(default)]
    pub environment_type: String,
    /// The App connector token: the full XML or its data part.
    #[serde(default)]
    pub token: Option<String>,
    /// Overrides the environment's base URL (the sandbox, a proxy).
    #[serde(default)]
    pub url: Option<String>,
}

/// The outcome of a connection test.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestBody {
    pub ok: bool,
    /// In plain words, e.g. "Connected to MplusKASSA API 67.1.3." or "Wrong ident or secret."
    pub message: String,
    /// The API or Profit version, GetConnectors present and missing, the address to allow.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<ConnectionTest> for TestBody {
    fn from(test: ConnectionTest) -> Self {
        Self {
            ok: test.ok,
            message: test.message,
            details: test.details,
        }
    }
}

/// A stored connection, never with its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionBody {
    /// `mplus` or `afas`.
    pub system: String,
    /// The plain settings: `url` and `ident`, or `environment`, `environment_type` and `url`.
    #[schema(value_type = Object)]
    pub config: serde_json::Value,
    /// Always true for a stored connection: a secret is stored (it is never shown).
    pub secret_stored: bool,
    pub test: TestBody,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Both connections; `null` for one never set up.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionsBody {
    pub mplus: Option<ConnectionBody>,
    pub afas: Option<ConnectionBody>,
}

fn connection_body(system: System, summary: ConnectionSummary) -> ConnectionBody {
    ConnectionBody {
        system: system.as_str().to_owned(),
        config: summary.config,
        secret_stored: true,
        test: summary.test.into(),
        updated_at: chrono::DateTime::from_timestamp_millis(summary.updated_at_ms),
    }
}

fn internal(error: credentials::CredentialsError) -> AppError {
    AppError::Internal(anyhow::Error::from(error))
}

/// Both stored connections, without secrets.
pub async fn summaries(state: &AppState, ctx: &TenantContext) -> AppResult<ConnectionsBody> {
    let mplus = credentials::summary(&state.db, &ctx.scope, System::Mplus)
        .await
        .map_err(internal)?;
    let afas = credentials::summary(&state.db, &ctx.scope, System::Afas)
        .await
        .map_err(internal)?;
    Ok(ConnectionsBody {
        mplus: mplus.map(|s| connection_body(System::Mplus, s)),
        afas: afas.map(|s| connection_body(System::Afas, s)),
    })
}

/// An http(s) URL with a host that the outbound policy lets Koppel call (in production: https to a public
/// address), trimmed and without a trailing slash.
fn check_url(value: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    let Some(rest) = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://")) else {
        return Err(
            "Enter the address starting with https:// (or http://), e.g. https://api.mpluskassa.nl:34567.".to_owned(),
        );
    };
    let host_port = rest.split('/').next().unwrap_or_default();
    if host_port.is_empty() || host_port.contains(char::is_whitespace) {
        return Err("Enter the address with its host name, e.g. https://api.mpluskassa.nl:34567.".to_owned());
    }
    if let Some((_, port)) = host_port.rsplit_once(':')
        && !host_port.ends_with(']')
        && port.parse::<u16>().map_or(true, |p| p == 0)
    {
        return Err("The port must be a number between 1 and 65535.".to_owned());
    }
    koppel_outbound::current()
        .check_url(value)
        .map_err(|refusal| format!("This address cannot be used: {refusal}."))?;
    Ok(value.to_owned())
}

/// Checks the MplusKASSA input; a missing secret is taken from `stored`.
pub fn validate_mplus(input: &MplusInput, stored: Option<&MplusCredentials>) -> Result<MplusCredentials, FieldErrors> {
    let mut errors = FieldErrors::default();
    let url = match check_url(&input.url) {
        Ok(url) => url,
        Err(message) => {
            errors.add_message("url", message);
            String::new()
        }
    };
    let ident = input.ident.trim().to_owned();
    if ident.is_empty() {
        errors.add_message("ident", "Enter the ident MplusKASSA gave you.");
    }
    let secret = match input.secret.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(secret) => secret.to_owned(),
        None => match stored {
            Some(stored) => stored.secret.clone(),
            None => {
                errors.add_message("secret", "Enter the secret MplusKASSA gave you.");
                String::new()
            }
        },
    };
    if errors.is_empty() {
        Ok(MplusCredentials { url, ident, secret })
    } else {
        Err(errors)
    }
}

/// The environment number of `12345`, `O12345AA`, `T12345AA` or `A12345AA`.
fn environment_number(value: &str) -> Option<String> {
    let value = value.trim();
    let digits = match value.chars().next() {
        Some('O' | 'T' | 'A' | 'o' | 't' | 'a') => value[1..].trim_end_matches(|c: char| c.is_ascii_alphabetic()),
        _ => value,
    };
    (!digits.is_empty() && digits.len() <= 10 && digits.chars().all(|c| c.is_ascii_digit())).then(|| digits.to_owned())
}

/// The full `<token><version>1</version><data>…</data></token>` XML, or a data part of letters and digits.
fn token_looks_valid(token: &str) -> bool {
    let data = if token.starts_with('<') {
        match token
            .split_once("<data>")
            .and_then(|(_, rest)| rest.split_once("</data>"))
        {
            Some((data, _)) => data.trim(),
            None => return false,
        }
    } else {
        token
    };
    data.len() >= 16 && data.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Checks the AFAS input; a missing token is taken from `stored`.
pub fn validate_afas(input: &AfasInput, stored: Option<&AfasCredentials>) -> Result<AfasCredentials, FieldErrors> {
    let mut errors = FieldErrors::default();
    let environment = environment_number(&input.environment).unwrap_or_else(|| {
        errors.add_message(
            "environment",
            "Enter the environment number: the digits, e.g. 12345 (from O12345AA).",
        );
        String::new()
    });
    let environment_type = input.environment_type.trim().to_ascii_lowercase();
    if !["production", "test", "accept"].contains(&environment_type.as_str()) {
        errors.add_message("environment_type", "Choose production, test or accept.");
    }
    let token = match input.token.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(token) => match token_looks_valid(token) {
            true => token.to_owned(),
            false => {
                errors.add_message(
                    "token",
                    "This is not an AFAS token: paste the full <token>…</token> XML or the data part (a long code of letters and digits).",
                );
                String::new()
            }
        },
        None => match stored {
            Some(stored) => stored.token.clone(),
            None => {
                errors.add_message("token", "Paste the token of the App connector.");
                String::new()
            }
        },
    };
    let url = match input.url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(url) => match check_url(url) {
            Ok(url) => Some(url),
            Err(message) => {
                errors.add_message("url", message);
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(AfasCredentials {
            environment,
            environment_type,
            token,
            url,
        })
    } else {
        Err(errors)
    }
}

fn now_ms() -> i64 {
    koppel_store::now().timestamp_millis()
}

/// Tests the credentials, stores them with the test's result (even when it failed, so the user can fix
/// them later) and records the change in the audit log. Returns the test.
pub async fn store_mplus(
    state: &AppState,
    ctx: &TenantContext,
    credentials: MplusCredentials,
) -> AppResult<ConnectionTest> {
    let before = credentials::load_mplus(&state.db, &state.secrets, &ctx.scope)
        .await
        .map_err(internal)?;
    let test = koppel_jobs::connect::test_mplus(&credentials).await;
    credentials::save_mplus(&state.db, &state.secrets, &ctx.scope, &credentials, &test)
        .await
        .map_err(internal)?;
    let as_json = |c: &MplusCredentials| serde_json::json!({"url": c.url, "ident": c.ident, "secret": c.secret});
    let changes = audit::diff(
        &before.as_ref().map(as_json).unwrap_or_default(),
        &as_json(&credentials),
    );
    audit::record(
        &state.db,
        &ctx.scope,
        &ctx.user.email,
        "connection/mplus",
        &changes,
        now_ms(),
    )
    .await?;
    tracing::info!(tenant_id = %ctx.scope.tenant_id(), ok = test.ok, "MplusKASSA connection saved");
    Ok(test)
}

/// Like [`store_mplus`], for AFAS.
pub async fn store_afas(
    state: &AppState,
    ctx: &TenantContext,
    credentials: AfasCredentials,
) -> AppResult<ConnectionTest> {
    let before = credentials::load_afas(&state.db, &state.secrets, &ctx.scope)
        .await
        .map_err(internal)?;
    let test = koppel_jobs::connect::test_afas(&credentials).await;
    credentials::save_afas(&state.db, &state.secrets, &ctx.scope, &credentials, &test)
        .await
        .map_err(internal)?;
    let as_json = |c: &AfasCredentials| {
        serde_json::json!({"environment": c.environment, "environment_type": c.environment_type,
            "url": c.url, "token": c.token})
    };
    let changes = audit::diff(
        &before.as_ref().map(as_json).unwrap_or_default(),
        &as_json(&credentials),
    );
    audit::record(
        &state.db,
        &ctx.scope,
        &ctx.user.email,
        "connection/afas",
        &changes,
        now_ms(),
    )
    .await?;
    tracing::info!(tenant_id = %ctx.scope.tenant_id(), ok = test.ok, "AFAS connection saved");
    Ok(test)
}

fn invalid(errors: FieldErrors) -> Response {
    ValidationErrorBody::response(errors)
}

/// Both connections, without their secrets.
#[utoipa::path(get, path = "/api/v1/connections", tag = "connections", security(("bearer" = [])),
    params(("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    responses((status = 200, body = ConnectionsBody), (status = 404, body = ErrorBody)))]
pub async fn list_connections(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
) -> AppResult<Json<ConnectionsBody>> {
    Ok(Json(summaries(&state, &ctx).await?))
}

/// Store the MplusKASSA credentials (the secret encrypted) and test them. A failed test still stores them;
/// `ok` and `message` say what is wrong.
#[utoipa::path(put, path = "/api/v1/connections/mplus", tag = "connections", security(("bearer" = [])),
    params(("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    request_body = MplusInput,
    responses((status = 200, description = "Stored; the connection test's result", body = TestBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationErrorBody)))]
pub async fn put_mplus(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Json(input): Json<MplusInput>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let stored = credentials::load_mplus(&state.db, &state.secrets, &ctx.scope)
        .await
        .map_err(internal)?;
    let credentials = match validate_mplus(&input, stored.as_ref()) {
        Ok(credentials) => credentials,
        Err(errors) => return Ok(invalid(errors)),
    };
    let test = store_mplus(&state, &ctx, credentials).await?;
    Ok(Json(TestBody::from(test)).into_response())
}

/// Store the AFAS credentials (the token encrypted) and test them: the Profit version and the required
/// GetConnectors present or missing.
#[utoipa::path(put, path = "/api/v1/connections/afas", tag = "connections", security(("bearer" = [])),
    params(("tenant" = Option<String>, Query, description = "Company id; default: your first company")),
    request_body = AfasInput,
    responses((status = 200, description = "Stored; the connection test's result", body = TestBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ValidationErrorBody)))]
pub async fn put_afas(
    State(state): State<AppState>,
    ApiTenant(ctx): ApiTenant,
    Json(input): Json<AfasInput>,
) -> AppResult<Response> {
    ctx.require_write()?;
    let stored = credentials::load_afas(&state.db, &state.secrets, &ctx.scope)
        .await
        .map_err(internal)?;
    let credentials = match validate_afas(&input, stored.as_ref()) {
        Ok(credentials) => credentials,
        Err(errors) => return Ok(invalid(errors)),
    };
    let test = store_afas(&state, &ctx, credentials).await?;
    Ok(Json(TestBody::from(test)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_environments_are_checked() {
        assert_eq!(
            check_url(" https://kassa.example:34567/ ").unwrap(),
            "https://kassa.example:34567"
        );
        assert!(check_url("kassa.example:34567").is_err());
        assert!(check_url("https://kassa.example:99999").is_err());
        assert!(check_url("http://127.0.0.1:8080/mplus").is_ok());
        assert_eq!(environment_number("O12345AA").as_deref(), Some("12345"));
        assert_eq!(environment_number("12345").as_deref(), Some("12345"));
        assert_eq!(environment_number("twelve"), None);
    }

    #[test]
    fn a_missing_secret_keeps_the_stored_one() {
        let stored = MplusCredentials {
            url: "http://a:1".into(),
            ident: "i".into(),
            secret: "kept".into(),
        };
        let input = MplusInput {
            url: "http://a:2".into(),
            ident: "i".into(),
            secret: Some(" ".into()),
        };
        assert_eq!(validate_mplus(&input, Some(&stored)).unwrap().secret, "kept");
        let errors = validate_mplus(&input, None).unwrap_err();
        assert!(errors.get("secret").is_some());
    }
}
