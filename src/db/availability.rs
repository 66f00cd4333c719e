//! Which database errors mean "the database cannot serve right now" rather than "this request
//! is wrong" or "this is a bug".
//!
//! Why it matters: such an error is answered 503 `database_unavailable` with `Retry-After`, and
//! the connection it happened on is thrown away instead of going back into the pool, so that an
//! outage heals by itself as soon as the database accepts connections again. Before, a
//! PostgreSQL restart left dead connections in the pool and every request answered 500 until the
//! process was restarted.

use diesel::result::{DatabaseErrorKind, Error};

/// Message fragments of errors that say the database (not the request) is at fault. diesel hands
/// PostgreSQL's SQLSTATE to us only for a few kinds and SQLite's result codes not at all, so the
/// driver's message is what is left to go by. Each entry names where it comes from.
const UNAVAILABLE_MESSAGES: &[&str] = &[
    // SQLite: SQLITE_BUSY / SQLITE_LOCKED after busy_timeout, SQLITE_FULL, SQLITE_IOERR,
    // SQLITE_CANTOPEN, SQLITE_READONLY (a disk remounted read-only).
    "database is locked",
    "database table is locked",
    "database or disk is full",
    "disk i/o error",
    "unable to open database file",
    "attempt to write a readonly database",
    // PostgreSQL: 57P01 admin_shutdown (pg_terminate_backend), 57P02/57P03 shutdown and start-up,
    // 53xxx insufficient resources, and libpq's own words for a lost socket.
    "terminating connection",
    "the database system is",
    "cannot connect now",
    "too many connections",
    "no space left on device",
    "could not extend file",
    "out of memory",
    "server closed the connection",
    "no connection to the server",
    "connection to server",
    "could not receive data from server",
    "could not send data to server",
    "ssl connection has been closed",
];

/// True when `error` says the database is unreachable, overloaded, locked or full: a condition
/// that retrying later can cure, not a fault of the request or of our code.
pub fn is_unavailable(error: &Error) -> bool {
    match error {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
            message_says_unavailable(info.message())
        }
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            message_says_unavailable(info.message())
        }
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

fn message_says_unavailable(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    UNAVAILABLE_MESSAGES
        .iter()
        .any(|fragment| message.contains(fragment))
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, SqliteConnection};

    use super::*;

    fn sqlite_error(sql_setup: &str, failing: &str) -> Error {
        let mut connection = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        connection.batch_execute(sql_setup).expect("setup");
        connection
            .batch_execute(failing)
            .expect_err("the statement must fail")
    }

    #[test]
    fn a_full_sqlite_database_is_unavailable_not_a_bug() {
        // max_page_count caps the file as a full disk would: SQLITE_FULL.
        let error = sqlite_error(
            "CREATE TABLE t (v TEXT); PRAGMA max_page_count = 3;",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) \
             INSERT INTO t SELECT printf('%0500d', i) FROM n;",
        );
        assert!(is_unavailable(&error), "{error:?}");
    }

    #[test]
    fn a_locked_sqlite_database_is_unavailable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("locked.db");
        let path = path.to_string_lossy();
        let mut holder = SqliteConnection::establish(&path).expect("open");
        holder
            .batch_execute("CREATE TABLE t (v INTEGER); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
            .expect("hold the lock");
        let mut waiter = SqliteConnection::establish(&path).expect("open");
        waiter
            .batch_execute("PRAGMA busy_timeout = 10")
            .expect("pragma");
        let error = waiter
            .batch_execute("INSERT INTO t VALUES (2)")
            .expect_err("locked");
        assert!(is_unavailable(&error), "{error:?}");
    }

    #[test]
    fn request_faults_and_bugs_are_not_unavailability() {
        let error = sqlite_error(
            "CREATE TABLE t (v INTEGER UNIQUE); INSERT INTO t VALUES (1);",
            "INSERT INTO t VALUES (1);",
        );
        assert!(!is_unavailable(&error));
        let error = sqlite_error("", "SELECT * FROM no_such_table");
        assert!(!is_unavailable(&error));
        assert!(!is_unavailable(&Error::NotFound));
    }
}
