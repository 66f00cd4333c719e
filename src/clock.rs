//! The service's notion of "now".
//!
//! Statutory deadlines and token expiry depend on the date, so time is read through a [`Clock`]
//! that tests can move forward ("16 days later…") without sleeping.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, DurationRound, Utc};

/// Where the current time comes from.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Added to the system time; only ever non-zero in tests.
    offset: Arc<RwLock<Duration>>,
}

impl Clock {
    /// The real system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, truncated to microseconds ([`to_stored_precision`]).
    pub fn now(&self) -> DateTime<Utc> {
        let offset = *self
            .offset
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        to_stored_precision(Utc::now() + offset)
    }

    /// Moves this clock (and every clone of it) forward; for tests and demos.
    pub fn advance(&self, by: Duration) {
        let mut offset = self
            .offset
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *offset += by;
    }
}

/// `at` truncated to microseconds, what PostgreSQL stores, so a time written and read back
/// compares equal on both backends (SQLite would keep the nanoseconds).
pub fn to_stored_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::microseconds(1)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_a_clone_moves_every_clone() {
        let clock = Clock::system();
        let shared = clock.clone();
        let before = clock.now();
        shared.advance(Duration::days(16));
        assert!(clock.now() - before >= Duration::days(16));
    }
}
