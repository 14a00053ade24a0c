//! The store layer: every diesel query lives below this module.
//!
//! One codebase serves SQLite (the embedded default) and PostgreSQL through
//! [`DbConnection`], a diesel `MultiConnection`. Queries written against it use
//! the SQL both databases share; the few that need one backend's dialect
//! (`RETURNING`, `BEGIN IMMEDIATE`) go through [`on_backend!`].

pub mod accounts;
pub mod assessments;
pub mod brokers;
pub mod bulk;
pub mod codes;
pub mod commissions;
pub mod councils;
pub mod instances;
pub mod ledger;
pub mod listings;
pub mod locks;
pub mod mail;
pub mod market;
pub mod offers;
pub mod plans;
pub mod requests;
pub mod schema;
pub mod search;
pub mod sellers;
pub mod settings;

use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use crate::config::DatabaseTarget;
use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// The advisory lock key instances take while migrating ("bespoke" in ASCII).
const MIGRATION_LOCK: i64 = 0x62_65_73_70_6f_6b_65;

// A store failure reaches people as an `AppError`: a missing row is "not
// found", anything else is internal.
impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Query(diesel::result::Error::NotFound) => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        StoreError::from(error).into()
    }
}

/// A connection to whichever database the operator configured.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$conn` bound to the concrete connection of either
/// backend, so backend-only features (such as `RETURNING`) can be used while
/// the code is still written once.
#[macro_export]
macro_rules! on_backend {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::store::DbConnection::Pg($conn) => $body,
            $crate::store::DbConnection::Sqlite($conn) => $body,
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("could not apply database migrations: {0}")]
    Migration(String),
    #[error("a database task stopped unexpectedly")]
    TaskFailed,
    #[error("the database holds a value Bespoke cannot read: {0}")]
    Corrupt(String),
    /// A money write without its plan's lock: a programming error (see `locks`).
    #[error("the money rule was broken: {0}")]
    Unlocked(String),
}

/// Opens connections for the pool and prepares each SQLite connection.
#[derive(Debug)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

/// The busy timeout comes first: every later statement may need a lock that
/// another connection holds for a moment. WAL lets readers work while one
/// writer commits; `synchronous = FULL` means a commit that returned is on
/// disk, so nothing acknowledged is lost.
const SQLITE_SETUP: &str = "PRAGMA busy_timeout = 10000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;";

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match &self.target {
            DatabaseTarget::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Pg)
                .map_err(diesel::r2d2::Error::ConnectionError),
            DatabaseTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_SETUP)
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// The pool and the way to run blocking database work off the async workers.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    target: DatabaseTarget,
}

impl Db {
    pub fn connect(target: DatabaseTarget, max_connections: u32) -> Result<Self, StoreError> {
        if let DatabaseTarget::Sqlite(path) = &target {
            ensure_parent_dir(path)?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .connection_timeout(Duration::from_secs(15))
            .build(ConnectionManager {
                target: target.clone(),
            })?;
        Ok(Self { pool, target })
    }

    pub fn target(&self) -> &DatabaseTarget {
        &self.target
    }

    /// A connection for work that is already on a blocking thread (CLI
    /// commands, start-up).
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking database work on the blocking thread pool.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(|_| StoreError::TaskFailed)?
    }

    /// Applies pending migrations. On PostgreSQL, instances that start
    /// together take turns under an advisory lock, so each migration runs once.
    pub fn run_migrations(&self) -> Result<usize, StoreError> {
        let applied = match &self.target {
            // A connection of its own, closed afterwards, so the advisory lock
            // can never stay behind in the pool.
            DatabaseTarget::Postgres(url) => {
                let mut c = PgConnection::establish(url)
                    .map_err(|e| StoreError::Migration(e.to_string()))?;
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                c.run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.len())
            }
            DatabaseTarget::Sqlite(_) => match &mut *self.get()? {
                DbConnection::Sqlite(c) => {
                    c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len())
                }
                DbConnection::Pg(_) => unreachable!("an SQLite target opens SQLite connections"),
            },
        };
        applied.map_err(|e| StoreError::Migration(e.to_string()))
    }
}

fn ensure_parent_dir(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Migration(format!("cannot create directory {}: {e}", dir.display()))
        }),
        _ => Ok(()),
    }
}

/// A transaction for work that reads a balance and then writes against it.
///
/// On SQLite it starts with `BEGIN IMMEDIATE`, taking the write lock before
/// the first read, so two such transactions can never interleave. On
/// PostgreSQL it is an ordinary transaction: callers lock the rows they check
/// (see the `lock_*` helpers in the areas that need them).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if matches!(conn, DbConnection::Pg(_)) {
        return conn.transaction(work);
    }
    if let DbConnection::Sqlite(inner) = conn {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    let outcome = work(conn);
    if let DbConnection::Sqlite(inner) = conn {
        match &outcome {
            Ok(_) => AnsiTransactionManager::commit_transaction(inner)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(inner)?,
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_decides_the_backend() {
        assert_eq!(
            DatabaseTarget::parse("postgres://u@h/db").unwrap(),
            DatabaseTarget::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("postgresql://h/db")
                .unwrap()
                .backend_name(),
            "postgresql"
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite://data/b.db").unwrap(),
            DatabaseTarget::Sqlite("data/b.db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite:b.db").unwrap(),
            DatabaseTarget::Sqlite("b.db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("/tmp/b.db").unwrap(),
            DatabaseTarget::Sqlite("/tmp/b.db".into())
        );
        assert!(DatabaseTarget::parse("mysql://h/db").is_err());
        assert!(DatabaseTarget::parse("").is_err());
        assert!(DatabaseTarget::parse("sqlite://").is_err());
    }
}
