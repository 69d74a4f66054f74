//! Fresh databases for tests: a SQLite file in a temporary folder by default, or a new PostgreSQL database
//! when `KOPPEL_TEST_DATABASE_URL` points at a server (CI sets it), so every test runs on its own data.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::{Db, Result};

pub const TEST_DATABASE_URL_VAR: &str = "KOPPEL_TEST_DATABASE_URL";

/// A database that lives as long as this value (SQLite: its folder is removed on drop).
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Creates an empty database on the backend the environment selects.
    pub async fn create() -> Result<Self> {
        match std::env::var(TEST_DATABASE_URL_VAR) {
            Ok(server_url) if !server_url.is_empty() => Self::create_postgres(&server_url).await,
            _ => Ok(Self::create_sqlite()),
        }
    }

    fn create_sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder for a test database");
        let url = format!("sqlite://{}/koppel.db", dir.path().display());
        Self { url, _dir: Some(dir) }
    }

    async fn create_postgres(server_url: &str) -> Result<Self> {
        let name = format!("koppel_test_{}", uuid::Uuid::new_v4().simple());
        let admin = PgConnectOptions::from_str(server_url)?;
        let mut conn = admin.connect().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let url = admin.database(&name).to_url_lossy().to_string();
        Ok(Self { url, _dir: None })
    }

    /// Connects to it and applies the migrations.
    pub async fn connect(&self) -> Result<Db> {
        Db::connect_and_migrate(&self.url).await
    }
}

/// A new company signed up by its owner (`email`), and the owner's scope in it.
pub async fn company(db: &Db, email: &str) -> crate::TenantScope {
    let email = koppel_core::Email::parse(email).expect("a valid e-mail address");
    let signup = crate::accounts::sign_up(db, &email, "hash", "Shop", crate::now())
        .await
        .expect("sign-up");
    crate::tenants::resolve_scope(db, signup.user_id, signup.tenant_id)
        .await
        .expect("scope")
        .expect("the owner's membership")
}

/// The token of the newest signup link mailed to `email` (what its owner would click), from the outbox:
/// tests and `koppel bench serve` sign companies up as a person would, without a mailbox.
pub async fn signup_token(db: &Db, email: &str) -> Result<Option<String>> {
    mailed_token(db, email, "/signup/confirm/").await
}

/// The token of the newest link to `path` (e.g. `/password/reset/`, `/invitations/`) in e-mail to `email`.
/// Account mail is queued just after the answer that causes it, so this waits up to two seconds for one.
pub async fn mailed_token(db: &Db, email: &str, path: &str) -> Result<Option<String>> {
    for _ in 0..100 {
        let mail = crate::alerts::mail_to(db, email).await?;
        let token = mail.iter().rev().find_map(|message| {
            let start = message.body.find(path)? + path.len();
            let token: String = message.body[start..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            Some(token)
        });
        if token.is_some() {
            return Ok(token);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Ok(None)
}
