//! The figures of the worker's side (docs/statistics.md, "Online applications, follow-ups and
//! satisfaction"), per union office in scope and in total: online applications, follow-ups due
//! and done, satisfaction responses and the share of satisfied workers.
//!
//! One grouped query per figure group, whatever the number of offices: the cases (online
//! applications and follow-ups due), the follow-ups recorded, the survey answers, and the
//! offices' names. The totals are the sums of the offices' counts.

use std::collections::HashMap;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use super::{cases_in, count_where, earliest, latest, StatsQuery};
use crate::cases::Channel;
use crate::db::DbConnection;
use crate::follow_ups::rules;
use crate::offices::OfficeKind;
use crate::schema::{cases, follow_ups, offices, surveys};

/// The worker's side of one union office.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct UnionOfficeStats {
    pub office_id: String,
    pub office_name: String,
    /// Cases of the period received through the `online` channel.
    pub online_applications: i64,
    /// Concluded cases of the period whose follow-up is due now and none is recorded.
    pub follow_ups_due: i64,
    /// Follow-ups recorded in the period.
    pub follow_ups_done: i64,
    /// Survey answers and follow-ups with a satisfaction, given in the period.
    pub satisfaction_responses: i64,
    /// The share of those responses rating 4 or 5, to four places; `null` without responses.
    pub satisfaction_rate: Option<f64>,
}

/// The counts of one office (or of the whole scope) before the rate is taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub online: i64,
    pub due: i64,
    pub done: i64,
    pub responses: i64,
    pub satisfied: i64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.online += other.online;
        self.due += other.due;
        self.done += other.done;
        self.responses += other.responses;
        self.satisfied += other.satisfied;
    }

    pub fn rate(&self) -> Option<f64> {
        rules::satisfaction_rate(self.satisfied, self.responses)
    }

    fn view(self, office_id: String, office_name: String) -> UnionOfficeStats {
        UnionOfficeStats {
            office_id,
            office_name,
            online_applications: self.online,
            follow_ups_due: self.due,
            follow_ups_done: self.done,
            satisfaction_responses: self.responses,
            satisfaction_rate: self.rate(),
        }
    }
}

/// The totals over the scope, and each union office in scope sorted by name.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontDoor {
    pub total: Counts,
    pub offices: Vec<UnionOfficeStats>,
}

/// The satisfied among the rows: a rating of 4 or more in `column`.
fn satisfied_in(column: &str) -> String {
    count_where(&format!("{column} >= {}", rules::SATISFIED_FROM))
}

/// `status IN ('resolved', …)`: the concluded statuses, as SQL.
fn concluded_status_list() -> String {
    rules::concluded_statuses()
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

const COUNT: &str = "CAST(COUNT(*) AS BIGINT)";

/// Computes the worker's-side figures for `query`.
pub fn compute(connection: &mut DbConnection, query: &StatsQuery) -> QueryResult<FrontDoor> {
    let (from, until) = (
        query.from.unwrap_or_else(earliest),
        query.until.unwrap_or_else(latest),
    );
    let cutoff = rules::due_if_concluded_by(query.now, query.follow_up_days);
    let mut counts: HashMap<String, Counts> = HashMap::new();

    let online = count_where(&format!("channel = '{}'", Channel::Online.as_str()));
    let case_rows: Vec<(String, i64, i64)> = cases::table
        .filter(cases_in(query))
        .group_by(cases::office_id)
        .select((
            cases::office_id,
            sql::<BigInt>(&online),
            // Concluded at or before the cutoff, and no follow-up recorded.
            sql::<BigInt>(&format!(
                "CAST(COALESCE(SUM(CASE WHEN status IN ({}) AND concluded_at <= ",
                concluded_status_list()
            ))
            .bind::<Timestamp, _>(cutoff)
            .sql(
                " AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.case_id = cases.id) \
                 THEN 1 ELSE 0 END), 0) AS BIGINT)",
            ),
        ))
        .load(connection)?;
    for (office, online, due) in case_rows {
        let entry = counts.entry(office).or_default();
        entry.online += online;
        entry.due += due;
    }

    let follow_up_rows: Vec<(String, i64, i64, i64)> = follow_ups::table
        .inner_join(cases::table.on(cases::id.eq(follow_ups::case_id)))
        .filter(cases::office_id.eq_any(query.offices.clone()))
        .filter(follow_ups::created_at.ge(from))
        .filter(follow_ups::created_at.lt(until))
        .group_by(cases::office_id)
        .select((
            cases::office_id,
            sql::<BigInt>(COUNT),
            sql::<BigInt>(&count_where("follow_ups.satisfaction IS NOT NULL")),
            sql::<BigInt>(&satisfied_in("follow_ups.satisfaction")),
        ))
        .load(connection)?;
    for (office, done, rated, satisfied) in follow_up_rows {
        let entry = counts.entry(office).or_default();
        entry.done += done;
        entry.responses += rated;
        entry.satisfied += satisfied;
    }

    let survey_rows: Vec<(String, i64, i64)> = surveys::table
        .inner_join(cases::table.on(cases::id.eq(surveys::case_id)))
        .filter(cases::office_id.eq_any(query.offices.clone()))
        .filter(surveys::satisfaction.is_not_null())
        .filter(surveys::answered_at.ge(from))
        .filter(surveys::answered_at.lt(until))
        .group_by(cases::office_id)
        .select((
            cases::office_id,
            sql::<BigInt>(COUNT),
            sql::<BigInt>(&satisfied_in("surveys.satisfaction")),
        ))
        .load(connection)?;
    for (office, answered, satisfied) in survey_rows {
        let entry = counts.entry(office).or_default();
        entry.responses += answered;
        entry.satisfied += satisfied;
    }

    let names: Vec<(String, String)> = offices::table
        .filter(offices::id.eq_any(query.offices.clone()))
        .filter(offices::kind.eq(OfficeKind::Union.as_str()))
        .select((offices::id, offices::name))
        .load(connection)?;
    let mut total = Counts::default();
    for office in counts.values() {
        total.add(*office);
    }
    let mut offices: Vec<UnionOfficeStats> = names
        .into_iter()
        .map(|(id, name)| {
            let office = counts.get(&id).copied().unwrap_or_default();
            office.view(id, name)
        })
        .collect();
    // Sorted here, not in SQL, so the order is the same on both backends whatever their collation.
    offices.sort_by(|a, b| (&a.office_name, &a.office_id).cmp(&(&b.office_name, &b.office_id)));
    Ok(FrontDoor { total, offices })
}
