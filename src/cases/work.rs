//! "My work" (我的工作): the open cases a union mediator or supervisor should act on next — the
//! ones assigned to them and the unassigned ones of the offices they see — most urgent first.
//!
//! Urgency follows the statutory clock (LDMAL Art. 14, [`super::deadlines`]): a case whose
//! 15-day window has closed without an agreement is overdue and comes first; one whose window
//! closes within [`DUE_SOON_DAYS`] days comes next; then every other open case (including those
//! that reached an agreement and now wait for payment), by deadline. Visibility is the API's:
//! the query carries the caller's [`CaseScope`], so a supervisor's list spans their office tree.
//!
//! One query answers a page: the cases with their offices and their assignees' names joined. It
//! reads the open cases of the visible offices through the `(office_id, status,
//! deadline_passes_at)` index the cases migration already has, so it needs no index of its own:
//! an office's open cases are a small, bounded set, and sorting them by urgency is cheap.
//!
//! The list is paged by keyset over `(urgency, deadline, id)`. Urgency depends on the time, so
//! the cursor also carries the instant "due soon" was measured against on the first page: a case
//! that becomes due soon while someone pages through is neither skipped nor shown twice.

use base64::Engine;
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::{case_when, not};
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel::IntoSql;

use super::access::CaseScope;
use super::deadlines::{is_overdue, MEDIATION_DAYS};
use super::lifecycle::CaseStatus;
use super::{Case, CaseOffice, CaseView};
use crate::auth::caller::Caller;
use crate::auth::policy;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::offices::OfficeKind;
use crate::pagination::{PageQuery, Paginated};
use crate::schema::{cases, offices, users};

/// A case is "due soon" when its mediation window closes within this many days.
pub const DUE_SOON_DAYS: u64 = 3;

/// One row of "my work": the case as the API shows it, who has it, and whether its window is
/// about to close.
#[derive(Debug, Clone)]
pub struct WorkItem {
    pub case: CaseView,
    /// The assigned mediator's name; `None` while the case waits for someone to take it.
    pub assignee_name: Option<String>,
    /// The window closes within [`DUE_SOON_DAYS`] days and has not closed yet.
    pub due_soon: bool,
}

/// Where a page of "my work" continues: after the case with this urgency, deadline and id, with
/// urgency measured against `soon` (the first page's "now + 3 days").
#[derive(Debug, Clone, PartialEq, Eq)]
struct WorkCursor {
    soon: NaiveDateTime,
    urgent: bool,
    passes_at: NaiveDateTime,
    id: String,
}

/// A validated page request of "my work": the usual `limit` and this list's own cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkPage {
    pub limit: i64,
    after: Option<WorkCursor>,
}

fn invalid_cursor() -> AppError {
    AppError::BadRequest {
        code: "invalid_cursor",
        detail: crate::msg!("detail.invalid_cursor"),
    }
}

fn micros(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp_micros()
}

fn from_micros(text: &str) -> Option<NaiveDateTime> {
    let micros = text.parse::<i64>().ok()?;
    DateTime::from_timestamp_micros(micros).map(|at| at.naive_utc())
}

impl WorkCursor {
    fn encode(&self) -> String {
        let raw = format!(
            "{}|{}|{}|{}",
            micros(self.soon),
            u8::from(!self.urgent),
            micros(self.passes_at),
            self.id
        );
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    fn decode(cursor: &str) -> Result<Self, AppError> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .map_err(|_| invalid_cursor())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid_cursor())?;
        let mut parts = text.splitn(4, '|');
        let mut next = || parts.next().ok_or_else(invalid_cursor);
        let soon = from_micros(next()?).ok_or_else(invalid_cursor)?;
        let urgent = match next()? {
            "0" => true,
            "1" => false,
            _ => return Err(invalid_cursor()),
        };
        let passes_at = from_micros(next()?).ok_or_else(invalid_cursor)?;
        let id = next()?.to_owned();
        Ok(Self {
            soon,
            urgent,
            passes_at,
            id,
        })
    }
}

impl WorkPage {
    /// `?limit=` as every list reads it (1–200, default 50) and `?cursor=` as this list wrote it
    /// (400 `invalid_cursor` for anything else).
    pub fn parse(query: &PageQuery) -> Result<Self, AppError> {
        let limit = PageQuery {
            limit: query.limit,
            cursor: None,
        }
        .parse()?
        .limit;
        let after = query
            .cursor
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(WorkCursor::decode)
            .transpose()?;
        Ok(Self { limit, after })
    }
}

