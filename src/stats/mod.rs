//! The figures offices report (docs/statistics.md): cases received, accepted, resolved, escalated,
//! withdrawn, rejected; the success rate; workers; amounts claimed, agreed and actually
//! recovered; collective and overdue cases; counts by category, channel and destination; per
//! partner office, referrals, median hours to accept and to complete, and overdue ones; and the
//! worker's side — online applications, follow-ups due and done, satisfaction — in total and per
//! union office ([`front_door`]); and cases received and closed per month ([`months`]).
//!
//! Counts and sums are aggregate queries in the database, the same on both backends. Medians
//! are taken in Rust over the durations the database returns, because SQLite has no
//! `percentile_cont`.
//!
//! [`for_caller`] is the use case: which offices and which period a caller's request covers.
//! [`compute`] is the figures for a scope already decided.

pub mod front_door;
pub mod handlers;
pub mod months;
pub mod prevention;
pub mod scope;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::caller::Caller;
use crate::auth::policy::Action;
use crate::cases::deadlines::office_zone;
use crate::cases::lifecycle::CaseStatus;
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppError;
use crate::offices::{OfficeKind, DEFAULT_TIME_ZONE};
use crate::referrals::rules::ReferralStatus;
use crate::schema::{cases, offices, referrals};

/// Period and office of `GET /stats`, as the caller asks for them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day counted (cases received on or after it), in the caller's office time zone.
    pub from: Option<NaiveDate>,
    /// Last day counted (inclusive).
    pub to: Option<NaiveDate>,
    /// Only this office and the offices below it.
    pub office_id: Option<String>,
}

/// The period and offices the figures cover.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub offices: Vec<String>,
    /// Cases received (and referrals made) at or after this instant.
    pub from: Option<NaiveDateTime>,
    /// … and before this one.
    pub until: Option<NaiveDateTime>,
    pub now: NaiveDateTime,
    /// `MEDIATION_FOLLOW_UP_DAYS`: when a concluded case's follow-up falls due.
    pub follow_up_days: u32,
    /// The caller's office's time zone's offset from UTC now, in seconds: where its months
    /// begin, for [`months::by_month`].
    pub zone_offset_seconds: i32,
}

/// Per partner office.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct PartnerOfficeStats {
    pub office_id: String,
    pub office_name: String,
    pub kind: OfficeKind,
    pub referrals: i64,
    pub median_hours_to_accept: Option<f64>,
    pub median_hours_to_complete: Option<f64>,
    /// Completed after their due time, or still open past it.
    pub overdue: i64,
}

/// The figures.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Stats {
    pub cases_received: i64,
    pub cases_accepted: i64,
    pub cases_resolved: i64,
    pub cases_escalated: i64,
    pub cases_withdrawn: i64,
    pub cases_rejected: i64,
    /// resolved ÷ (resolved + escalated + withdrawn): of the mediations that ended, the share
    /// that ended settled. `null` when none ended.
    pub success_rate: Option<f64>,
    pub workers_involved: i64,
    pub claimed_amount_fen: i64,
    pub agreed_amount_fen: i64,
    /// From recorded payments only.
    pub recovered_amount_fen: i64,
    pub collective_cases: i64,
    pub overdue_cases: i64,
    pub by_category: BTreeMap<String, i64>,
    pub by_channel: BTreeMap<String, i64>,
    /// Escalated cases by where they went.
    pub by_destination: BTreeMap<String, i64>,
    pub partner_offices: Vec<PartnerOfficeStats>,
    /// Cases received through the `online` channel.
    pub online_applications: i64,
    /// Concluded cases whose follow-up is due now and none is recorded.
    pub follow_ups_due: i64,
    /// Follow-ups recorded in the period.
    pub follow_ups_done: i64,
    /// Survey answers and follow-ups with a satisfaction, given in the period.
    pub satisfaction_responses: i64,
    /// The share of those responses rating 4 or 5, to four places; `null` without responses.
    pub satisfaction_rate: Option<f64>,
    /// The five figures above for each union office in scope, sorted by name.
    pub union_offices: Vec<front_door::UnionOfficeStats>,
    /// Cases received and closed per month, in the caller's office's time zone: every month
    /// from the first to the last with either, in order.
    pub by_month: Vec<months::MonthStats>,
    /// Risk screening and consultations ([`prevention`], docs/prevention.md).
    pub prevention: prevention::PreventionStats,
}

