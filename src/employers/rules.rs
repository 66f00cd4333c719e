//! The employer rules as pure functions: what an intake warns about, what an employer's cases
//! add up to, and why an employer is on the wage-arrears watch-list. The queries in `mod.rs`
//! gather plain rows; these decide (docs/prevention.md, "A repeat employer found at intake").

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::agreements::follow_ups::{allocate, TermInput, TermState};
use crate::cases::lifecycle::CaseStatus;

/// Disputes within [`WATCH_WINDOW_DAYS`] that put an employer on the watch-list.
pub const WATCH_DISPUTES: i64 = 3;
/// The window the disputes are counted in: twelve months.
pub const WATCH_WINDOW_DAYS: i64 = 365;
/// Cases within the period that make an employer a repeat employer in the figures.
pub const REPEAT_EMPLOYER_CASES: i64 = 2;
/// At most this many cases or risks are named in one warning: enough to act on, never a dump.
pub const MAX_NAMED: usize = 20;

/// What an intake warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// An open case has a worker with the same resident ID number.
    PossibleDuplicate,
    /// Open cases or risks against the same employer.
    RepeatEmployer,
}

/// A case named in a warning or a watch-list reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct CaseHit {
    pub case_number: String,
    pub id: String,
}

/// A warning answered with a registered case: what was found, by case number and risk id, only
/// among what the caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Warning {
    pub kind: WarningKind,
    /// The open cases found (case number and id), sorted by case number.
    pub cases: Vec<CaseHit>,
    /// The open risks found (their ids); only for `repeat_employer`.
    pub risks: Vec<String>,
    /// The employer (`/employers/{id}`); only for `repeat_employer`.
    pub employer_id: Option<String>,
}

/// The warnings of an intake from what the queries found: a warning only when it found
/// something, each list sorted, without repeats, and cut at [`MAX_NAMED`].
pub fn build_warnings(
    duplicates: Vec<CaseHit>,
    employer_cases: Vec<CaseHit>,
    employer_risks: Vec<String>,
    employer_id: &str,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let duplicates = named(duplicates);
    if !duplicates.is_empty() {
        warnings.push(Warning {
            kind: WarningKind::PossibleDuplicate,
            cases: duplicates,
            risks: Vec::new(),
            employer_id: None,
        });
    }
    let (cases, risks) = (named(employer_cases), named(employer_risks));
    if !cases.is_empty() || !risks.is_empty() {
        warnings.push(Warning {
            kind: WarningKind::RepeatEmployer,
            cases,
            risks,
            employer_id: Some(employer_id.to_owned()),
        });
    }
    warnings
}

fn named<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items.dedup();
    items.truncate(MAX_NAMED);
    items
}

/// Whether an agreement with these terms has a term past due and not covered by the money paid
/// on the case — the same allocation the agreement's own follow-ups use.
pub fn payment_missed(terms: &[TermInput], paid_fen: i64, today: NaiveDate) -> bool {
    allocate(terms, paid_fen, today)
        .iter()
        .any(|c| c.state == TermState::Missed)
}

/// What an employer's cases add up to, in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub open: i64,
    pub closed: i64,
    pub claimed_fen: i64,
    pub agreed_fen: i64,
    pub paid_fen: i64,
}

/// Sums `(status, claimed, agreed, paid)` of an employer's cases; a case is open until its
/// status is terminal (an agreement still being carried out is open). Saturating: amounts are
/// capped per case far below where a sum could overflow, and never wrap if they were not.
pub fn totals(cases: impl Iterator<Item = (CaseStatus, i64, i64, i64)>) -> Totals {
    cases.fold(Totals::default(), |t, (status, claimed, agreed, paid)| {
        Totals {
            open: t.open + i64::from(!status.is_terminal()),
            closed: t.closed + i64::from(status.is_terminal()),
            claimed_fen: t.claimed_fen.saturating_add(claimed),
            agreed_fen: t.agreed_fen.saturating_add(agreed),
            paid_fen: t.paid_fen.saturating_add(paid),
        }
    })
}

/// Why an employer is on the watch-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WatchReasonKind {
    /// Three or more disputes received in the last twelve months.
    RepeatedDisputes,
    /// A mediation agreement's payment is overdue.
    PaymentOverdue,
    /// An open (or in hand) risk of level high or major.
    HighRisk,
}

/// One reason, with what it counts and names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WatchReason {
    pub kind: WatchReasonKind,
    /// Disputes in the window, cases with an overdue payment, or open high/major risks.
    pub count: i64,
    /// The cases with an overdue payment (`payment_overdue`).
    pub cases: Vec<CaseHit>,
    /// The risks' ids (`high_risk`).
    pub risks: Vec<String>,
}

/// An employer on the watch-list and every reason it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WatchEntry {
    /// The employer's id (`/employers/{id}`).
    pub id: String,
    pub name: String,
    pub reasons: Vec<WatchReason>,
}

/// What one grouped query found about one employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Disputes received in the window.
    Disputes(i64),
    /// A case whose agreement has a missed payment.
    Overdue(CaseHit),
    /// An open high or major risk (its id).
    Risk(String),
}