/// The statuses of a case someone still has to work on: every status that is not an end.
fn open_statuses() -> Vec<&'static str> {
    CaseStatus::ALL
        .iter()
        .filter(|status| !status.is_terminal())
        .map(|status| status.as_str())
        .collect()
}

/// The statuses in which the statutory clock runs (it stops at an agreement).
fn clock_running() -> Vec<&'static str> {
    CaseStatus::OPEN_BEFORE_AGREEMENT
        .iter()
        .map(|status| status.as_str())
        .collect()
}

/// Urgent — overdue or due soon — in SQL: the clock runs and the window closes by `$soon`.
macro_rules! urgent {
    ($soon:expr) => {
        cases::status
            .eq_any(clock_running())
            .and(cases::deadline_passes_at.le($soon))
    };
}

/// The first instant after the "due soon" horizon that starts at `now`, in whole microseconds
/// (what a cursor can carry exactly).
fn horizon(now: DateTime<Utc>) -> NaiveDateTime {
    let soon = now
        .checked_add_days(Days::new(DUE_SOON_DAYS))
        .unwrap_or(now);
    DateTime::from_timestamp_micros(soon.timestamp_micros())
        .unwrap_or(soon)
        .naive_utc()
}

/// Whether a case's window closes within [`DUE_SOON_DAYS`] days of `now` and has not closed yet.
pub fn is_due_soon(status: CaseStatus, passes_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    CaseStatus::OPEN_BEFORE_AGREEMENT.contains(&status)
        && !is_overdue(status, passes_at, now)
        && passes_at.naive_utc() <= horizon(now)
}

/// The local day the union received a case whose 15-day window ends on `deadline` (the
/// statutory clock read backwards), for lists that show the day of receipt without loading the
/// office's time zone.
pub fn day_of_receipt(deadline: NaiveDate) -> NaiveDate {
    deadline
        .checked_sub_days(Days::new(MEDIATION_DAYS))
        .unwrap_or(deadline)
}

/// A row of the query: the case, its office, the assignee's name, and whether it is urgent.
type WorkRow = (Case, String, OfficeKind, Option<String>, i32);

/// A page of the caller's work: the open cases assigned to them or to no one, in the offices
/// they may see, overdue first, then due soon, then the rest by deadline. Union staff only.
pub fn my_work(
    connection: &mut DbConnection,
    caller: &Caller,
    page: &WorkPage,
    now: DateTime<Utc>,
) -> Result<Paginated<WorkItem>, AppError> {
    caller.require(policy::Action::WorkCases)?;
    let scope = CaseScope::of(connection, caller)?;
    let soon = page
        .after
        .as_ref()
        .map_or_else(|| horizon(now), |after| after.soon);
    let rank = case_when(urgent!(soon), 0.into_sql::<Integer>()).otherwise(1.into_sql::<Integer>());
    let me = caller.actor_id().to_owned();
    let mut query = cases::table
        .inner_join(offices::table)
        .left_join(users::table.on(cases::assignee_id.eq(users::id.nullable())))
        .filter(scope.filter())
        .filter(cases::status.eq_any(open_statuses()))
        .filter(cases::assignee_id.eq(me).or(cases::assignee_id.is_null()))
        .select((
            Case::as_select(),
            offices::name,
            offices::kind,
            users::name.nullable(),
            rank.clone(),
        ))
        .into_boxed();
    if let Some(after) = &page.after {
        let later = cases::deadline_passes_at
            .gt(after.passes_at)
            .or(cases::deadline_passes_at
                .eq(after.passes_at)
                .and(cases::id.gt(after.id.clone())));
        query = if after.urgent {
            query.filter(urgent!(soon).and(later).or(not(urgent!(soon))))
        } else {
            query.filter(not(urgent!(soon)).and(later))
        };
    }
    let mut rows: Vec<WorkRow> = query
        .order((rank.asc(), cases::deadline_passes_at.asc(), cases::id.asc()))
        .limit(page.limit + 1)
        .load(connection)?;
    let has_more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    let next_cursor = rows.last().filter(|_| has_more).map(|(case, .., rank)| {
        WorkCursor {
            soon,
            urgent: *rank == 0,
            passes_at: case.deadline_passes_at,
            id: case.id.as_str().to_owned(),
        }
        .encode()
    });
    let items = rows.into_iter().map(|row| work_item(row, now)).collect();
    Ok(Paginated { items, next_cursor })
}