/// `CAST(COALESCE(SUM(CASE WHEN <condition> THEN 1 ELSE 0 END), 0) AS BIGINT)`.
pub(crate) fn count_where(condition: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)")
}

fn sum_of(column: &str) -> String {
    format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)")
}

/// Outside any real period: for open-ended `from`/`until`.
pub(crate) fn earliest() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(1900, 1, 1)
        .unwrap_or_default()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
}

pub(crate) fn latest() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .unwrap_or_default()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
}

/// The cases in scope: received in the period by one of the offices.
pub(crate) fn cases_in(
    query: &StatsQuery,
) -> Box<dyn BoxableExpression<cases::table, MultiBackend, SqlType = Bool>> {
    Box::new(
        cases::office_id
            .eq_any(query.offices.clone())
            .and(cases::received_at.ge(query.from.unwrap_or_else(earliest)))
            .and(cases::received_at.lt(query.until.unwrap_or_else(latest))),
    )
}

/// The referrals in scope: made in the period on cases of the offices.
fn referrals_in(
    query: &StatsQuery,
) -> Box<dyn BoxableExpression<referrals::table, MultiBackend, SqlType = Bool>> {
    Box::new(
        referrals::case_id
            .eq_any(
                cases::table
                    .filter(cases::office_id.eq_any(query.offices.clone()))
                    .select(cases::id),
            )
            .and(referrals::created_at.ge(query.from.unwrap_or_else(earliest)))
            .and(referrals::created_at.lt(query.until.unwrap_or_else(latest))),
    )
}

/// Counts per value of a text column over the cases in scope.
fn grouped(
    connection: &mut DbConnection,
    query: &StatsQuery,
    column: &str,
) -> QueryResult<BTreeMap<String, i64>> {
    let base = cases::table.filter(cases_in(query));
    let count = sql::<BigInt>("CAST(COUNT(*) AS BIGINT)");
    let rows: Vec<(Option<String>, i64)> = match column {
        "category" => base
            .group_by(cases::category)
            .select((cases::category.nullable(), count))
            .load(connection)?,
        "channel" => base
            .group_by(cases::channel)
            .select((cases::channel.nullable(), count))
            .load(connection)?,
        _ => base
            .filter(cases::status.eq(CaseStatus::Escalated.as_str()))
            .group_by(cases::escalated_to)
            .select((cases::escalated_to, count))
            .load(connection)?,
    };
    Ok(rows
        .into_iter()
        .map(|(key, count)| (key.unwrap_or_else(|| "unspecified".into()), count))
        .collect())
}

