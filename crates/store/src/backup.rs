//! A consistent copy of a running SQLite database (`koppel backup`). SQLite's `VACUUM INTO` writes a
//! transactionally consistent, compacted copy inside one read transaction, so Koppel keeps serving and running
//! flows meanwhile (WAL mode lets writers continue; the copy is the database as of the moment it started).
//! PostgreSQL is backed up with its own tools (`pg_dump`, or base backups with WAL archiving): see
//! docs/operations.md.

use std::path::Path;

use crate::{Db, StoreError};

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "koppel backup copies a SQLite database; back PostgreSQL up with pg_dump or base backups (docs/operations.md)"
    )]
    NotSqlite,
    #[error("{0} exists already; a backup never overwrites a file")]
    Exists(String),
    #[error("{0} cannot be used for a backup: {1}")]
    BadPath(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes a consistent copy of the SQLite database to `path` (a new file; its folder must exist).
pub async fn backup_sqlite(db: &Db, path: &Path) -> Result<(), BackupError> {
    let Db::Sqlite(pool) = db else {
        return Err(BackupError::NotSqlite);
    };
    let shown = path.display().to_string();
    if path.exists() {
        return Err(BackupError::Exists(shown));
    }
    let target = path
        .to_str()
        .ok_or_else(|| BackupError::BadPath(shown.clone(), "the path is not valid UTF-8".to_owned()))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(pool)
        .await
        .map_err(|error| match error {
            sqlx::Error::Database(cause) => BackupError::BadPath(shown, cause.message().to_owned()),
            other => BackupError::Store(StoreError::Database(other)),
        })?;
    Ok(())
}
