//! `koppel backup PATH`: a consistent copy of the running SQLite database ([`koppel_store::backup`]). To
//! restore, stop Koppel, put the copy where `DATABASE_URL` (or the data folder's `koppel.db`) points, and start
//! it with the same `KOPPEL_SECRET_KEY`; nothing is booked twice after a restore: each record is looked up in
//! AFAS by its reference before it is written.

use std::path::PathBuf;

use clap::Args;

use crate::config::{CommonArgs, redact_url};

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The file to write (must not exist yet), e.g. `backups/koppel-2026-12-04.db`.
    pub path: PathBuf,
}

pub async fn run(args: BackupArgs) -> anyhow::Result<()> {
    args.common.init_logging();
    let url = args.common.database_url()?;
    // No migration: a backup copies the database as it is, whichever version wrote it.
    let db = koppel_store::Db::connect(&url).await?;
    let result = koppel_store::backup::backup_sqlite(&db, &args.path).await;
    db.close().await;
    result?;
    println!("Backed up {} to {}", redact_url(&url), args.path.display());
    Ok(())
}
