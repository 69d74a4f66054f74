//! `koppel rotate-key`: re-encrypts every stored credential under a new master secret.
//!
//! 1. Keep the old secret at hand; set `KOPPEL_SECRET_KEY` to the new one (`openssl rand -hex 32`) and
//!    `KOPPEL_PREVIOUS_SECRET_KEYS` to the old one (several: comma-separated).
//! 2. Run `koppel rotate-key` (add `--dry-run` to only check that every value opens).
//! 3. Restart `koppel serve` / `koppel worker` with the new `KOPPEL_SECRET_KEY` only. Signed-in users sign in
//!    again (sessions are signed with a key derived from the same secret).
//!
//! Values already under the new key are skipped, so running it twice is harmless.

use anyhow::Context;
use clap::Args;
use koppel_store::rotation;
use koppel_store::secrets::SecretBox;

use crate::config::CommonArgs;

#[derive(Debug, Args)]
pub struct RotateKeyArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The new master secret (at least 32 characters).
    #[arg(long, env = "KOPPEL_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Only check that every stored value can be opened; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The secret box for a rotation: seals with the new key, opens with any of them.
pub fn secret_box(new_key: &[u8], previous: &[String]) -> anyhow::Result<SecretBox> {
    let previous: Vec<Vec<u8>> = previous
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .map(|k| k.as_bytes().to_vec())
        .collect();
    SecretBox::new(new_key)
        .and_then(|b| b.with_previous(&previous))
        .context("KOPPEL_SECRET_KEY and KOPPEL_PREVIOUS_SECRET_KEYS must each be at least 32 characters")
}

pub async fn run(args: RotateKeyArgs) -> anyhow::Result<()> {
    args.common.init_logging();
    let new_key = args
        .secret_key
        .as_deref()
        .filter(|k| !k.is_empty())
        .context("set KOPPEL_SECRET_KEY to the new secret (and KOPPEL_PREVIOUS_SECRET_KEYS to the old one)")?;
    let secrets = secret_box(new_key.as_bytes(), &args.common.previous_secret_keys)?;
    let url = args.common.database_url()?;
    let db = koppel_store::Db::connect_and_migrate(&url).await?;
    let report = rotation::rotate(&db, &secrets, args.dry_run)
        .await
        .context("a stored value could not be opened: give the secret that sealed it in KOPPEL_PREVIOUS_SECRET_KEYS")?;
    let verb = if args.dry_run {
        "would re-encrypt"
    } else {
        "re-encrypted"
    };
    println!(
        "{verb} {} stored secret(s) under key {}; {} already used it.",
        report.rotated,
        secrets.current_key_id(),
        report.current
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use koppel_jobs::credentials::{self, ConnectionTest, MplusCredentials};
    use koppel_store::connections::{self, System};
    use koppel_store::test_support::TestDatabase;
    use koppel_store::{TenantScope, accounts, tenants};

    use super::*;

    const OLD: &[u8] = b"old-secret-old-secret-old-secret-0001";
    const NEW: &str = "new-secret-new-secret-new-secret-0002";

    #[tokio::test]
    async fn rotation_re_encrypts_under_the_new_key_and_can_run_twice() {
        let database = TestDatabase::create().await.unwrap();
        let db = database.connect().await.unwrap();
        let email = koppel_core::Email::parse("rot@shop.nl").unwrap();
        let signup = accounts::sign_up(&db, &email, "hash", "Rot", koppel_store::now())
            .await
            .unwrap();
        let scope: TenantScope = tenants::resolve_scope(&db, signup.user_id, signup.tenant_id)
            .await
            .unwrap()
            .unwrap();
        let old = SecretBox::new(OLD).unwrap();
        let stored = MplusCredentials {
            url: "http://127.0.0.1:1".into(),
            ident: "i".into(),
            secret: "s3cret".into(),
        };
        let test = ConnectionTest {
            ok: true,
            message: "ok".into(),
            details: serde_json::Value::Null,
        };
        credentials::save_mplus(&db, &old, &scope, &stored, &test)
            .await
            .unwrap();

        // Without the old key the values cannot be opened: nothing changes.
        let only_new = secret_box(NEW.as_bytes(), &[]).unwrap();
        assert!(rotation::rotate(&db, &only_new, false).await.is_err());

        let rotating = secret_box(NEW.as_bytes(), &[String::from_utf8(OLD.to_vec()).unwrap()]).unwrap();
        let dry = rotation::rotate(&db, &rotating, true).await.unwrap();
        assert_eq!(dry.rotated, 1);
        let row = connections::load(&db, &scope, System::Mplus).await.unwrap().unwrap();
        assert_eq!(row.secret.key_id, old.current_key_id(), "a dry run changes nothing");

        let report = rotation::rotate(&db, &rotating, false).await.unwrap();
        assert_eq!((report.rotated, report.current), (1, 0));
        let row = connections::load(&db, &scope, System::Mplus).await.unwrap().unwrap();
        assert_eq!(row.secret.key_id, only_new.current_key_id());
        let loaded = credentials::load_mplus(&db, &only_new, &scope).await.unwrap().unwrap();
        assert_eq!(loaded.secret, "s3cret", "the new key alone opens it");

        let again = rotation::rotate(&db, &rotating, false).await.unwrap();
        assert_eq!((again.rotated, again.current), (0, 1));
    }
}
