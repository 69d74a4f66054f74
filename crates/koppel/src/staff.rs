//! `koppel staff grant EMAIL` / `koppel staff revoke EMAIL`: who of the Koppel operator sees every company on the
//! staff page (`/staff`). On the server only: no web page or API grants it.

use clap::{Args, Subcommand};
use koppel_core::Email;
use koppel_store::staff;

use crate::config::CommonArgs;

#[derive(Debug, Args)]
pub struct StaffArgs {
    #[command(subcommand)]
    pub action: StaffAction,
}

#[derive(Debug, Subcommand)]
pub enum StaffAction {
    /// Make the account with this e-mail address platform staff.
    Grant {
        email: String,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// End the staff role of the account with this e-mail address.
    Revoke {
        email: String,
        #[command(flatten)]
        common: CommonArgs,
    },
}

pub async fn run(args: StaffArgs) -> anyhow::Result<()> {
    let (email, common, grant) = match &args.action {
        StaffAction::Grant { email, common } => (email, common, true),
        StaffAction::Revoke { email, common } => (email, common, false),
    };
    common.init_logging();
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
    let db = koppel_jobs::settings::connect_and_migrate(&common.database_url()?).await?;
    let outcome = if grant {
        match staff::grant(&db, &email, koppel_store::now().timestamp_millis()).await? {
            true => format!("{} is staff", email.as_str()),
            false => anyhow::bail!("no Koppel account uses {}", email.as_str()),
        }
    } else {
        match staff::revoke(&db, &email).await? {
            true => format!("{} is no longer staff", email.as_str()),
            false => format!("{} was not staff", email.as_str()),
        }
    };
    db.close().await;
    println!("{outcome}");
    Ok(())
}
