//! The connection pool for either backend (SQLite or PostgreSQL), opening and migrating it, and the macro that
//! runs one SQL text on whichever pool is live.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::{Result, StoreError};

/// The live connection pool: SQLite or PostgreSQL. Repository functions match on it with [`on_pool!`] and
/// run one SQL text on either (portable SQL: `$n` placeholders, `ON CONFLICT`, `RETURNING`).
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$body` with `$pool` bound to whichever pool `$db` holds. The body is compiled once per backend, so
/// `sqlx::query_as::<_, Row>` infers the right database in each arm.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a
/// deferred transaction that upgrades from reading to writing fails with "database is locked" when another
/// connection wrote in between, without waiting for the busy timeout.
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

impl Db {
    /// Connects to `url` (`sqlite:...` or `postgres://...`), creating a SQLite file if missing.
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // WAL + NORMAL is durable across application crashes and much faster than FULL.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // No JIT: Koppel's statements are short, and a misestimated one (a word prefix in the activity
            // search) paid ~60 ms compiling for a 6 ms query.
            let options = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// Connects and brings the schema up to date.
    pub async fn connect_and_migrate(url: &str) -> Result<Self> {
        let db = Self::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend. Migrations that the database knows but this binary does not
    /// are tolerated: on SQLite the job queue keeps its own migrations in the same table.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(pool) => {
                let mut migrator = sqlx::migrate!("../../migrations/sqlite");
                migrator.set_ignore_missing(true);
                run_sqlite_migrations(&migrator, pool).await?;
            }
            Db::Postgres(pool) => {
                let mut migrator = sqlx::migrate!("../../migrations/postgres");
                migrator.set_ignore_missing(true);
                migrator.run(pool).await?;
            }
        }
        Ok(())
    }

    /// A trivial round trip, for readiness probes.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

/// Applies SQLite migrations. SQLite's migrator takes no lock (PostgreSQL's holds an advisory lock), so two
/// processes starting at once on one file (`koppel serve` beside `koppel worker`) may both try the same one;
/// the loser fails on the migrations table's key, and a second pass then finds it applied.
pub async fn run_sqlite_migrations(migrator: &sqlx::migrate::Migrator, pool: &SqlitePool) -> Result<()> {
    let mut attempt = 0;
    loop {
        match migrator.run(pool).await {
            Ok(()) => return Ok(()),
            Err(_) if attempt < 3 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(250 * attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write that gave up while its `BEGIN IMMEDIATE` waited for the lock must not keep the lock once it got it
    /// (sqlx rolls an unacknowledged `BEGIN` back; Koppel's shutdown and request timeouts rely on it).
    #[tokio::test]
    async fn a_transaction_dropped_while_it_began_leaves_no_lock_behind() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/locks.db", dir.path().display());
        let Db::Sqlite(pool) = Db::connect(&url).await.unwrap() else {
            unreachable!()
        };
        sqlx::query("CREATE TABLE t (n INTEGER)").execute(&pool).await.unwrap();
        let holder = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
        // This one's BEGIN waits for the lock; it is dropped (cancelled) before it gets it.
        let gave_up = tokio::time::timeout(Duration::from_millis(200), pool.begin_with("BEGIN IMMEDIATE")).await;
        assert!(gave_up.is_err());
        holder.commit().await.unwrap();
        // The dropped BEGIN now gets the lock with nobody to commit or roll it back; its connection is closed.
        let next = tokio::time::timeout(Duration::from_secs(5), async {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query("INSERT INTO t VALUES (1)").execute(&mut *tx).await?;
            tx.commit().await
        })
        .await;
        assert!(
            matches!(next, Ok(Ok(()))),
            "the next write waited for a lock nobody holds: {next:?}"
        );
    }
}
