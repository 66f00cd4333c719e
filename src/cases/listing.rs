//! `GET /cases`: a page of the cases a scope may see, filtered, newest first (or in priority
//! order), with their offices, in one statement. Split from `cases` so the model and the list's
//! query builder each stay readable.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::access::CaseScope;
use super::lifecycle::CaseStatus;
use super::{
    priority, search_index, view_of, CaseRow, CaseView, CaseViewColumns, Category, Channel,
};
use crate::db::DbConnection;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::{case_parties, case_partner_offices, cases, offices};

/// The filters of `GET /cases`, validated.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub category: Option<Category>,
    pub channel: Option<Channel>,
    pub assignee_id: Option<String>,
    pub overdue: Option<bool>,
    pub collective: Option<bool>,
    /// Lower-cased text to find in the case number, employer or party names.
    pub text: Option<String>,
    /// The keyed hash of an exact ID number, when `q` is one.
    pub id_number_hash: Option<String>,
    /// `sort=priority`: collective and overdue cases first ([`priority`]); `None`, newest first.
    pub priority: Option<priority::PriorityOrder>,
}

/// A page of visible cases matching `filter`, newest first, with their offices, in one query.
pub fn list(
    connection: &mut DbConnection,
    scope: &CaseScope,
    filter: &CaseFilter,
    page: &PageRequest,
    now: DateTime<Utc>,
) -> QueryResult<Paginated<CaseView>> {
    // The cases holding the query's trigrams (issue 19); `LIKE` below rechecks them. Within
    // one office, that office's keys: the city prefix every name shares stays out of it.
    let candidates = match &filter.text {
        Some(text) => {
            let office = match scope {
                CaseScope::Offices(ids) if ids.len() == 1 => Some(ids[0].as_str()),
                _ => None,
            };
            let hash = filter.id_number_hash.as_deref();
            search_index::candidates(connection, office, text, hash)?
        }
        None => None,
    };
    // The filters, over either source below.
    macro_rules! filtered {
        ($source:expr) => {{
            let mut query = $source.select(case_with_office!()).into_boxed();
            if let Some(status) = filter.status {
                query = query.filter(cases::status.eq(status.as_str()));
            }
            if let Some(category) = filter.category {
                query = query.filter(cases::category.eq(category.as_str()));
            }
            if let Some(channel) = filter.channel {
                query = query.filter(cases::channel.eq(channel.as_str()));
            }
            if let Some(assignee) = &filter.assignee_id {
                query = query.filter(cases::assignee_id.eq(assignee.clone()));
            }
            if let Some(collective) = filter.collective {
                query = query.filter(cases::collective.eq(collective));
            }
            let open: Vec<&str> = CaseStatus::OPEN_BEFORE_AGREEMENT
                .iter()
                .map(|s| s.as_str())
                .collect();
            match filter.overdue {
                Some(true) => {
                    query = query
                        .filter(cases::status.eq_any(open))
                        .filter(cases::deadline_passes_at.le(now.naive_utc()));
                }
                Some(false) => {
                    query = query.filter(
                        cases::status
                            .ne_all(open)
                            .or(cases::deadline_passes_at.gt(now.naive_utc())),
                    );
                }
                None => {}
            }
            if let Some(ids) = &candidates {
                query = query.filter(cases::id.eq_any(ids.clone()));
            }
            match (&filter.text, &filter.id_number_hash) {
                (Some(text), Some(hash)) => {
                    let by_id = case_parties::table
                        .filter(case_parties::id_number_hash.eq(hash.clone()))
                        .select(case_parties::case_id);
                    query = query.filter(
                        cases::search_text
                            .like(like_pattern(text))
                            .escape('\\')
                            .or(cases::id.eq_any(by_id)),
                    );
                }
                (Some(text), None) => {
                    query = query.filter(cases::search_text.like(like_pattern(text)).escape('\\'));
                }
                _ => {}
            }
            query
        }};
    }
    // A page in priority order (answered at once), or the rows of a keyset page over the
    // source's `(created_at, id)` columns.
    macro_rules! keyset_rows {
        ($query:expr, $created_at:expr, $id:expr) => {{
            let query = $query;
            if let Some(order) = &filter.priority {
                let rows: Vec<CaseRow> =
                    crate::priority_page!(query, order, page.limit).load(connection)?;
                return Ok(priority::paginate(rows, page, order, now));
            }
            let rows: Vec<CaseRow> =
                crate::keyset_page!(query, $created_at, $id, page).load(connection)?;
            rows
        }};
    }
    let rows = match scope {
        // A partner office's cases come newest first off its own rows of
        // `case_partner_offices` (one per case with any referral to it, the set `ReferredTo`
        // names), joined to the cases: a page reads about a page of rows, where filtering all
        // cases by a subquery on `referrals` read and sorted every referred case (issue 19).
        // The copied `case_created_at` equals the case's `created_at`, so the cursor is the same.
        CaseScope::ReferredTo(office) => keyset_rows!(
            filtered!(cases_with_offices!()
                .inner_join(
                    case_partner_offices::table.on(case_partner_offices::case_id.eq(cases::id))
                )
                .filter(case_partner_offices::office_id.eq(office.clone()))),
            case_partner_offices::case_created_at,
            case_partner_offices::case_id
        ),
        // A search's few candidates are looked up by id and sorted; their office is checked
        // on each. Walking the office's newest cases for them instead (SQLite's choice when the
        // office is an indexed equality) reads the whole office when the matches are fewer than
        // a page: 20,000 rows at a million cases (docs/performance.md).
        _ => match candidates.as_ref().and_then(|_| scope.offices_row_by_row()) {
            Some(offices) => keyset_rows!(
                filtered!(cases_with_offices!().filter(offices)),
                cases::created_at,
                cases::id
            ),
            None => keyset_rows!(
                filtered!(cases_with_offices!().filter(scope.filter())),
                cases::created_at,
                cases::id
            ),
        },
    };
    Ok(Paginated::from_rows(rows, page, |(case, _, _)| {
        (case.created_at, case.id.as_str())
    })
    .map(|row| view_of(row, now)))
}

/// `%text%` with LIKE's wildcards escaped, so a `%` typed by a user matches only a `%`.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_typed_by_users_are_literal() {
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
    }
}