/// Computes the figures for `query`.
pub fn compute(connection: &mut DbConnection, query: &StatsQuery) -> QueryResult<Stats> {
    let open = "status IN ('intake', 'accepted', 'in_mediation')";
    let totals: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) = cases::table
        .filter(cases_in(query))
        .select((
            sql::<BigInt>("CAST(COUNT(*) AS BIGINT)"),
            sql::<BigInt>(&count_where("accepted_at IS NOT NULL")),
            sql::<BigInt>(&count_where("status = 'resolved'")),
            sql::<BigInt>(&count_where("status = 'escalated'")),
            sql::<BigInt>(&count_where("status = 'withdrawn'")),
            sql::<BigInt>(&count_where("status = 'rejected'")),
            sql::<BigInt>(&sum_of("workers_involved")),
            sql::<BigInt>(&sum_of("claimed_amount_fen")),
            sql::<BigInt>(&sum_of("agreed_amount_fen")),
            sql::<BigInt>(&sum_of("recovered_amount_fen")),
            sql::<BigInt>(&count_where("collective")),
            sql::<BigInt>(&format!(
                "CAST(COALESCE(SUM(CASE WHEN {open} AND deadline_passes_at <= "
            ))
            .bind::<Timestamp, _>(query.now)
            .sql(" THEN 1 ELSE 0 END), 0) AS BIGINT)"),
        ))
        .first(connection)?;
    let (
        received,
        accepted,
        resolved,
        escalated,
        withdrawn,
        rejected,
        workers,
        claimed,
        agreed,
        recovered,
        collective,
        overdue,
    ) = totals;
    let front_door = front_door::compute(connection, query)?;
    Ok(Stats {
        cases_received: received,
        cases_accepted: accepted,
        cases_resolved: resolved,
        cases_escalated: escalated,
        cases_withdrawn: withdrawn,
        cases_rejected: rejected,
        success_rate: success_rate(resolved, escalated, withdrawn),
        workers_involved: workers,
        claimed_amount_fen: claimed,
        agreed_amount_fen: agreed,
        recovered_amount_fen: recovered,
        collective_cases: collective,
        overdue_cases: overdue,
        by_category: grouped(connection, query, "category")?,
        by_channel: grouped(connection, query, "channel")?,
        by_destination: grouped(connection, query, "destination")?,
        partner_offices: partner_offices(connection, query)?,
        online_applications: front_door.total.online,
        follow_ups_due: front_door.total.due,
        follow_ups_done: front_door.total.done,
        satisfaction_responses: front_door.total.responses,
        satisfaction_rate: front_door.total.rate(),
        union_offices: front_door.offices,
        by_month: months::by_month(connection, query)?,
        prevention: prevention::compute(connection, query)?,
    })
}

/// The figures `caller` may read for `params` (docs/statistics.md): a role that reads no
/// figures is 403 (`Action::ViewStatistics`, whichever front door asks); a `to` before `from` is
/// 400 `invalid_query` before anything is read; the days are read in the caller's office's time
/// zone (an admin without an office: the default zone), `to` inclusive; the scope is
/// [`scope::offices_in_scope`]; `office_id` narrows it to that office and those below, and is
/// 404 unless the office is itself in scope. A concluded case's follow-up is due
/// `follow_up_days` after it concluded (`MEDIATION_FOLLOW_UP_DAYS`).
pub fn for_caller(
    connection: &mut DbConnection,
    caller: &Caller,
    params: StatsParams,
    now: DateTime<Utc>,
    follow_up_days: u32,
) -> Result<Stats, AppError> {
    let query = query_for(connection, caller, params, now, follow_up_days)?;
    Ok(compute(connection, &query)?)
}

/// The scope and period of [`for_caller`], checked and decided, before any figure is counted:
/// the exports (`exports::stats`) count the same scope in total and office by office.
pub fn query_for(
    connection: &mut DbConnection,
    caller: &Caller,
    params: StatsParams,
    now: DateTime<Utc>,
    follow_up_days: u32,
) -> Result<StatsQuery, AppError> {
    caller.require(Action::ViewStatistics)?;
    if let (Some(from), Some(to)) = (params.from, params.to) {
        if to < from {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                detail: crate::msg!("detail.invalid_query.period"),
            });
        }
    }
    let zone_name = match &caller.office_id {
        Some(office) => crate::offices::find(connection, office)?.time_zone,
        None => DEFAULT_TIME_ZONE.to_owned(),
    };
    let zone = office_zone(&zone_name);
    // A day that starts in a skipped hour (daylight saving) has no first instant: no bound.
    let start_of = |day: NaiveDate| {
        zone.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.naive_utc())
    };
    let mut in_scope = scope::offices_in_scope(connection, caller)?;
    if let Some(office) = &params.office_id {
        let below = crate::offices::with_descendants(connection, office)?;
        if !in_scope.contains(office) {
            return Err(AppError::NotFound);
        }
        in_scope.retain(|id| below.contains(id));
    }
    let query = StatsQuery {
        offices: in_scope,
        from: params.from.and_then(start_of),
        until: params
            .to
            .and_then(|to| to.checked_add_days(Days::new(1)))
            .and_then(start_of),
        now: now.naive_utc(),
        follow_up_days,
        zone_offset_seconds: now.with_timezone(&zone).offset().fix().local_minus_utc(),
    };
    Ok(query)
}

