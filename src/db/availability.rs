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
    // PostgreSQL on a standby or a server being promoted or demoted by a failover manager
    // (pg_auto_failover): 25006 without diesel's kind, 57P04 database_dropped is not here.
    "read-only transaction",
    "recovery is in progress",
    "session is read-only",
    "server is in hot standby mode",
];

/// True when `error` says the database is unreachable, overloaded, locked or full: a condition
/// that retrying later can cure, not a fault of the request or of our code.
pub fn is_unavailable(error: &Error) -> bool {
    match error {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        // 25006 read_only_sql_transaction: this connection reached a server that is (now) a
        // standby, e.g. the old primary after a failover. The connection is discarded and the
        // next one, opened with `target_session_attrs=read-write`, finds the new primary. The
        // service's own read-only snapshots (`db::read_snapshot`) never write, so inside them
        // this error cannot be a fault of ours that a 503 would hide.
        Error::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => true,
        // 40001 on a hot standby (`MEDIATION_READ_DATABASE_URL`): the replay of the primary's
        // changes cancelled this query ("conflict with recovery"). A retry is likely to succeed;
        // other serialization failures stay what they are.
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => info
            .message()
            .to_ascii_lowercase()
            .contains("conflict with recovery"),
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

    fn postgres_error(kind: DatabaseErrorKind, message: &str) -> Error {
        Error::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn what_a_failover_says_is_unavailability_not_a_bug() {
        // The old primary, back as a standby, under a pooled connection (SQLSTATE 25006).
        let read_only = postgres_error(
            DatabaseErrorKind::ReadOnlyTransaction,
            "cannot execute INSERT in a read-only transaction",
        );
        assert!(is_unavailable(&read_only));
        // libpq with target_session_attrs=read-write while no host is the primary yet.
        let no_primary = postgres_error(
            DatabaseErrorKind::Unknown,
            "connection to server at \"127.0.0.1\", port 16502 failed: session is read-only",
        );
        assert!(is_unavailable(&no_primary));
        let replay = postgres_error(
            DatabaseErrorKind::SerializationFailure,
            "canceling statement due to conflict with recovery",
        );
        assert!(is_unavailable(&replay));
        let race = postgres_error(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize access due to concurrent update",
        );
        assert!(!is_unavailable(&race), "a write race is not an outage");
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
