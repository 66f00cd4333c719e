//! One diesel code path for SQLite (embedded default) and PostgreSQL (production).
//!
//! The backend is picked from `DATABASE_URL`'s scheme by us, not by `MultiConnection::establish`,
//! which would hide the real connection error. Blocking diesel work runs through [`Db::run`] on
//! the runtime's blocking thread pool, never on the async workers. Writes go through
//! [`write_transaction`], which on SQLite begins `IMMEDIATE` so that two concurrent
//! read-then-write transactions queue on `busy_timeout` instead of failing with `SQLITE_BUSY`.

pub mod availability;
pub mod migrations;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, Pool, PooledConnection, R2D2Connection};

use crate::config::database_url::DatabaseUrl;
use crate::error::AppError;

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Each SQLite connection's page cache, in KiB: 1 MiB instead of SQLite's 2 MiB. The pool keeps
/// up to 16 connections, and their caches were about a third of the server's memory at peak
/// (issue 19: at most 100 MB over the benchmark's full run). A write by any connection empties
/// every other connection's cache in WAL mode anyway, and the pages come from the operating
/// system's file cache (docs/performance.md, "Memory").
const SQLITE_CACHE_KIB: u32 = 1024;

impl DbConnection {
    /// Opens one connection to the configured backend, with SQLite's pragmas applied and a
    /// SQLite writer waiting up to 10 s for another writer's lock.
    pub fn open(url: &DatabaseUrl) -> Result<Self, ConnectionError> {
        Self::open_waiting(url, Duration::from_secs(10))
    }

    /// As [`DbConnection::open`], with SQLite waiting up to `busy_timeout` for a lock before it
    /// gives up with "database is locked" (answered 503 `database_unavailable`).
    pub fn open_waiting(
        url: &DatabaseUrl,
        busy_timeout: Duration,
    ) -> Result<Self, ConnectionError> {
        match url {
            DatabaseUrl::Postgres { url } => {
                diesel::PgConnection::establish(url).map(Self::Postgresql)
            }
            DatabaseUrl::Sqlite { path } => {
                let mut connection = diesel::SqliteConnection::establish(path)?;
                connection
                    .batch_execute(&format!(
                        "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                         PRAGMA busy_timeout = {}; PRAGMA synchronous = NORMAL; \
                         PRAGMA cache_size = -{SQLITE_CACHE_KIB};",
                        busy_timeout.as_millis()
                    ))
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

/// A pooled connection plus what the pool needs to know to never hand out a dead one.
///
/// Why a wrapper: diesel considers a connection broken only when a transaction was left open,
/// not when its socket died (a PostgreSQL restart, `pg_terminate_backend`). Such a connection
/// went back into the pool and failed every request until the process was restarted. Now the
/// request that meets the failure marks the connection, and the pool discards it on return.
pub struct PooledDb {
    connection: DbConnection,
    /// Set when a query on this connection failed because the database went away.
    broken: bool,
    /// When the connection last went back into the pool in good order.
    returned_at: Instant,
}

impl std::ops::Deref for PooledDb {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.connection
    }
}

impl std::ops::DerefMut for PooledDb {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.connection
    }
}

impl PooledDb {
    /// Marks the connection as not to be reused when `outcome` says the database went away.
    fn note<T>(&mut self, outcome: &Result<T, AppError>) {
        if matches!(outcome, Err(AppError::DatabaseUnavailable(_))) {
            self.broken = true;
        }
    }
}

/// A connection idle for longer than this is pinged before it is handed out. Connections in
/// steady use are not pinged (no extra round trip on the hot path); one that sat idle through an
/// outage is found dead at checkout instead of failing the first request after recovery.
const PING_AFTER_IDLE: Duration = Duration::from_secs(2);

/// Opens connections for the r2d2 pool and checks them out healthy.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    /// How long a SQLite writer waits for the lock: twice the pool's wait, so that the default
    /// (5 s) keeps the 10 s that absorbed bursts of intake before.
    busy_timeout: Duration,
    /// Set while opening a connection fails (the database is down or refusing), cleared by the
    /// next one that opens. While set, requests do not wait for a connection that cannot come.
    unreachable: Arc<AtomicBool>,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = PooledDb;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PooledDb, r2d2::Error> {
        let opened = DbConnection::open_waiting(&self.url, self.busy_timeout);
        self.unreachable.store(opened.is_err(), Ordering::Relaxed);
        let connection = opened.map_err(r2d2::Error::ConnectionError)?;
        Ok(PooledDb {
            connection,
            broken: false,
            returned_at: Instant::now(),
        })
    }

    fn is_valid(&self, pooled: &mut PooledDb) -> Result<(), r2d2::Error> {
        if pooled.returned_at.elapsed() < PING_AFTER_IDLE {
            return Ok(());
        }
        pooled
            .connection
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, pooled: &mut PooledDb) -> bool {
        if pooled.broken || pooled.connection.is_broken() {
            return true;
        }
        pooled.returned_at = Instant::now();
        false
    }
}

/// The shared handle to the database: a pool plus the backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager>,
    backend: &'static str,
    unreachable: Arc<AtomicBool>,
}

