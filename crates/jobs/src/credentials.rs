//! A tenant's credentials for both systems: what the user typed, split into the plain part (kept as JSON)
//! and the secret part (sealed with [`SecretBox`]). Secrets never appear in `Debug` output.

use koppel_store::connections::{self, StoredConnection, System, secret_context};
use koppel_store::secrets::{SecretBox, SecretError};
use koppel_store::{Db, StoreError, TenantScope};
use serde::{Deserialize, Serialize};

/// MplusKASSA: the API URL (host and port) with `ident` and `secret`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MplusCredentials {
    /// e.g. `https://api.mpluskassa.nl:34567` (or the sandbox's URL).
    pub url: String,
    pub ident: String,
    pub secret: String,
}

/// AFAS Profit: environment number and type, the App connector token, and an optional base-URL override.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfasCredentials {
    /// The environment number, e.g. `12345`.
    pub environment: String,
    /// `production`, `test` or `accept`.
    pub environment_type: String,
    /// The token as full XML (`<token><version>1</version><data>…</data></token>`) or its data part.
    pub token: String,
    /// Overrides the base URL the environment gives (e.g. the sandbox).
    pub url: Option<String>,
}

impl std::fmt::Debug for MplusCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MplusCredentials")
            .field("url", &self.url)
            .field("ident", &self.ident)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for AfasCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AfasCredentials")
            .field("environment", &self.environment)
            .field("environment_type", &self.environment_type)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The result of a connection test, in words a shop owner understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionTest {
    pub ok: bool,
    /// e.g. "Connected to MplusKASSA API 67.1.3." or "Wrong ident or secret."
    pub message: String,
    /// Extra facts: the API or Profit version, GetConnectors present or missing.
    pub details: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("stored credentials are unreadable: {0}")]
    Corrupt(String),
}

/// The plain part of stored credentials (no secret), for pages and the API to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionSummary {
    pub config: serde_json::Value,
    pub test: ConnectionTest,
    pub updated_at_ms: i64,
}

fn now_ms() -> i64 {
    koppel_store::now().timestamp_millis()
}

pub async fn save_mplus(
    db: &Db,
    secrets: &SecretBox,
    scope: &TenantScope,
    credentials: &MplusCredentials,
    test: &ConnectionTest,
) -> Result<(), CredentialsError> {
    let config = serde_json::json!({"url": credentials.url, "ident": credentials.ident});
    let sealed = secrets.seal(credentials.secret.as_bytes(), &secret_context(scope, System::Mplus));
    save(db, scope, System::Mplus, config, sealed, test).await
}

pub async fn save_afas(
    db: &Db,
    secrets: &SecretBox,
    scope: &TenantScope,
    credentials: &AfasCredentials,
    test: &ConnectionTest,
) -> Result<(), CredentialsError> {
    let config = serde_json::json!({
        "environment": credentials.environment,
        "environment_type": credentials.environment_type,
        "url": credentials.url,
    });
    let sealed = secrets.seal(credentials.token.as_bytes(), &secret_context(scope, System::Afas));
    save(db, scope, System::Afas, config, sealed, test).await
}

async fn save(
    db: &Db,
    scope: &TenantScope,
    system: System,
    config: serde_json::Value,
    secret: koppel_store::secrets::Sealed,
    test: &ConnectionTest,
) -> Result<(), CredentialsError> {
    let message = serde_json::to_string(test).map_err(|e| CredentialsError::Corrupt(e.to_string()))?;
    let stored = StoredConnection {
        config,
        secret,
        test_ok: test.ok,
        test_message: message,
        updated_at_ms: now_ms(),
    };
    connections::save(db, scope, system, &stored).await?;
    Ok(())
}

async fn load(
    db: &Db,
    secrets: &SecretBox,
    scope: &TenantScope,
    system: System,
) -> Result<Option<(serde_json::Value, String)>, CredentialsError> {
    let Some(stored) = connections::load(db, scope, system).await? else {
        return Ok(None);
    };
    let secret = secrets.open(&stored.secret, &secret_context(scope, system))?;
    let secret = String::from_utf8(secret).map_err(|e| CredentialsError::Corrupt(e.to_string()))?;
    Ok(Some((stored.config, secret)))
}

fn field(config: &serde_json::Value, name: &str) -> String {
    config.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
}

pub async fn load_mplus(
    db: &Db,
    secrets: &SecretBox,
    scope: &TenantScope,
) -> Result<Option<MplusCredentials>, CredentialsError> {
    Ok(load(db, secrets, scope, System::Mplus)
        .await?
        .map(|(config, secret)| MplusCredentials {
            url: field(&config, "url"),
            ident: field(&config, "ident"),
            secret,
        }))
}

pub async fn load_afas(
    db: &Db,
    secrets: &SecretBox,
    scope: &TenantScope,
) -> Result<Option<AfasCredentials>, CredentialsError> {
    Ok(load(db, secrets, scope, System::Afas)
        .await?
        .map(|(config, token)| AfasCredentials {
            environment: field(&config, "environment"),
            environment_type: field(&config, "environment_type"),
            url: config.get("url").and_then(|v| v.as_str()).map(str::to_owned),
            token,
        }))
}

/// What is stored for a system, without its secret.
pub async fn summary(
    db: &Db,
    scope: &TenantScope,
    system: System,
) -> Result<Option<ConnectionSummary>, CredentialsError> {
    let Some(stored) = connections::load(db, scope, system).await? else {
        return Ok(None);
    };
    let test = serde_json::from_str(&stored.test_message).unwrap_or(ConnectionTest {
        ok: stored.test_ok,
        message: stored.test_message.clone(),
        details: serde_json::Value::Null,
    });
    Ok(Some(ConnectionSummary {
        config: stored.config,
        test,
        updated_at_ms: stored.updated_at_ms,
    }))
}
