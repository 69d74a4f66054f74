//! The store's errors, in terms callers act on (a conflict, a missing row, the database).

/// What can go wrong in the store, in terms callers act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write (e.g. an e-mail address already taken).
    #[error("already exists")]
    Conflict,
    #[error("the database URL {0:?} is not a sqlite: or postgres: URL")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Turns a unique-constraint violation into [`StoreError::Conflict`], keeping other errors as they are.
    pub(crate) fn from_write(error: sqlx::Error) -> Self {
        match error.as_database_error() {
            Some(db_error) if db_error.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Database(error),
        }
    }
}
