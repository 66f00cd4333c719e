//! The thread that hears the other nodes' changes and evicts what they name: one per process,
//! with its own connection (not one of the pool's), started by `startup`.
//!
//! PostgreSQL: `LISTEN mediation_sessions`, looking for notifications every
//! [`NOTIFY_CHECK`] (diesel's `PgConnection::notifications_iter` does not block) and proving the
//! connection alive with `SELECT 1` every [`PING_INTERVAL`]. SQLite, whose processes share a file
//! but no channel: the rows of `session_revocations` above the last one seen, every
//! [`POLL_INTERVAL`]; rows older than [`KEEP_ROWS`] are deleted now and then.
//!
//! If the connection drops or a query fails, the cache is emptied and bypassed (every request
//! checks the database) until the listener has reconnected and is listening again; it retries
//! with a growing pause. The thread ends when its cache is dropped.

use std::sync::{Arc, Weak};
use std::thread::sleep;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::dsl::max;
use diesel::prelude::*;

use super::{SessionCache, Target, CHANNEL, STALE_AFTER};
use crate::clock::Clock;
use crate::config::DatabaseUrl;
use crate::db::DbConnection;
use crate::schema::session_revocations;

/// How often a SQLite node reads the revocations other processes wrote: its window.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// How often a PostgreSQL node looks at what its listening connection received.
pub const NOTIFY_CHECK: Duration = Duration::from_millis(10);

/// How often a PostgreSQL node proves its listening connection alive.
pub const PING_INTERVAL: Duration = Duration::from_secs(1);

/// How long a `session_revocations` row is kept: far longer than any listener that still
/// trusts its cache can lag ([`STALE_AFTER`]).
pub const KEEP_ROWS: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

const PRUNE_EVERY: Duration = Duration::from_secs(60);
const LONGEST_RETRY: Duration = Duration::from_secs(10);

/// Starts the listener of `cache` on the database at `url`; nothing when the cache is off.
pub fn start(cache: &Arc<SessionCache>, url: &DatabaseUrl, clock: Clock) -> std::io::Result<()> {
    if !cache.is_enabled() {
        return Ok(());
    }
    let (cache, url) = (Arc::downgrade(cache), url.clone());
    std::thread::Builder::new()
        .name("session-listener".into())
        .spawn(move || run(&cache, &url, &clock))?;
    Ok(())
}

fn run(cache: &Weak<SessionCache>, url: &DatabaseUrl, clock: &Clock) {
    let mut pause = Duration::from_millis(250);
    let mut outage = false;
    while cache.strong_count() > 0 {
        let outcome = match url {
            DatabaseUrl::Postgres { url } => listen_postgres(cache, url),
            DatabaseUrl::Sqlite { .. } => poll_sqlite(cache, url, clock),
        };
        let Err(error) = outcome else { return };
        if let Some(cache) = cache.upgrade() {
            cache.deaf();
        }
        if error.heard {
            pause = Duration::from_millis(250);
            outage = false;
        }
        if !outage {
            tracing::warn!(error = %error.message,
                "session cache: not hearing revocations; every request checks the database until it is back");
            outage = true;
        }
        sleep(pause);
        pause = (pause * 2).min(LONGEST_RETRY);
    }
}

/// Why listening stopped, and whether it had been listening before (so the pause starts over).
struct Stopped {
    message: String,
    heard: bool,
}

fn stopped(heard: bool) -> impl Fn(diesel::result::Error) -> Stopped {
    move |error| Stopped {
        message: error.to_string(),
        heard,
    }
}

/// Listens until the connection fails (`Err`) or the cache is gone (`Ok`).
fn listen_postgres(cache: &Weak<SessionCache>, url: &str) -> Result<(), Stopped> {
    let mut connection = diesel::PgConnection::establish(url).map_err(|e| Stopped {
        message: e.to_string(),
        heard: false,
    })?;
    connection
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(stopped(false))?;
    let Some(listening) = cache.upgrade() else {
        return Ok(());
    };
    listening.listening_again();
    drop(listening);
    tracing::info!("session cache: listening for revocations (PostgreSQL NOTIFY)");
    let mut pinged = Instant::now();
    loop {
        let Some(cache) = cache.upgrade() else {
            return Ok(());
        };
        for notification in connection.notifications_iter() {
            let notification = notification.map_err(stopped(true))?;
            cache.evict(&Target::decode(&notification.payload), false);
        }
        if pinged.elapsed() >= PING_INTERVAL {
            connection
                .batch_execute("SELECT 1")
                .map_err(stopped(true))?;
            pinged = Instant::now();
            cache.heard();
        }
        drop(cache);
        sleep(NOTIFY_CHECK);
    }
}

/// Polls until a query fails (`Err`) or the cache is gone (`Ok`).
fn poll_sqlite(
    cache: &Weak<SessionCache>,
    url: &DatabaseUrl,
    clock: &Clock,
) -> Result<(), Stopped> {
    // A short lock wait: only the occasional prune writes, and it may simply wait for the next.
    let mut connection =
        DbConnection::open_waiting(url, Duration::from_millis(100)).map_err(|e| Stopped {
            message: e.to_string(),
            heard: false,
        })?;
    let mut last_seen: i64 = session_revocations::table
        .select(max(session_revocations::id))
        .first::<Option<i64>>(&mut connection)
        .map_err(stopped(false))?
        .unwrap_or(0);
    let Some(listening) = cache.upgrade() else {
        return Ok(());
    };
    listening.listening_again();
    drop(listening);
    tracing::info!("session cache: listening for revocations (SQLite, polling)");
    let (mut polled, mut pruned) = (Instant::now(), Instant::now());
    loop {
        sleep(POLL_INTERVAL);
        let Some(cache) = cache.upgrade() else {
            return Ok(());
        };
        let rows: Vec<(i64, String)> = session_revocations::table
            .filter(session_revocations::id.gt(last_seen))
            .order(session_revocations::id.asc())
            .select((session_revocations::id, session_revocations::target))
            .load(&mut connection)
            .map_err(stopped(true))?;
        if polled.elapsed() >= STALE_AFTER {
            // This thread was held up: rows may have been pruned meanwhile, so forget everything.
            cache.listening_again();
        }
        for (id, target) in rows {
            cache.evict(&Target::decode(&target), false);
            last_seen = id;
        }
        cache.heard();
        polled = Instant::now();
        if pruned.elapsed() >= PRUNE_EVERY {
            pruned = Instant::now();
            let before = clock.now().naive_utc() - KEEP_ROWS;
            let deleted = diesel::delete(
                session_revocations::table.filter(session_revocations::created_at.lt(before)),
            )
            .execute(&mut connection);
            if let Err(error) = deleted {
                tracing::debug!(%error, "session cache: old revocations not pruned this time");
            }
        }
    }
}
