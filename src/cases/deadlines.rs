//! The statutory clock (劳动争议调解仲裁法 Art. 14): if no agreement is reached within 15 days of
//! the mediation organisation receiving the application, the parties may go to arbitration.
//!
//! Days are calendar days in the office's time zone. The deadline is the 15th day after the
//! day of receipt; the case is overdue from the first instant of the day after the deadline,
//! while still in intake, accepted or in mediation.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::lifecycle::CaseStatus;

/// Days the union has to reach an agreement (Art. 14).
pub const MEDIATION_DAYS: u64 = 15;

/// The statutory dates of a case received at `received_at` by an office in `time_zone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediationClock {
    /// The last day of the 15-day window, in the office's calendar.
    pub deadline: NaiveDate,
    /// The UTC instant the window closes (start of the next local day); stored so "overdue" is
    /// a plain, indexable comparison with the current time.
    pub passes_at: DateTime<Utc>,
}

/// Computes the window for a receipt time and office time zone.
pub fn mediation_clock(received_at: DateTime<Utc>, time_zone: Tz) -> MediationClock {
    let local_day = received_at.with_timezone(&time_zone).date_naive();
    let deadline = local_day
        .checked_add_days(Days::new(MEDIATION_DAYS))
        .unwrap_or(local_day);
    let next_day = deadline.checked_add_days(Days::new(1)).unwrap_or(deadline);
    // The first instant of the next local day; where a daylight-saving jump skips midnight
    // (some American and Levantine zones), the first hour that exists.
    let passes_at = (0..=3)
        .filter_map(|hour| {
            let local = next_day.and_hms_opt(hour, 0, 0)?;
            time_zone.from_local_datetime(&local).earliest()
        })
        .next()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| next_day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    MediationClock {
        deadline,
        passes_at,
    }
}

/// Overdue: the window has closed and the case has not yet reached an agreement or an end.
pub fn is_overdue(status: CaseStatus, passes_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    CaseStatus::OPEN_BEFORE_AGREEMENT.contains(&status) && now >= passes_at
}

/// Parses an office's stored zone, falling back to Asia/Shanghai (zones are validated on entry).
pub fn office_zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_deadline_is_the_fifteenth_day_after_receipt_as_in_api_md() {
        let clock = mediation_clock(utc("2026-11-20T01:00:00Z"), chrono_tz::Asia::Shanghai);
        assert_eq!(
            clock.deadline,
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
        );
        assert_eq!(
            clock.passes_at,
            utc("2026-12-05T16:00:00Z"),
            "midnight Shanghai time"
        );
    }

    #[test]
    fn the_window_crosses_month_and_year_ends() {
        let january = mediation_clock(utc("2026-01-25T04:00:00Z"), chrono_tz::Asia::Shanghai);
        assert_eq!(
            january.deadline,
            NaiveDate::from_ymd_opt(2026, 2, 9).unwrap()
        );
        let december = mediation_clock(utc("2026-12-20T04:00:00Z"), chrono_tz::Asia::Shanghai);
        assert_eq!(
            december.deadline,
            NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
        );
        let leap = mediation_clock(utc("2028-02-20T04:00:00Z"), chrono_tz::Asia::Shanghai);
        assert_eq!(leap.deadline, NaiveDate::from_ymd_opt(2028, 3, 6).unwrap());
    }

    #[test]
    fn the_day_of_receipt_is_counted_in_the_offices_time_zone() {
        // 2026-11-30 17:00 UTC is already 1 December in Shanghai, still 30 November in Urumqi time
        // used by some Xinjiang offices (UTC+6), and 30 November in London.
        let received = utc("2026-11-30T17:00:00Z");
        assert_eq!(
            mediation_clock(received, chrono_tz::Asia::Shanghai).deadline,
            NaiveDate::from_ymd_opt(2026, 12, 16).unwrap()
        );
        assert_eq!(
            mediation_clock(received, chrono_tz::Asia::Urumqi).deadline,
            NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()
        );
        let london = mediation_clock(received, chrono_tz::Europe::London);
        assert_eq!(
            london.deadline,
            NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()
        );
        assert_eq!(london.passes_at, utc("2026-12-16T00:00:00Z"));
    }

    #[test]
    fn a_daylight_saving_jump_over_midnight_moves_the_end_to_the_first_real_hour() {
        // Santiago skipped 2026-09-06 00:00–01:00 local time (clocks went to 01:00).
        let clock = mediation_clock(utc("2026-08-22T12:00:00Z"), chrono_tz::America::Santiago);
        assert_eq!(clock.deadline, NaiveDate::from_ymd_opt(2026, 9, 6).unwrap());
        let next = clock.passes_at.with_timezone(&chrono_tz::America::Santiago);
        assert_eq!(
            next.date_naive(),
            NaiveDate::from_ymd_opt(2026, 9, 7).unwrap()
        );
    }

    #[test]
    fn only_cases_before_agreement_become_overdue_and_only_after_the_window() {
        let clock = mediation_clock(utc("2026-11-20T01:00:00Z"), chrono_tz::Asia::Shanghai);
        let on_the_last_day = utc("2026-12-05T15:59:59Z");
        let next_day = utc("2026-12-05T16:00:00Z");
        assert!(!is_overdue(
            CaseStatus::InMediation,
            clock.passes_at,
            on_the_last_day
        ));
        assert!(is_overdue(
            CaseStatus::InMediation,
            clock.passes_at,
            next_day
        ));
        assert!(is_overdue(CaseStatus::Intake, clock.passes_at, next_day));
        assert!(!is_overdue(
            CaseStatus::AgreementReached,
            clock.passes_at,
            next_day
        ));
        assert!(!is_overdue(CaseStatus::Resolved, clock.passes_at, next_day));
    }
}
