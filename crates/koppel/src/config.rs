//! Settings shared by every subcommand, read from flags or the environment, with defaults that run on a
//! bare machine.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// `development` generates missing secrets and may start the sandbox; `production` requires them.
    #[arg(long, env = "KOPPEL_ENV", value_enum, default_value = "development")]
    pub env: Environment,
    /// Folder for the SQLite database and the generated development secret.
    #[arg(long, env = "KOPPEL_DATA_DIR", default_value = "./koppel-data")]
    pub data_dir: PathBuf,
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`. Default: a SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Log filter, e.g. `info`, `debug`, `koppel_web=debug,info`.
    #[arg(long, env = "KOPPEL_LOG", default_value = "info")]
    pub log: String,
    /// Log line format.
    #[arg(long, env = "KOPPEL_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Earlier master secrets, comma-separated: stored credentials sealed with them still open (during a key
    /// rotation, until `koppel rotate-key` has re-encrypted everything).
    #[arg(
        long,
        env = "KOPPEL_PREVIOUS_SECRET_KEYS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub previous_secret_keys: Vec<String>,
    /// In production Koppel calls only public https addresses on a tenant's behalf (MplusKASSA, AFAS,
    /// webhooks); these hosts, addresses and networks are allowed besides, comma-separated, e.g. an on-premise
    /// MplusKASSA: `kassa.winkel.lan,10.1.0.0/16`. Development allows everything (the sandbox is on loopback).
    #[arg(long, env = "KOPPEL_OUTBOUND_ALLOW", default_value = "")]
    pub outbound_allow: String,
}

impl CommonArgs {
    /// The previous master secrets as bytes (empty entries ignored).
    pub fn previous_keys(&self) -> Vec<Vec<u8>> {
        self.previous_secret_keys
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
            .map(|k| k.as_bytes().to_vec())
            .collect()
    }

    /// Installs the outbound policy of this process ([`koppel_outbound`]): open in development, public https
    /// addresses plus `KOPPEL_OUTBOUND_ALLOW` (and `also`, the demo sandbox's own addresses) in production.
    pub fn install_outbound_policy(&self, also: &[std::net::SocketAddr]) -> anyhow::Result<()> {
        let policy = match self.env {
            Environment::Development => koppel_outbound::OutboundPolicy::open(),
            Environment::Production => also.iter().fold(
                koppel_outbound::OutboundPolicy::public_only(&self.outbound_allow)?,
                |policy, socket| policy.allowing(*socket),
            ),
        };
        koppel_outbound::install(policy);
        Ok(())
    }

    pub fn init_logging(&self) {
        let filter = tracing_subscriber::EnvFilter::try_new(&self.log)
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        // Colours only on a terminal, so log files and collectors get plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi);
        let _ = match self.log_format {
            LogFormat::Text => builder.try_init(),
            LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        };
    }

    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = self.database_url.as_ref().filter(|u| !u.is_empty()) {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data folder {}", self.data_dir.display()))?;
        Ok(format!("sqlite://{}/koppel.db", self.data_dir.display()))
    }

    /// The master secret: `KOPPEL_SECRET_KEY`, or in development one generated once into the data folder.
    pub fn secret_key(&self, configured: Option<&str>) -> anyhow::Result<Vec<u8>> {
        if let Some(key) = configured.filter(|k| !k.is_empty()) {
            anyhow::ensure!(
                key.len() >= 32,
                "KOPPEL_SECRET_KEY must be at least 32 characters; generate one with `openssl rand -hex 32`"
            );
            return Ok(key.as_bytes().to_vec());
        }
        anyhow::ensure!(
            self.env == Environment::Development,
            "KOPPEL_SECRET_KEY is required when KOPPEL_ENV=production (it protects sessions and stored \
             credentials). Generate one with `openssl rand -hex 32` and keep it in your secret store."
        );
        let path = self.data_dir.join("secret.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim();
            if existing.len() >= 32 {
                return Ok(existing.as_bytes().to_vec());
            }
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let key = hex::encode(rand::random::<[u8; 32]>());
        write_private(&path, &key).with_context(|| format!("writing {}", path.display()))?;
        tracing::warn!(path = %path.display(), "generated a development secret key; set KOPPEL_SECRET_KEY in production");
        Ok(key.into_bytes())
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// A database URL without its password, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_removed_from_database_urls() {
        assert_eq!(
            redact_url("postgres://koppel:s3cret@db:5432/koppel"),
            "postgres://koppel:***@db:5432/koppel"
        );
        assert_eq!(
            redact_url("sqlite://./koppel-data/koppel.db"),
            "sqlite://./koppel-data/koppel.db"
        );
    }

    #[test]
    fn production_without_a_secret_key_fails_with_a_clear_message() {
        let dir = std::env::temp_dir().join(format!("koppel-config-test-{}", std::process::id()));
        let args = CommonArgs {
            env: Environment::Production,
            data_dir: dir.clone(),
            database_url: None,
            log: "info".into(),
            log_format: LogFormat::Text,
            previous_secret_keys: Vec::new(),
            outbound_allow: String::new(),
        };
        let error = args.secret_key(None).unwrap_err().to_string();
        assert!(error.contains("KOPPEL_SECRET_KEY is required"), "{error}");
        assert!(args.secret_key(Some("short")).is_err());
        let development = CommonArgs {
            env: Environment::Development,
            ..args
        };
        let first = development.secret_key(None).unwrap();
        assert_eq!(
            development.secret_key(None).unwrap(),
            first,
            "the generated key is kept"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
