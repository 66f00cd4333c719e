//! The prevention figures (docs/prevention.md, docs/statistics.md): risks found in screening
//! (风险隐患排查) by category and by level — how many were found, handled and turned into cases
//! — and consultations (法律咨询) by outcome, with the legal aid granted.
//!
//! Same offices and period as the rest of `/stats`: a risk counts in the period it was reported
//! (`created_at`), a consultation in the period it took place (`consulted_at`). "Handled" means
//! the risk reached `resolved` or `closed`; "turned into a case" means a case was registered
//! from it (`case_id` set), whatever its status.

use std::collections::BTreeMap;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;
use utoipa::ToSchema;

use super::{count_where, earliest, latest, StatsQuery};
use crate::db::DbConnection;
use crate::schema::{consultations, risks};

/// Risks of one category or level (or all of them).
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct RiskCounts {
    /// Reported in the period.
    pub found: i64,
    /// Of those, resolved or closed.
    pub handled: i64,
    /// Of those, a case was registered from.
    pub turned_into_cases: i64,
}

/// The prevention figures: screening and consultations (see the module doc).
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct PreventionStats {
    /// Every risk of the period.
    pub risks: RiskCounts,
    /// By category (`wage_arrears`, `restructuring`, …); categories without risks are absent.
    pub risks_by_category: BTreeMap<String, RiskCounts>,
    /// By level (`low`, `medium`, `high`, `major`); levels without risks are absent.
    pub risks_by_level: BTreeMap<String, RiskCounts>,
    /// Consultations held in the period.
    pub consultations: i64,
    /// Consultations by outcome (`advised`, `became_case`, `legal_aid_granted`, `referred_elsewhere`).
    pub consultations_by_outcome: BTreeMap<String, i64>,
    /// Consultations whose outcome is `legal_aid_granted`.
    pub legal_aid_granted: i64,
    /// Workers on the rosters of the collective cases in scope (received in the period) who
    /// were paid at least what was agreed for them, something having been agreed
    /// (`roster::rules::paid_in_full`; docs/cases.md "Collective disputes").
    pub collective_workers_paid_in_full: i64,
    /// Employers with two or more of the cases in scope (received in the period by the
    /// offices), matched by credit code, else by normalised name (docs/prevention.md,
    /// "Employers"; `employers::count_repeat_employers`).
    pub repeat_employers: i64,
}

const HANDLED: &str = "status IN ('resolved', 'closed')";
const TURNED: &str = "case_id IS NOT NULL";

/// Computes the prevention figures for `query`.
pub fn compute(connection: &mut DbConnection, query: &StatsQuery) -> QueryResult<PreventionStats> {
    let from = query.from.unwrap_or_else(earliest);
    let until = query.until.unwrap_or_else(latest);
    let in_scope = || {
        risks::table
            .filter(risks::office_id.eq_any(query.offices.clone()))
            .filter(risks::created_at.ge(from))
            .filter(risks::created_at.lt(until))
    };
    let counts = || {
        (
            sql::<BigInt>("CAST(COUNT(*) AS BIGINT)"),
            sql::<BigInt>(&count_where(HANDLED)),
            sql::<BigInt>(&count_where(TURNED)),
        )
    };
    let by_category: Vec<(String, i64, i64, i64)> = in_scope()
        .group_by(risks::category)
        .select((risks::category, counts().0, counts().1, counts().2))
        .load(connection)?;
    let by_level: Vec<(String, i64, i64, i64)> = in_scope()
        .group_by(risks::level)
        .select((risks::level, counts().0, counts().1, counts().2))
        .load(connection)?;
    let by_outcome: Vec<(String, i64)> = consultations::table
        .filter(consultations::office_id.eq_any(query.offices.clone()))
        .filter(consultations::consulted_at.ge(from))
        .filter(consultations::consulted_at.lt(until))
        .group_by(consultations::outcome)
        .select((
            consultations::outcome,
            sql::<BigInt>("CAST(COUNT(*) AS BIGINT)"),
        ))
        .load(connection)?;
    let mut stats = assemble(by_category, by_level, by_outcome);
    stats.collective_workers_paid_in_full =
        crate::roster::count_paid_in_full(connection, super::cases_in(query))?;
    stats.repeat_employers =
        crate::employers::count_repeat_employers(connection, query.offices.clone(), from, until)?;
    Ok(stats)
}

/// The figures from the grouped rows; the totals are the sums over the categories.
fn assemble(
    by_category: Vec<(String, i64, i64, i64)>,
    by_level: Vec<(String, i64, i64, i64)>,
    by_outcome: Vec<(String, i64)>,
) -> PreventionStats {
    let keyed = |rows: Vec<(String, i64, i64, i64)>| -> BTreeMap<String, RiskCounts> {
        rows.into_iter()
            .map(|(key, found, handled, turned)| {
                let counts = RiskCounts {
                    found,
                    handled,
                    turned_into_cases: turned,
                };
                (key, counts)
            })
            .collect()
    };
    let risks_by_category = keyed(by_category);
    let risks = risks_by_category
        .values()
        .fold(RiskCounts::default(), |total, c| RiskCounts {
            found: total.found + c.found,
            handled: total.handled + c.handled,
            turned_into_cases: total.turned_into_cases + c.turned_into_cases,
        });
    let consultations_by_outcome: BTreeMap<String, i64> = by_outcome.into_iter().collect();
    PreventionStats {
        risks,
        risks_by_category,
        risks_by_level: keyed(by_level),
        consultations: consultations_by_outcome.values().sum(),
        legal_aid_granted: consultations_by_outcome
            .get("legal_aid_granted")
            .copied()
            .unwrap_or(0),
        consultations_by_outcome,
        collective_workers_paid_in_full: 0,
        repeat_employers: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_the_sums_over_categories_and_legal_aid_is_its_outcome() {
        let stats = assemble(
            vec![
                ("restructuring".into(), 79, 70, 2),
                ("wage_arrears".into(), 241, 230, 9),
            ],
            vec![("high".into(), 20, 18, 5), ("low".into(), 300, 282, 6)],
            vec![("advised".into(), 5), ("legal_aid_granted".into(), 2)],
        );
        assert_eq!(
            stats.risks,
            RiskCounts {
                found: 320,
                handled: 300,
                turned_into_cases: 11
            }
        );
        assert_eq!(stats.risks_by_level["high"].turned_into_cases, 5);
        assert_eq!(stats.consultations, 7);
        assert_eq!(stats.legal_aid_granted, 2);
    }
}
