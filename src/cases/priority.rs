//! `GET /cases?sort=priority`: the cases that need attention first — collective disputes (LDMAL
//! Art. 7: "collective cases are flagged and prioritised", DOMAIN.md) and cases whose 15-day
//! window closed without an agreement (Art. 14) — then every other case; newest first within
//! each group, as the default order. The default order (`sort=newest`, or no `sort`) is unchanged.
//!
//! Overdue depends on the time, so the page is measured against one instant, the first page's
//! `now`, carried by the cursor: a case that falls overdue while someone pages through is neither
//! skipped nor shown twice. The cursor rides in the common cursor format
//! (`pagination::PageRequest`): its time is the case's `created_at`, its id part carries
//! `prio|<rank>|<instant>|<case id>`, so the handlers and the console parse `?cursor=` as for any
//! list and this module reads the rest ([`PriorityOrder::read`]); a cursor of the default order
//! given with `sort=priority` is 400 `invalid_cursor`.
//!
//! The query reads the visible cases through the same filters as the default list; collective
//! cases are found through the `(collective, created_at, id)` index of the collective-roster
//! migration. Cases whose employer has an open high or major risk (issue 17 part A) are not
//! ranked here yet (docs/cases.md "Collective disputes" says so).

use chrono::{DateTime, NaiveDateTime, Utc};

use super::lifecycle::CaseStatus;
use super::{CaseRow, CaseViewColumns};
use crate::error::AppError;
use crate::pagination::{PageRequest, Paginated};
use crate::text_enum;

text_enum! {
    /// The order of `GET /cases`.
    pub enum CaseSort {
        /// Newest first (the default).
        Newest = "newest",
        /// Collective and overdue cases first, then the rest; newest first within each.
        Priority = "priority",
    }
}

/// The rank of a case that comes first.
pub const FIRST: i32 = 0;
/// The rank of every other case.
pub const THEN: i32 = 1;

/// Whether a case comes first at `at`: collective, or its mediation clock runs and its window
/// has closed. The SQL of [`priority_page!`] says the same; a test of both keeps them together.
pub fn comes_first(
    collective: bool,
    status: CaseStatus,
    passes_at: NaiveDateTime,
    at: NaiveDateTime,
) -> bool {
    collective || (CaseStatus::OPEN_BEFORE_AGREEMENT.contains(&status) && passes_at <= at)
}

/// The statuses in which the statutory clock runs, as stored.
pub fn clock_running() -> Vec<&'static str> {
    CaseStatus::OPEN_BEFORE_AGREEMENT
        .iter()
        .map(|status| status.as_str())
        .collect()
}

/// Where a priority page continues: after the case of this rank, creation time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityCursor {
    pub rank: i32,
    pub created_at: NaiveDateTime,
    pub id: String,
}

/// The priority order of one page: the instant "overdue" is measured at, and the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityOrder {
    pub at: NaiveDateTime,
    pub after: Option<PriorityCursor>,
}

const TAG: &str = "prio";

fn invalid_cursor() -> AppError {
    AppError::BadRequest {
        code: "invalid_cursor",
        detail: crate::msg!("detail.invalid_cursor"),
    }
}

/// `now` in whole microseconds, what a cursor carries exactly.
fn instant(now: DateTime<Utc>) -> NaiveDateTime {
    DateTime::from_timestamp_micros(now.timestamp_micros())
        .unwrap_or(now)
        .naive_utc()
}

impl PriorityOrder {
    /// The order of the page `page` asks for: the first page measures at `now`, a next page at
    /// the instant its cursor carries.
    pub fn read(page: &PageRequest, now: DateTime<Utc>) -> Result<Self, AppError> {
        let Some((created_at, rest)) = &page.after else {
            return Ok(Self {
                at: instant(now),
                after: None,
            });
        };
        let mut parts = rest.splitn(4, '|');
        let mut next = || parts.next().ok_or_else(invalid_cursor);
        if next()? != TAG {
            return Err(invalid_cursor());
        }
        let rank = match next()? {
            "0" => FIRST,
            "1" => THEN,
            _ => return Err(invalid_cursor()),
        };
        let at = next()?
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(invalid_cursor)?
            .naive_utc();
        let id = next()?.to_owned();
        Ok(Self {
            at,
            after: Some(PriorityCursor {
                rank,
                created_at: *created_at,
                id,
            }),
        })
    }

    /// The id part of the cursor after `case`.
    fn cursor_id(&self, case: &CaseViewColumns) -> String {
        let rank = self.rank_of(case);
        let at = self.at.and_utc().timestamp_micros();
        format!("{TAG}|{rank}|{at}|{}", case.id.as_str())
    }

