//! Sign-in throttling per email — known or unknown alike, so that a lockout answer reveals
//! nothing about which emails have accounts. Every attempt is counted before its password is
//! checked; after `max_failed_logins` attempts without a success the email is locked for the
//! configured time; a successful sign-in clears the count.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

use crate::db::DbConnection;
use crate::schema::login_throttle;

/// The rest of a lock that ends at `until`; `None` once it has passed.
pub fn remaining_lock(
    until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Option<chrono::Duration> {
    until.filter(|until| *until > now).map(|until| until - now)
}

/// What [`reserve_attempt`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The password may be checked. `locks_on_failure`: this attempt was the last one allowed,
    /// so if it fails the email is now locked (answer 429, not 401).
    Allowed { locks_on_failure: bool },
    /// Locked for this long: refuse without checking the password.
    Locked(chrono::Duration),
}

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamp>)]
    locked_until: Option<NaiveDateTime>,
}

/// Counts an attempt for `email` *before* its password is checked, and refuses once `max`
/// attempts have been counted within the lock window. Call inside a write transaction (it locks
/// the email's row on PostgreSQL; SQLite's write transactions are exclusive).
///
/// Why before, and why a row lock: counting only failures, after the (deliberately slow)
/// password check, let twenty guesses sent at once all pass the "is it locked?" test before any
/// of them was counted — 11 or 12 checks per lock instead of 5, and a correct password in the
/// burst cleared the lock. Reserving first means at most `max` password checks per window,
/// whatever the concurrency; a success releases the reservation with [`clear`].
pub fn reserve_attempt(
    connection: &mut DbConnection,
    email_normalized: &str,
    now: NaiveDateTime,
    max: i32,
    lockout: chrono::Duration,
) -> QueryResult<Attempt> {
    diesel::sql_query(
        "INSERT INTO login_throttle (email_normalized, failures, locked_until, last_failure_at) \
         VALUES ($1, 0, NULL, $2) ON CONFLICT (email_normalized) DO NOTHING",
    )
    .bind::<Text, _>(email_normalized)
    .bind::<Timestamp, _>(now)
    .execute(connection)?;
    let row_lock = if connection.is_postgres() {
        " FOR UPDATE"
    } else {
        ""
    };
    let counter: Counter = diesel::sql_query(format!(
        "SELECT failures, locked_until FROM login_throttle WHERE email_normalized = $1{row_lock}"
    ))
    .bind::<Text, _>(email_normalized)
    .get_result(connection)?;
    let decision = next_attempt(counter.failures, counter.locked_until, now, max, lockout);
    let (failures, locked_until, attempt) = match decision {
        Ok(reserved) => reserved,
        Err(remaining) => return Ok(Attempt::Locked(remaining)),
    };
    diesel::update(login_throttle::table.find(email_normalized))
        .set((
            login_throttle::failures.eq(failures),
            login_throttle::locked_until.eq(locked_until),
            login_throttle::last_failure_at.eq(now),
        ))
        .execute(connection)?;
    Ok(attempt)
}

/// The pure rule behind [`reserve_attempt`]: from the stored count and lock, either the new
/// count and lock with the attempt allowed, or the rest of the lock.
fn next_attempt(
    failures: i32,
    locked_until: Option<NaiveDateTime>,
    now: NaiveDateTime,
    max: i32,
    lockout: chrono::Duration,
) -> Result<(i32, Option<NaiveDateTime>, Attempt), chrono::Duration> {
    if let Some(remaining) = remaining_lock(locked_until, now) {
        if failures >= max {
            return Err(remaining);
        }
    }
    // A lock that has run out starts a fresh count.
    let failures = if locked_until.is_some_and(|until| until <= now) {
        0
    } else {
        failures
    };
    let counted = failures + 1;
    let locks = counted >= max;
    let locked_until = locks.then(|| now + lockout);
    Ok((
        counted,
        locked_until,
        Attempt::Allowed {
            locks_on_failure: locks,
        },
    ))
}

/// Forgets the failures of `email` after a successful sign-in.
pub fn clear(connection: &mut DbConnection, email_normalized: &str) -> QueryResult<usize> {
    diesel::delete(login_throttle::table.find(email_normalized)).execute(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(9, minute, 0))
            .expect("a valid time")
    }

    #[test]
    fn the_fifth_attempt_is_the_last_checked_and_the_sixth_is_refused_unchecked() {
        let lockout = chrono::Duration::minutes(15);
        let mut stored = (0, None);
        for attempt in 1..=5 {
            let (failures, until, decision) =
                next_attempt(stored.0, stored.1, at(0), 5, lockout).expect("allowed");
            assert_eq!(failures, attempt);
            assert_eq!(
                decision,
                Attempt::Allowed {
                    locks_on_failure: attempt == 5
                }
            );
            stored = (failures, until);
        }
        assert_eq!(
            next_attempt(stored.0, stored.1, at(1), 5, lockout),
            Err(chrono::Duration::minutes(14))
        );
    }

    #[test]
    fn an_expired_lock_starts_a_fresh_count() {
        let lockout = chrono::Duration::minutes(15);
        let (failures, until, decision) =
            next_attempt(5, Some(at(15)), at(16), 5, lockout).expect("allowed again");
        assert_eq!((failures, until), (1, None));
        assert_eq!(
            decision,
            Attempt::Allowed {
                locks_on_failure: false
            }
        );
    }

    #[test]
    fn a_lock_lasts_until_its_end_and_not_after() {
        let now = chrono::DateTime::from_timestamp(1_763_600_000, 0)
            .unwrap()
            .naive_utc();
        let until = now + chrono::Duration::minutes(15);
        assert_eq!(
            remaining_lock(Some(until), now),
            Some(chrono::Duration::minutes(15))
        );
        assert_eq!(remaining_lock(Some(until), until), None);
        assert_eq!(remaining_lock(None, now), None);
    }
}
