//! When a follow-up (回访) is due, and what counts as a satisfied worker: pure functions of a
//! case's status, the time it concluded, the configured number of days and the clock.
//!
//! A case **concludes** when it reaches a terminal status — resolved, escalated, withdrawn or
//! rejected — and `concluded_at` is set then (`cases::transitions`). Every concluded case gets a
//! follow-up: a settled worker is asked whether the money arrived, an escalated or rejected one
//! whether they found their way to arbitration or the court, a withdrawn one why. Its follow-up
//! falls due `MEDIATION_FOLLOW_UP_DAYS` (default 7) days after it concluded and stays due until
//! one is recorded. Nothing of this is stored: it is computed from `status` and `concluded_at`.

use chrono::{NaiveDateTime, TimeDelta};

use crate::cases::lifecycle::CaseStatus;

/// The default of `MEDIATION_FOLLOW_UP_DAYS`.
pub const DEFAULT_DAYS: u32 = 7;

/// The lowest and highest satisfaction a worker can give.
pub const SATISFACTION: std::ops::RangeInclusive<i32> = 1..=5;

/// A rating at or above this counts as satisfied (满意: 4 "satisfied", 5 "very satisfied").
pub const SATISFIED_FROM: i32 = 4;

/// Whether a case in `status` has concluded, and so takes follow-ups.
pub fn is_concluded(status: CaseStatus) -> bool {
    status.is_terminal()
}

/// The statuses of concluded cases, as stored.
pub fn concluded_statuses() -> Vec<&'static str> {
    CaseStatus::ALL
        .iter()
        .filter(|s| is_concluded(**s))
        .map(|s| s.as_str())
        .collect()
}

/// When the follow-up of a case concluded at `concluded_at` falls due: `days` whole days later.
pub fn due_at(concluded_at: NaiveDateTime, days: u32) -> NaiveDateTime {
    concluded_at
        .checked_add_signed(TimeDelta::days(i64::from(days)))
        .unwrap_or(NaiveDateTime::MAX)
}

/// The latest conclusion time whose follow-up is due at `now`: a case concluded at or before it
/// is due (the inverse of [`due_at`], so a query compares the stored column with one value).
pub fn due_if_concluded_by(now: NaiveDateTime, days: u32) -> NaiveDateTime {
    now.checked_sub_signed(TimeDelta::days(i64::from(days)))
        .unwrap_or(NaiveDateTime::MIN)
}

/// Whether the follow-up of a case is due at `now`: concluded, `days` past its conclusion, and
/// none recorded yet.
pub fn is_due(
    status: CaseStatus,
    concluded_at: Option<NaiveDateTime>,
    recorded: bool,
    days: u32,
    now: NaiveDateTime,
) -> bool {
    match concluded_at {
        Some(at) => is_concluded(status) && !recorded && due_at(at, days) <= now,
        None => false,
    }
}

/// Whether a rating counts as satisfied.
pub fn is_satisfied(satisfaction: i32) -> bool {
    satisfaction >= SATISFIED_FROM
}

/// satisfied ÷ responses, rounded to four places; `None` without responses.
pub fn satisfaction_rate(satisfied: i64, responses: i64) -> Option<f64> {
    (responses > 0).then(|| ((satisfied as f64 / responses as f64) * 10_000.0).round() / 10_000.0)
}

/// How a concluded case ended, in Chinese, for the reminder.
pub fn status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Resolved => "调解成功",
        CaseStatus::Escalated => "调解不成，已转出",
        CaseStatus::Withdrawn => "申请人撤回",
        CaseStatus::Rejected => "不予受理",
        _ => "办理中",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::*;

    fn at(text: &str) -> NaiveDateTime {
        text.parse().unwrap()
    }

    #[test]
    fn every_terminal_status_and_only_those_take_follow_ups() {
        assert_eq!(
            concluded_statuses(),
            ["resolved", "escalated", "withdrawn", "rejected"]
        );
        for status in [Intake, Accepted, InMediation, AgreementReached] {
            assert!(!is_concluded(status), "{status}");
        }
    }

    #[test]
    fn a_follow_up_falls_due_the_configured_days_after_the_case_concluded() {
        let concluded = at("2026-12-01T02:30:00");
        assert_eq!(due_at(concluded, 7), at("2026-12-08T02:30:00"));
        let just_before = at("2026-12-08T02:29:59");
        assert!(!is_due(Resolved, Some(concluded), false, 7, just_before));
        assert!(is_due(
            Resolved,
            Some(concluded),
            false,
            7,
            at("2026-12-08T02:30:00")
        ));
        assert!(is_due(Rejected, Some(concluded), false, 3, just_before));
        assert_eq!(due_if_concluded_by(at("2026-12-08T02:30:00"), 7), concluded);
    }

    #[test]
    fn a_recorded_follow_up_an_open_case_or_a_case_without_a_conclusion_time_is_not_due() {
        let late = at("2027-06-01T00:00:00");
        let concluded = Some(at("2026-12-01T00:00:00"));
        assert!(!is_due(Resolved, concluded, true, 7, late));
        assert!(!is_due(InMediation, concluded, false, 7, late));
        assert!(!is_due(Withdrawn, None, false, 7, late));
    }

    #[test]
    fn four_and_five_are_satisfied_and_the_rate_is_rounded_to_four_places() {
        let satisfied: Vec<i32> = SATISFACTION.filter(|s| is_satisfied(*s)).collect();
        assert_eq!(satisfied, [4, 5]);
        assert_eq!(satisfaction_rate(2, 3), Some(0.6667));
        assert_eq!(satisfaction_rate(199, 200), Some(0.995));
        assert_eq!(satisfaction_rate(0, 0), None);
    }
}