    fn rank_of(&self, case: &CaseViewColumns) -> i32 {
        if comes_first(
            case.collective,
            case.status,
            case.deadline_passes_at,
            self.at,
        ) {
            FIRST
        } else {
            THEN
        }
    }
}

/// Comes first at `$at`, in SQL (see [`comes_first`]).
#[macro_export]
macro_rules! comes_first_sql {
    ($at:expr) => {
        $crate::schema::cases::collective
            .eq(true)
            .or($crate::schema::cases::status
                .eq_any($crate::cases::priority::clock_running())
                .and($crate::schema::cases::deadline_passes_at.le($at)))
    };
}

/// Applies the priority order, the cursor and `limit + 1` to a boxed query over `cases`.
#[macro_export]
macro_rules! priority_page {
    ($query:expr, $order:expr, $limit:expr) => {{
        use diesel::dsl::{case_when, not};
        use diesel::prelude::*;
        use diesel::sql_types::Integer;
        use diesel::IntoSql;
        use $crate::schema::cases;
        let order: &$crate::cases::priority::PriorityOrder = $order;
        let at = order.at;
        let rank = case_when(
            $crate::comes_first_sql!(at),
            $crate::cases::priority::FIRST.into_sql::<Integer>(),
        )
        .otherwise($crate::cases::priority::THEN.into_sql::<Integer>());
        let mut query = $query;
        if let Some(after) = &order.after {
            let later = cases::created_at.lt(after.created_at).or(cases::created_at
                .eq(after.created_at)
                .and(cases::id.lt(after.id.clone())));
            query = if after.rank == $crate::cases::priority::FIRST {
                query.filter(
                    $crate::comes_first_sql!(at)
                        .and(later)
                        .or(not($crate::comes_first_sql!(at))),
                )
            } else {
                query.filter(not($crate::comes_first_sql!(at)).and(later))
            };
        }
        query
            .order((rank.asc(), cases::created_at.desc(), cases::id.desc()))
            .limit($limit + 1)
    }};
}

/// A page of `rows` (up to `limit + 1`, in priority order) with the priority cursor.
pub(super) fn paginate(
    rows: Vec<CaseRow>,
    page: &PageRequest,
    order: &PriorityOrder,
    now: DateTime<Utc>,
) -> Paginated<super::CaseView> {
    let keyed: Vec<(CaseRow, String)> = rows
        .into_iter()
        .map(|row| {
            let key = order.cursor_id(&row.0);
            (row, key)
        })
        .collect();
    Paginated::from_rows(keyed, page, |(row, key)| (row.0.created_at, key.as_str()))
        .map(|(row, _)| super::view_of(row, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        DateTime::parse_from_rfc3339(text).unwrap().naive_utc()
    }

    #[test]
    fn collective_cases_and_overdue_ones_come_first() {
        let passes = at("2026-12-05T16:00:00Z");
        let before = at("2026-12-05T15:59:59Z");
        assert!(comes_first(true, CaseStatus::Resolved, passes, before));
        assert!(!comes_first(false, CaseStatus::InMediation, passes, before));
        assert!(comes_first(false, CaseStatus::InMediation, passes, passes));
        assert!(
            !comes_first(false, CaseStatus::AgreementReached, passes, passes),
            "the clock stops at an agreement"
        );
    }

    #[test]
    fn the_cursor_carries_the_rank_the_instant_and_the_id() {
        let created = at("2026-12-01T08:00:00.123456Z");
        let page = PageRequest {
            limit: 10,
            after: Some((created, "prio|0|1765000000000000|0194-a|b".into())),
        };
        let order = PriorityOrder::read(&page, Utc::now()).unwrap();
        assert_eq!(
            order.after,
            Some(PriorityCursor {
                rank: FIRST,
                created_at: created,
                id: "0194-a|b".into()
            })
        );
        assert_eq!(order.at.and_utc().timestamp_micros(), 1_765_000_000_000_000);
    }

    #[test]
    fn a_cursor_of_the_default_order_or_a_forged_one_is_refused() {
        let created = at("2026-12-01T08:00:00Z");
        for id in ["0194-a", "prio|2|1|x", "prio|0|x|y", "prio|0|1"] {
            let page = PageRequest {
                limit: 10,
                after: Some((created, id.into())),
            };
            assert_eq!(
                PriorityOrder::read(&page, Utc::now()).unwrap_err().code(),
                "invalid_cursor",
                "{id}"
            );
        }
    }
}
