//! Fixed-window counters for the public endpoints, kept in the database so that every API node
//! counts the same requests.
//!
//! Why: without an account, the only things to count are what a request names — a phone, a
//! case number — and where it comes from. A lookup of a case by number and access code must not
//! become a way to guess codes, nor a verification form a way to text a stranger's phone a
//! hundred times. Each counter is named by a digest of its key, so the table holds no phone
//! number or address.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

use crate::db::DbConnection;
use crate::domain::protect::PersonalData;
use crate::error::AppError;

/// How many requests a key may make in a window.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Names the counter, e.g. `track:case`.
    pub name: &'static str,
    pub max_hits: i32,
    pub window_seconds: i64,
}

/// Verification codes texted to one phone: three per ten minutes.
pub const CODES_PER_PHONE: Limit = Limit {
    name: "verify:phone",
    max_hits: 3,
    window_seconds: 600,
};
/// Verification codes asked from one address: twenty an hour.
pub const CODES_PER_ADDRESS: Limit = Limit {
    name: "verify:address",
    max_hits: 20,
    window_seconds: 3600,
};
/// Applications from one address: ten an hour (a union volunteer may help several workers).
pub const APPLICATIONS_PER_ADDRESS: Limit = Limit {
    name: "apply:address",
    max_hits: 10,
    window_seconds: 3600,
};
/// Lookups of one case number: ten per fifteen minutes, right code or wrong.
pub const LOOKUPS_PER_CASE: Limit = Limit {
    name: "track:case",
    max_hits: 10,
    window_seconds: 900,
};
/// Lookups from one address: thirty per fifteen minutes.
pub const LOOKUPS_PER_ADDRESS: Limit = Limit {
    name: "track:address",
    max_hits: 30,
    window_seconds: 900,
};
/// Survey answers and views from one address: twenty an hour.
pub const SURVEYS_PER_ADDRESS: Limit = Limit {
    name: "survey:address",
    max_hits: 20,
    window_seconds: 3600,
};

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Timestamp)]
    window_started_at: NaiveDateTime,
}

/// Counts one request of `key` against `limit`, in its own statement so that it counts even
/// when the request then fails; 429 `too_many_requests` with the seconds until the window ends
/// once the count passes the limit.
pub fn hit(
    connection: &mut DbConnection,
    personal_data: &PersonalData,
    limit: Limit,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let bucket = format!(
        "{}:{}",
        limit.name,
        personal_data.search_hash(&format!("throttle:{}:{key}", limit.name))
    );
    let now = now.naive_utc();
    let window = Duration::seconds(limit.window_seconds);
    let counted: Counted = diesel::sql_query(
        "INSERT INTO public_throttle (bucket, window_started_at, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
           hits = CASE WHEN public_throttle.window_started_at <= $3 THEN 1 ELSE public_throttle.hits + 1 END, \
           window_started_at = CASE WHEN public_throttle.window_started_at <= $3 THEN $2 \
                                    ELSE public_throttle.window_started_at END \
         RETURNING hits, window_started_at",
    )
    .bind::<Text, _>(bucket)
    .bind::<Timestamp, _>(now)
    .bind::<Timestamp, _>(now - window)
    .get_result(connection)?;
    if counted.hits <= limit.max_hits {
        return Ok(());
    }
    let retry_after = (counted.window_started_at + window - now)
        .num_seconds()
        .max(1);
    Err(AppError::TooManyRequests {
        code: "too_many_requests",
        detail: crate::msg!("detail.too_many_requests", seconds = retry_after),
        retry_after_seconds: retry_after as u64,
    })
}