fn work_item(
    (case, office_name, office_kind, assignee_name, _): WorkRow,
    now: DateTime<Utc>,
) -> WorkItem {
    let due_soon = is_due_soon(case.status, case.deadline_passes_at.and_utc(), now);
    let office = CaseOffice {
        id: case.office_id.clone().into(),
        name: office_name,
        kind: office_kind,
    };
    WorkItem {
        case: CaseView::new(case, office, now),
        assignee_name,
        due_soon,
    }
}

/// The names of `assignees` (user ids) who are assigned to a case the caller may see, in one
/// query: a list of cases shows who has each without a query per row, and without naming
/// anyone the caller's visibility does not reach.
pub fn assignee_names(
    connection: &mut DbConnection,
    caller: &Caller,
    assignees: &[&str],
) -> Result<std::collections::HashMap<String, String>, AppError> {
    if assignees.is_empty() {
        return Ok(Default::default());
    }
    let scope = CaseScope::of(connection, caller)?;
    let rows: Vec<(String, String)> = users::table
        .inner_join(cases::table.on(cases::assignee_id.eq(users::id.nullable())))
        .filter(scope.filter())
        .filter(users::id.eq_any(assignees.to_vec()))
        .select((users::id, users::name))
        .distinct()
        .load(connection)?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::deadlines::mediation_clock;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_cursor_round_trips_with_the_horizon_it_was_measured_against() {
        let cursor = WorkCursor {
            soon: horizon(at("2026-12-01T08:00:00.123456789Z")),
            urgent: false,
            passes_at: at("2026-12-05T16:00:00Z").naive_utc(),
            id: "0194-a|b".into(),
        };
        let query = PageQuery {
            limit: Some(20),
            cursor: Some(cursor.encode()),
        };
        let page = WorkPage::parse(&query).unwrap();
        assert_eq!(page.limit, 20);
        assert_eq!(page.after, Some(cursor));
    }

    #[test]
    fn a_cursor_of_another_list_or_a_forged_one_is_refused() {
        for forged in ["not base64!", "MTIz", "MXwyfDN8eA", "MXwwfHh8eQ"] {
            let query = PageQuery {
                limit: None,
                cursor: Some(forged.into()),
            };
            assert_eq!(
                WorkPage::parse(&query).unwrap_err().code(),
                "invalid_cursor",
                "{forged}"
            );
        }
        let blank = PageQuery {
            limit: None,
            cursor: Some(" ".into()),
        };
        assert_eq!(WorkPage::parse(&blank).unwrap().after, None);
    }

    #[test]
    fn due_soon_is_the_three_days_before_the_window_closes_while_the_clock_runs() {
        let passes_at = at("2026-12-05T16:00:00Z");
        let open = CaseStatus::InMediation;
        assert!(!is_due_soon(open, passes_at, at("2026-12-02T15:59:59Z")));
        assert!(is_due_soon(open, passes_at, at("2026-12-02T16:00:00Z")));
        assert!(is_due_soon(open, passes_at, at("2026-12-05T15:59:59Z")));
        assert!(
            !is_due_soon(open, passes_at, at("2026-12-05T16:00:00Z")),
            "overdue now"
        );
        let agreed = CaseStatus::AgreementReached;
        assert!(
            !is_due_soon(agreed, passes_at, at("2026-12-04T00:00:00Z")),
            "clock stopped"
        );
    }

    #[test]
    fn the_day_of_receipt_is_the_deadline_read_backwards() {
        let received = at("2026-11-19T17:30:00Z");
        let clock = mediation_clock(received, chrono_tz::Asia::Shanghai);
        assert_eq!(
            day_of_receipt(clock.deadline),
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            "01:30 on the 20th in Shanghai"
        );
    }

    #[test]
    fn only_open_cases_are_work_and_the_clock_runs_until_an_agreement() {
        assert_eq!(
            open_statuses(),
            ["intake", "accepted", "in_mediation", "agreement_reached"]
        );
        assert_eq!(clock_running(), ["intake", "accepted", "in_mediation"]);
    }
}
