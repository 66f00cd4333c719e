//! Sign-in throttling per email — known or unknown alike, so that a lockout answer reveals
//! nothing about which emails have accounts. After `max_failed_logins` consecutive failures the
//! email is locked for the configured time; a successful sign-in clears the count.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

use crate::db::DbConnection;
use crate::schema::login_throttle;

/// How long `email` stays locked from `now`, if it is.
pub fn locked_for(
    connection: &mut DbConnection,
    email_normalized: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<chrono::Duration>> {
    let until: Option<Option<NaiveDateTime>> = login_throttle::table
        .find(email_normalized)
        .select(login_throttle::locked_until)
        .first(connection)
        .optional()?;
    Ok(remaining_lock(until.flatten(), now))
}

/// The rest of a lock that ends at `until`; `None` once it has passed.
pub fn remaining_lock(
    until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Option<chrono::Duration> {
    until.filter(|until| *until > now).map(|until| until - now)
}

#[derive(QueryableByName)]
struct Failures {
    #[diesel(sql_type = Integer)]
    failures: i32,
}

/// Counts a failure (atomically, so concurrent guesses all count) and locks the email when the
/// count reaches `max`. Returns the lock's length when this failure caused one.
pub fn record_failure(
    connection: &mut DbConnection,
    email_normalized: &str,
    now: NaiveDateTime,
    max: i32,
    lockout: chrono::Duration,
) -> QueryResult<Option<chrono::Duration>> {
    let counted: Failures = diesel::sql_query(
        "INSERT INTO login_throttle (email_normalized, failures, locked_until, last_failure_at) \
         VALUES ($1, 1, NULL, $2) \
         ON CONFLICT (email_normalized) DO UPDATE \
         SET failures = login_throttle.failures + 1, last_failure_at = excluded.last_failure_at \
         RETURNING failures",
    )
    .bind::<Text, _>(email_normalized)
    .bind::<Timestamp, _>(now)
    .get_result(connection)?;
    if counted.failures < max {
        return Ok(None);
    }
    diesel::update(login_throttle::table.find(email_normalized))
        .set((
            login_throttle::failures.eq(0),
            login_throttle::locked_until.eq(now + lockout),
        ))
        .execute(connection)?;
    Ok(Some(lockout))
}

/// Forgets the failures of `email` after a successful sign-in.
pub fn clear(connection: &mut DbConnection, email_normalized: &str) -> QueryResult<usize> {
    diesel::delete(login_throttle::table.find(email_normalized)).execute(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

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
