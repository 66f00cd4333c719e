//! One diesel code path for SQLite (embedded default) and PostgreSQL (production).
//!
//! The backend is picked from `DATABASE_URL`'s scheme by us, not by `MultiConnection::establish`,
//! which would hide the real connection error. Blocking diesel work runs through [`Db::run`] on
//! actix's blocking thread pool, never on the async workers. Writes go through
//! [`write_transaction`], which on SQLite begins `IMMEDIATE` so that two concurrent
//! read-then-write transactions queue on `busy_timeout` instead of failing with `SQLITE_BUSY`.

pub mod migrations;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, Pool, PooledConnection};

use crate::config::DatabaseUrl;
use crate::http::error::ApiError;

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConnection {
    /// Opens one connection to the configured backend, with SQLite's pragmas applied.
    pub fn open(url: &DatabaseUrl) -> Result<Self, ConnectionError> {
        match url {
            DatabaseUrl::Postgres { url } => {
                diesel::PgConnection::establish(url).map(Self::Postgresql)
            }
            DatabaseUrl::Sqlite { path } => {
                let mut connection = diesel::SqliteConnection::establish(path)?;
                connection
                    .batch_execute(
                        "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                         PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                    )
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(Self::Sqlite(connection))
            }
        }
    }

    /// True on PostgreSQL, where row locks (`FOR UPDATE`) exist.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgresql(_))
    }
}

/// Opens connections for the r2d2 pool and checks them out healthy.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        DbConnection::open(&self.url).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, connection: &mut DbConnection) -> Result<(), r2d2::Error> {
        connection
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _connection: &mut DbConnection) -> bool {
        false
    }
}

/// The shared handle to the database: a pool plus the backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager>,
    backend: &'static str,
}

impl Db {
    /// Builds the pool. Fails at once (with the driver's own message) if the database cannot be
    /// opened, so a wrong URL stops the service at start instead of at the first request.
    pub fn connect(url: &DatabaseUrl, size: u32, timeout: Duration) -> anyhow::Result<Self> {
        DbConnection::open(url)
            .map_err(|e| anyhow::anyhow!("cannot open the database {url:?}: {e}"))?;
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(timeout)
            .test_on_check_out(false)
            .build(ConnectionManager { url: url.clone() })?;
        Ok(Self {
            pool,
            backend: url.backend_name(),
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// A connection for blocking code outside a request (CLI commands, start-up).
    pub fn get(&self) -> Result<PooledConnection<ConnectionManager>, ApiError> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking database work off the async threads and returns its result.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut connection = pool.get()?;
            work(&mut connection)
        })
        .await?
    }
}

/// Runs `work` in one transaction that is allowed to write; commits on `Ok`, rolls back on `Err`.
///
/// Every change to a case and its audit event go through here together, so they commit or
/// vanish as one.
pub fn write_transaction<T, E, F>(connection: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(sqlite) = connection else {
        return connection.transaction(work);
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let outcome = work(connection);
    let DbConnection::Sqlite(sqlite) = connection else {
        unreachable!("a connection does not change its backend");
    };
    match outcome {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(sqlite)?;
            Ok(value)
        }
        Err(error) => {
            AnsiTransactionManager::rollback_transaction(sqlite)?;
            Err(error)
        }
    }
}

/// True when `error` is a unique-constraint violation (mapped to a field error by callers).
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
