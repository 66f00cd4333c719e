//! The rules of a risk (docs/prevention.md), pure and unit-tested: its lifecycle, when it falls
//! due by level, and when it is overdue.
//!
//! ```text
//! open ──start──> handling ──resolve──> resolved
//!   │                │
//!   └─────close──────┴──close──> closed        (registering a case from an open risk starts it)
//! ```
//! `resolved`: the cause was dealt with (wages paid, a plan agreed with the employer).
//! `closed`: nothing to do (a false alarm, the employer gone, handed to another body).

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, TimeDelta};

use crate::text_enum;

text_enum! {
    /// What the risk is about (the Nanchang screening's categories, and the issue's).
    pub enum RiskCategory {
        WageArrears = "wage_arrears",
        SocialInsuranceArrears = "social_insurance_arrears",
        Restructuring = "restructuring",
        RelocationOrClosure = "relocation_or_closure",
        MassLayoff = "mass_layoff",
        GigPlatform = "gig_platform",
        Other = "other",
    }
}

text_enum! {
    /// How urgent: decides when the risk falls due (`MEDIATION_RISK_DUE_DAYS`).
    pub enum RiskLevel {
        Low = "low",
        Medium = "medium",
        High = "high",
        Major = "major",
    }
}

text_enum! {
    /// Where a risk stands.
    pub enum RiskStatus {
        Open = "open",
        Handling = "handling",
        Resolved = "resolved",
        Closed = "closed",
    }
}

text_enum! {
    /// Who found it.
    pub enum RiskSource {
        GridWorker = "grid_worker",
        VolunteerMediator = "volunteer_mediator",
        Inspection = "inspection",
        Hotline12351 = "hotline_12351",
        Mediator = "mediator",
        Survey = "survey",
    }
}

text_enum! {
    /// What a mediator asks to do to a risk (`POST /risks/{id}/transitions`).
    pub enum RiskAction {
        Start = "start",
        Resolve = "resolve",
        Close = "close",
    }
}

/// The status `action` moves a risk in `status` to; `None` when not allowed from there.
pub fn next_status(status: RiskStatus, action: RiskAction) -> Option<RiskStatus> {
    use RiskAction as A;
    use RiskStatus as S;
    match (status, action) {
        (S::Open, A::Start) => Some(S::Handling),
        (S::Handling, A::Resolve) => Some(S::Resolved),
        (S::Open | S::Handling, A::Close) => Some(S::Closed),
        _ => None,
    }
}

/// Whether the risk is still being worked.
pub fn is_open(status: RiskStatus) -> bool {
    matches!(status, RiskStatus::Open | RiskStatus::Handling)
}

/// The statuses of risks still being worked, for queries.
pub fn open_statuses() -> [&'static str; 2] {
    [RiskStatus::Open.as_str(), RiskStatus::Handling.as_str()]
}

/// Default days to handle a risk of each level: a major risk (mass layoff, a closing factory)
/// the next day, a low one within a fortnight.
pub fn default_due_days(level: RiskLevel) -> i64 {
    match level {
        RiskLevel::Major => 1,
        RiskLevel::High => 3,
        RiskLevel::Medium => 7,
        RiskLevel::Low => 15,
    }
}

/// Days to handle a risk of `level`: the configured value (`MEDIATION_RISK_DUE_DAYS`, keyed by
/// level name) or the default.
pub fn due_days(level: RiskLevel, configured: &BTreeMap<String, i64>) -> i64 {
    configured
        .get(level.as_str())
        .copied()
        .unwrap_or_else(|| default_due_days(level))
}

/// When a risk of `level` reported at `reported_at` falls due.
pub fn due_at(
    level: RiskLevel,
    reported_at: NaiveDateTime,
    configured: &BTreeMap<String, i64>,
) -> NaiveDateTime {
    reported_at + TimeDelta::days(due_days(level, configured))
}

/// Overdue: still being worked and its due time has come.
pub fn is_overdue(status: RiskStatus, due_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    is_open(status) && due_at <= now
}

/// Parses `MEDIATION_RISK_DUE_DAYS`: `major=1,high=2`, levels not named keep their default.
pub fn parse_due_days(raw: &str) -> Result<BTreeMap<String, i64>, String> {
    let mut days = BTreeMap::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (level, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{pair}` is not level=days"))?;
        let level = level.trim();
        if RiskLevel::parse(level).is_none() {
            return Err(format!("`{level}` is not one of {}", RiskLevel::allowed()));
        }
        let value: i64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a whole number of days"))?;
        if !(1..=365).contains(&value) {
            return Err(format!("{value} days is outside 1..=365"));
        }
        days.insert(level.to_owned(), value);
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, day)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
    }

    #[test]
    fn a_risk_is_started_then_resolved_or_closed_and_never_leaves_an_end() {
        use RiskAction::*;
        use RiskStatus::*;
        assert_eq!(next_status(Open, Start), Some(Handling));
        assert_eq!(next_status(Handling, Resolve), Some(Resolved));
        assert_eq!(next_status(Open, Close), Some(Closed));
        assert_eq!(next_status(Handling, Close), Some(Closed));
        assert_eq!(next_status(Open, Resolve), None);
        assert_eq!(next_status(Handling, Start), None);
        for end in [Resolved, Closed] {
            for action in RiskAction::ALL {
                assert_eq!(next_status(end, *action), None, "{end} {action}");
            }
        }
    }

    #[test]
    fn the_level_decides_the_due_time_and_configuration_overrides_it() {
        let none = BTreeMap::new();
        assert_eq!(due_at(RiskLevel::Major, at(1), &none), at(2));
        assert_eq!(due_at(RiskLevel::High, at(1), &none), at(4));
        assert_eq!(due_at(RiskLevel::Medium, at(1), &none), at(8));
        assert_eq!(due_at(RiskLevel::Low, at(1), &none), at(16));
        let configured = parse_due_days(" major = 2 ,low=30").unwrap();
        assert_eq!(due_at(RiskLevel::Major, at(1), &configured), at(3));
        assert_eq!(due_days(RiskLevel::High, &configured), 3);
        assert_eq!(due_days(RiskLevel::Low, &configured), 30);
    }

    #[test]
    fn a_due_days_setting_names_known_levels_and_sane_days() {
        assert!(parse_due_days("").unwrap().is_empty());
        assert!(parse_due_days("urgent=1").is_err());
        assert!(parse_due_days("high=0").is_err());
        assert!(parse_due_days("high=x").is_err());
        assert!(parse_due_days("high").is_err());
    }

    #[test]
    fn only_a_risk_still_worked_is_overdue() {
        assert!(is_overdue(RiskStatus::Open, at(2), at(2)));
        assert!(is_overdue(RiskStatus::Handling, at(1), at(2)));
        assert!(!is_overdue(RiskStatus::Handling, at(3), at(2)));
        assert!(!is_overdue(RiskStatus::Resolved, at(1), at(2)));
        assert!(!is_overdue(RiskStatus::Closed, at(1), at(2)));
    }
}