/// Builds the watch-list from `(employer id, name, signal)` rows, sorted by employer id; an
/// employer's disputes count only from [`WATCH_DISPUTES`] on.
pub fn watchlist(signals: Vec<(String, String, Signal)>) -> Vec<WatchEntry> {
    #[derive(Default)]
    struct Found {
        name: String,
        disputes: i64,
        overdue: Vec<CaseHit>,
        risks: Vec<String>,
    }
    let mut by_employer: BTreeMap<String, Found> = BTreeMap::new();
    for (id, name, signal) in signals {
        let found = by_employer.entry(id).or_default();
        if found.name.is_empty() {
            found.name = name;
        }
        match signal {
            Signal::Disputes(n) => found.disputes = found.disputes.max(n),
            Signal::Overdue(case) => found.overdue.push(case),
            Signal::Risk(risk) => found.risks.push(risk),
        }
    }
    let reason = |kind, count: usize, cases, risks| WatchReason {
        kind,
        count: count as i64,
        cases,
        risks,
    };
    by_employer
        .into_iter()
        .filter_map(|(id, found)| {
            let mut reasons = Vec::new();
            if found.disputes >= WATCH_DISPUTES {
                reasons.push(WatchReason {
                    kind: WatchReasonKind::RepeatedDisputes,
                    count: found.disputes,
                    cases: Vec::new(),
                    risks: Vec::new(),
                });
            }
            let overdue = named(found.overdue);
            if !overdue.is_empty() {
                let count = overdue.len();
                reasons.push(reason(
                    WatchReasonKind::PaymentOverdue,
                    count,
                    overdue,
                    vec![],
                ));
            }
            let risks = named(found.risks);
            if !risks.is_empty() {
                reasons.push(reason(
                    WatchReasonKind::HighRisk,
                    risks.len(),
                    vec![],
                    risks,
                ));
            }
            (!reasons.is_empty()).then_some(WatchEntry {
                id,
                name: found.name,
                reasons,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(number: &str) -> CaseHit {
        CaseHit {
            case_number: number.into(),
            id: format!("id-{number}"),
        }
    }

    #[test]
    fn nothing_found_means_no_warning() {
        assert!(build_warnings(vec![], vec![], vec![], "nm-x").is_empty());
    }

    #[test]
    fn a_duplicate_and_a_repeat_employer_are_two_warnings_naming_what_they_found() {
        let warnings = build_warnings(
            vec![
                hit("HS-2026-000002"),
                hit("HS-2026-000001"),
                hit("HS-2026-000002"),
            ],
            vec![],
            vec!["risk-1".into()],
            "cc-91350100M000100Y43",
        );
        assert_eq!(warnings.len(), 2);
        assert_eq!(warnings[0].kind, WarningKind::PossibleDuplicate);
        assert_eq!(
            warnings[0].cases,
            vec![hit("HS-2026-000001"), hit("HS-2026-000002")]
        );
        assert_eq!(warnings[0].employer_id, None);
        assert_eq!(warnings[1].kind, WarningKind::RepeatEmployer);
        assert_eq!(warnings[1].risks, vec!["risk-1".to_owned()]);
        assert_eq!(
            warnings[1].employer_id.as_deref(),
            Some("cc-91350100M000100Y43")
        );
    }

    #[test]
    fn a_warning_names_at_most_twenty() {
        let many = (0..30).map(|i| hit(&format!("HS-2026-{i:06}"))).collect();
        let warnings = build_warnings(vec![], many, vec![], "nm-x");
        assert_eq!(warnings[0].cases.len(), MAX_NAMED);
    }

    #[test]
    fn totals_count_open_and_closed_and_sum_every_amount() {
        let t = totals(
            [
                (CaseStatus::InMediation, 100, 0, 0),
                (CaseStatus::AgreementReached, 200, 150, 50),
                (CaseStatus::Resolved, 300, 300, 300),
            ]
            .into_iter(),
        );
        assert_eq!(
            t,
            Totals {
                open: 2,
                closed: 1,
                claimed_fen: 600,
                agreed_fen: 450,
                paid_fen: 350
            }
        );
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_term_past_due_and_not_paid_is_missed_but_one_paid_or_not_yet_due_is_not() {
        let terms = [
            TermInput {
                amount_fen: 100,
                due_date: day("2026-11-01"),
            },
            TermInput {
                amount_fen: 100,
                due_date: day("2026-12-31"),
            },
        ];
        assert!(payment_missed(&terms, 50, day("2026-12-07")));
        assert!(!payment_missed(&terms, 100, day("2026-12-07")));
        assert!(!payment_missed(&terms, 0, day("2026-10-31")));
    }

    #[test]
    fn the_watch_list_gives_every_reason_and_leaves_out_two_disputes() {
        let entries = watchlist(vec![
            ("nm-a".into(), "A厂".into(), Signal::Disputes(3)),
            (
                "nm-a".into(),
                "A厂".into(),
                Signal::Overdue(hit("HS-2026-000001")),
            ),
            ("nm-a".into(), "A厂".into(), Signal::Risk("r1".into())),
            ("nm-b".into(), "B厂".into(), Signal::Disputes(2)),
            ("nm-c".into(), "C厂".into(), Signal::Risk("r2".into())),
        ]);
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["nm-a", "nm-c"]);
        let kinds: Vec<WatchReasonKind> = entries[0].reasons.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                WatchReasonKind::RepeatedDisputes,
                WatchReasonKind::PaymentOverdue,
                WatchReasonKind::HighRisk
            ]
        );
        assert_eq!(entries[0].reasons[0].count, 3);
        assert_eq!(entries[0].reasons[1].cases, vec![hit("HS-2026-000001")]);
        assert_eq!(entries[1].reasons[0].risks, vec!["r2".to_owned()]);
    }
}