impl Db {
    /// Builds the pool. Fails at once (with the driver's own message) if the database cannot be
    /// opened, so a wrong URL stops the service at start instead of at the first request.
    pub fn connect(url: &DatabaseUrl, size: u32, timeout: Duration) -> anyhow::Result<Self> {
        DbConnection::open(url)
            .map_err(|e| anyhow::anyhow!("cannot open the database {url:?}: {e}"))?;
        let unreachable = Arc::new(AtomicBool::new(false));
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(timeout)
            .test_on_check_out(true)
            .build(ConnectionManager {
                url: url.clone(),
                busy_timeout: timeout * 2,
                unreachable: unreachable.clone(),
            })?;
        Ok(Self {
            pool,
            backend: url.backend_name(),
            unreachable,
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// A connection for blocking code outside a request (CLI commands, start-up).
    pub fn get(&self) -> Result<PooledConnection<ConnectionManager>, AppError> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking database work off the async threads and returns its result. A connection
    /// on which the database went away is discarded, never reused.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let unreachable = self.unreachable.clone();
        // The runtime's blocking pool (actix's `web::block` is this same call).
        tokio::task::spawn_blocking(move || {
            let mut pooled = checkout(&pool, &unreachable)?;
            let outcome = work(&mut pooled);
            pooled.note(&outcome);
            outcome
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
    }
}

/// A pooled connection. While the database is known to refuse connections, only an idle one is
/// taken and the answer is 503 at once otherwise: waiting `MEDIATION_DB_TIMEOUT_SECONDS` for a
/// connection that cannot open made every request of an outage take 5 s to fail. The pool keeps
/// trying to reconnect in the background, so requests succeed again as soon as it can.
fn checkout(
    pool: &Pool<ConnectionManager>,
    unreachable: &AtomicBool,
) -> Result<PooledConnection<ConnectionManager>, AppError> {
    if unreachable.load(Ordering::Relaxed) {
        return pool.try_get().ok_or_else(|| {
            AppError::DatabaseUnavailable("the database is not accepting connections".into())
        });
    }
    Ok(pool.get()?)
}

/// Runs `work` in one transaction that is allowed to write; commits on `Ok`, rolls back on `Err`.
///
/// Every change to a case and its audit event go through here together, so they commit or
/// vanish as one. On SQLite it begins `IMMEDIATE`, taking the write lock up front.
pub fn write_transaction<T, E, F>(connection: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_begun_with(connection, "BEGIN", "BEGIN IMMEDIATE", work)
}

/// Runs read-only `work` on one consistent snapshot of the database: every statement in it sees
/// the same committed state, whatever commits meanwhile.
///
/// Why: a reader that takes a case's chain head and then its events in two statements would
/// otherwise see an event appended in between and report the chain as tampered. PostgreSQL's
/// default (`READ COMMITTED`) takes a new snapshot per statement; `REPEATABLE READ` keeps one.
/// SQLite's WAL gives a deferred transaction one snapshot from its first read.
pub fn read_snapshot<T, E, F>(connection: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_begun_with(
        connection,
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        "BEGIN DEFERRED",
        work,
    )
}

fn transaction_begun_with<T, E, F>(
    connection: &mut DbConnection,
    postgres_begin: &str,
    sqlite_begin: &str,
    work: F,
) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match connection {
        DbConnection::Postgresql(pg) => {
            AnsiTransactionManager::begin_transaction_sql(pg, postgres_begin)?
        }
        DbConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, sqlite_begin)?
        }
    }
    let outcome = work(connection);
    let finished = match (connection, &outcome) {
        (DbConnection::Postgresql(pg), Ok(_)) => AnsiTransactionManager::commit_transaction(pg),
        (DbConnection::Postgresql(pg), Err(_)) => AnsiTransactionManager::rollback_transaction(pg),
        (DbConnection::Sqlite(sqlite), Ok(_)) => AnsiTransactionManager::commit_transaction(sqlite),
        (DbConnection::Sqlite(sqlite), Err(_)) => {
            AnsiTransactionManager::rollback_transaction(sqlite)
        }
    };
    match (outcome, finished) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(error)) => Err(error.into()),
        // The work's own error says more than a failed rollback; a failed rollback leaves the
        // transaction manager broken, and the pool discards the connection.
        (Err(error), _) => Err(error),
    }
}

/// True when `error` is a unique-constraint violation (mapped to a field error by callers).
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
