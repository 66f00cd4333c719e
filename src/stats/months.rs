//! Cases received and closed per month (docs/statistics.md, "Per month"): the series the
//! supervisor's chart draws, shared by `GET /stats` and the console's figures page.
//!
//! One aggregate query: the cases received in the period grouped by the month of `received_at`,
//! and — in the same statement, through `UNION ALL` — the cases that concluded in the period
//! grouped by the month of `concluded_at`. Months are those of the caller's office's time zone,
//! shifted in SQL by the zone's offset from UTC (Chinese zones keep one offset all year), so a
//! case received at 07:00 on 1 February in Shanghai (23:00 UTC the day before) counts in
//! February, as the period's `from` and `to` would count it.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use super::{earliest, latest, StatsQuery};
use crate::db::{DbConnection, MultiBackend};
use crate::follow_ups::rules;

/// One month of the series.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct MonthStats {
    /// `YYYY-MM`, in the caller's office's time zone.
    pub month: String,
    /// Cases received that month (by `received_at`).
    pub received: i64,
    /// Cases that reached a concluded status that month (by `concluded_at`): resolved,
    /// escalated, withdrawn or rejected, whenever they were received.
    pub closed: i64,
}

#[derive(QueryableByName)]
struct MonthRow {
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    closed: i64,
}

/// `column` shifted by the bound offset (`$1`) and cut to its month, in each backend's words.
fn month_of(connection: &DbConnection, column: &str) -> String {
    if connection.is_postgres() {
        format!("to_char({column} + CAST($1 AS INTERVAL), 'YYYY-MM')")
    } else {
        format!("strftime('%Y-%m', {column}, $1)")
    }
}

/// The series for `query`: every month from the first to the last that has a received or a
/// closed case, in order, a month between them with neither listed with zeros. Empty when
/// nothing happened (or no office is in scope).
pub fn by_month(connection: &mut DbConnection, query: &StatsQuery) -> QueryResult<Vec<MonthStats>> {
    if query.offices.is_empty() {
        return Ok(Vec::new());
    }
    let offices: Vec<String> = (0..query.offices.len())
        .map(|i| format!("${}", i + 4))
        .collect();
    let offices = offices.join(", ");
    let concluded: Vec<String> = rules::concluded_statuses()
        .iter()
        .map(|status| format!("'{status}'"))
        .collect();
    let statement = format!(
        "SELECT month, CAST(SUM(received) AS BIGINT) AS received, \
                CAST(SUM(closed) AS BIGINT) AS closed FROM ( \
             SELECT {received_month} AS month, 1 AS received, 0 AS closed FROM cases \
             WHERE received_at >= $2 AND received_at < $3 AND office_id IN ({offices}) \
             UNION ALL \
             SELECT {closed_month} AS month, 0 AS received, 1 AS closed FROM cases \
             WHERE concluded_at >= $2 AND concluded_at < $3 AND office_id IN ({offices}) \
               AND status IN ({concluded}) \
         ) per_case GROUP BY month ORDER BY month",
        received_month = month_of(connection, "received_at"),
        closed_month = month_of(connection, "concluded_at"),
        concluded = concluded.join(", "),
    );
    let shift = format!("{:+} seconds", query.zone_offset_seconds);
    let mut sql = diesel::sql_query(statement)
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(shift)
        .bind::<Timestamp, _>(query.from.unwrap_or_else(earliest))
        .bind::<Timestamp, _>(query.until.unwrap_or_else(latest));
    for office in &query.offices {
        sql = sql.bind::<Text, _>(office.clone());
    }
    let rows: Vec<MonthRow> = sql.load(connection)?;
    Ok(without_gaps(
        rows.into_iter()
            .map(|row| MonthStats {
                month: row.month,
                received: row.received,
                closed: row.closed,
            })
            .collect(),
    ))
}

/// The first day of a `YYYY-MM` month.
fn first_day(month: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()
}

/// `months` (sorted, each once) with the months missing between the first and the last added
/// with zeros, so a chart's axis is time, not a list of the busy months.
pub fn without_gaps(months: Vec<MonthStats>) -> Vec<MonthStats> {
    let (Some(first), Some(last)) = (
        months.first().and_then(|m| first_day(&m.month)),
        months.last().and_then(|m| first_day(&m.month)),
    ) else {
        return months;
    };
    let mut known: BTreeMap<String, MonthStats> =
        months.into_iter().map(|m| (m.month.clone(), m)).collect();
    let mut all = Vec::new();
    let mut day = first;
    while day <= last {
        let month = format!("{:04}-{:02}", day.year(), day.month());
        all.push(known.remove(&month).unwrap_or(MonthStats {
            month,
            received: 0,
            closed: 0,
        }));
        let Some(next) = day.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        day = next;
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(month: &str, received: i64, closed: i64) -> MonthStats {
        MonthStats {
            month: month.into(),
            received,
            closed,
        }
    }

    #[test]
    fn months_without_cases_between_busy_ones_are_listed_with_zeros() {
        let filled = without_gaps(vec![month("2025-11", 2, 0), month("2026-02", 1, 3)]);
        assert_eq!(
            filled,
            vec![
                month("2025-11", 2, 0),
                month("2025-12", 0, 0),
                month("2026-01", 0, 0),
                month("2026-02", 1, 3),
            ]
        );
        assert_eq!(without_gaps(Vec::new()), Vec::new());
        assert_eq!(
            without_gaps(vec![month("2026-05", 1, 1)]),
            vec![month("2026-05", 1, 1)]
        );
    }
}