/// resolved ÷ (resolved + escalated + withdrawn), rounded to four places.
pub fn success_rate(resolved: i64, escalated: i64, withdrawn: i64) -> Option<f64> {
    let concluded = resolved + escalated + withdrawn;
    (concluded > 0).then(|| ((resolved as f64 / concluded as f64) * 10_000.0).round() / 10_000.0)
}

/// The median of `values` (`None` when empty), rounded to two places.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let median = if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    };
    Some((median * 100.0).round() / 100.0)
}

fn hours(delta: TimeDelta) -> f64 {
    delta.num_seconds() as f64 / 3600.0
}

type ReferralTimes = (
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn partner_offices(
    connection: &mut DbConnection,
    query: &StatsQuery,
) -> QueryResult<Vec<PartnerOfficeStats>> {
    let open = [
        ReferralStatus::Pending.as_str(),
        ReferralStatus::Accepted.as_str(),
    ];
    let counts: Vec<(String, i64, i64)> = referrals::table
        .filter(referrals_in(query))
        .group_by(referrals::office_id)
        .select((
            referrals::office_id,
            sql::<BigInt>("CAST(COUNT(*) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(CASE WHEN (completed_at IS NOT NULL AND completed_at > due_at) OR (status IN ('")
                .sql(open[0])
                .sql("', '")
                .sql(open[1])
                .sql("') AND due_at <= ")
                .bind::<Timestamp, _>(query.now)
                .sql(") THEN 1 ELSE 0 END), 0) AS BIGINT)"),
        ))
        .load(connection)?;
    let times: Vec<ReferralTimes> = referrals::table
        .filter(referrals_in(query))
        .filter(
            referrals::accepted_at
                .is_not_null()
                .or(referrals::completed_at.is_not_null()),
        )
        .select((
            referrals::office_id,
            referrals::created_at,
            referrals::accepted_at,
            referrals::completed_at,
        ))
        .load(connection)?;
    let mut to_accept: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut to_complete: HashMap<&str, Vec<f64>> = HashMap::new();
    for (office, created, accepted, completed) in &times {
        if let Some(accepted) = accepted {
            to_accept
                .entry(office)
                .or_default()
                .push(hours(*accepted - *created));
        }
        if let Some(completed) = completed {
            to_complete
                .entry(office)
                .or_default()
                .push(hours(*completed - *created));
        }
    }
    let ids: Vec<&str> = counts.iter().map(|c| c.0.as_str()).collect();
    let names: HashMap<String, (String, OfficeKind)> = offices::table
        .filter(offices::id.eq_any(ids))
        .select((offices::id, offices::name, offices::kind))
        .load::<(String, String, OfficeKind)>(connection)?
        .into_iter()
        .map(|(id, name, kind)| (id, (name, kind)))
        .collect();
    let mut result: Vec<PartnerOfficeStats> = counts
        .into_iter()
        // Every referral's office exists (a foreign key), so none is left out here.
        .filter_map(|(office_id, referrals, overdue)| {
            let (name, kind) = names.get(&office_id).cloned()?;
            Some(PartnerOfficeStats {
                median_hours_to_accept: median(
                    to_accept.remove(office_id.as_str()).unwrap_or_default(),
                ),
                median_hours_to_complete: median(
                    to_complete.remove(office_id.as_str()).unwrap_or_default(),
                ),
                office_name: name,
                kind,
                office_id,
                referrals,
                overdue,
            })
        })
        .collect();
    result.sort_by(|a, b| a.office_name.cmp(&b.office_name));
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_success_rate_is_resolved_over_ended_mediations() {
        assert_eq!(success_rate(395, 150, 39), Some(0.6764));
        assert_eq!(success_rate(0, 0, 0), None);
        assert_eq!(success_rate(1, 0, 0), Some(1.0));
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }
}
