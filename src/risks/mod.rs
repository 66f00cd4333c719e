//! Risk screening (风险隐患排查, docs/prevention.md): a grid worker, a volunteer mediator or an
//! inspection finds an employer that may soon owe wages, lay off or move away, and the union
//! office handles it before it becomes a dispute — or registers a case from it.
//!
//! The model, its views and its queries live here; who sees which risk is [`RiskScope`], a
//! filter inside every query (an invisible risk is never loaded: 404). The lifecycle and due
//! times are the pure [`rules`]; the use cases in [`use_cases`] (and the case made from a risk
//! in [`to_case`]); the timeline of a risk in [`events`]; the overdue reminder in [`reminders`].

pub mod events;
pub mod handlers;
pub mod reminders;
pub mod rules;
pub mod to_case;
pub mod use_cases;

pub use reminders::remind_overdue;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::caller::Caller;
use crate::cases::access::CaseScope;
use crate::db::{DbConnection, MultiBackend};
use crate::pagination::{PageRequest, Paginated};
use crate::schema::risks;
use crate::users::Role;
use rules::{RiskCategory, RiskLevel, RiskSource, RiskStatus};

/// A risk as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = risks)]
pub struct Risk {
    pub id: String,
    pub office_id: String,
    pub category: RiskCategory,
    pub level: RiskLevel,
    pub status: RiskStatus,
    pub source: RiskSource,
    pub employer_name: String,
    pub employer_name_normalized: String,
    pub employer_credit_code: Option<String>,
    pub workers_affected: i32,
    pub summary: String,
    pub notes: Option<String>,
    pub assignee_id: Option<String>,
    pub reported_by: String,
    pub due_at: NaiveDateTime,
    pub case_id: Option<String>,
    pub reminded_at: Option<NaiveDateTime>,
    pub concluded_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The employer a risk is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskEmployerView {
    pub name: String,
    /// Unified social credit code, normalised.
    pub credit_code: Option<String>,
}

/// A risk as the API shows it. The grid worker who reported it sees a reduced view: the fields
/// marked "staff only" are absent for them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskView {
    pub id: String,
    pub office_id: String,
    pub category: RiskCategory,
    pub level: RiskLevel,
    pub status: RiskStatus,
    pub source: RiskSource,
    pub employer: RiskEmployerView,
    pub workers_affected: i32,
    pub summary: String,
    /// When it should be handled by: set from the level (docs/prevention.md, "Due times").
    pub due_at: DateTime<Utc>,
    /// Still open or handling, and `due_at` has passed.
    pub overdue: bool,
    /// The case registered from it, if any.
    pub case_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Staff only: what the handling mediator wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Staff only: the mediator handling it (`null` when nobody is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<Option<String>>,
    /// Staff only: the user who reported it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
    /// Staff only: when it was resolved or closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concluded_at: Option<Option<DateTime<Utc>>>,
    /// Staff only: the version, for `If-Match`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl RiskView {
    /// The view of `risk` for `caller` at `now`: reduced for a grid worker.
    pub fn of(risk: Risk, caller: &Caller, now: NaiveDateTime) -> Self {
        let staff = caller.role != Role::GridWorker;
        Self {
            overdue: rules::is_overdue(risk.status, risk.due_at, now),
            id: risk.id,
            office_id: risk.office_id,
            category: risk.category,
            level: risk.level,
            status: risk.status,
            source: risk.source,
            employer: RiskEmployerView {
                name: risk.employer_name,
                credit_code: risk.employer_credit_code,
            },
            workers_affected: risk.workers_affected,
            summary: risk.summary,
            due_at: risk.due_at.and_utc(),
            case_id: risk.case_id,
            created_at: risk.created_at.and_utc(),
            updated_at: risk.updated_at.and_utc(),
            notes: risk.notes.filter(|_| staff),
            assignee_id: staff.then_some(risk.assignee_id),
            reported_by: staff.then_some(risk.reported_by),
            concluded_at: staff.then(|| risk.concluded_at.map(|t| t.and_utc())),
            version: staff.then_some(risk.version),
        }
    }
}

/// The risks a caller may see: union staff those of their case offices (a supervisor's tree),
/// a grid worker those they reported; nobody else any (admins, partner offices, lawyers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RiskScope {
    Offices(Vec<String>),
    ReportedBy(String),
    Nothing,
}

impl RiskScope {
    pub fn of(connection: &mut DbConnection, caller: &Caller) -> QueryResult<Self> {
        if caller.role == Role::GridWorker {
            return Ok(Self::ReportedBy(caller.actor_id().to_owned()));
        }
        Ok(match CaseScope::of(connection, caller)? {
            CaseScope::Offices(ids) => Self::Offices(ids),
            _ => Self::Nothing,
        })
    }

    /// The SQL filter of this scope over `risks`.
    pub fn filter(&self) -> Box<dyn BoxableExpression<risks::table, MultiBackend, SqlType = Bool>> {
        match self {
            Self::Offices(ids) if ids.len() == 1 => Box::new(risks::office_id.eq(ids[0].clone())),
            Self::Offices(ids) => Box::new(risks::office_id.eq_any(ids.clone())),
            Self::ReportedBy(user) => Box::new(risks::reported_by.eq(user.clone())),
            Self::Nothing => Box::new(sql::<Bool>("1 = 0")),
        }
    }
}

/// The filters of `GET /risks`, already checked.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    pub category: Option<RiskCategory>,
    pub level: Option<RiskLevel>,
    pub status: Option<RiskStatus>,
    pub overdue: Option<bool>,
    /// A normalised employer name part (`LIKE` pattern, escaped) or a credit code.
    pub employer_like: Option<String>,
    pub credit_code: Option<String>,
}

/// A page of the risks in `scope` matching `filter`, newest first.
pub fn page(
    connection: &mut DbConnection,
    scope: &RiskScope,
    filter: &RiskFilter,
    now: NaiveDateTime,
    page: &PageRequest,
) -> QueryResult<Paginated<Risk>> {
    let mut query = risks::table
        .filter(scope.filter())
        .select(Risk::as_select())
        .into_boxed();
    if let Some(category) = filter.category {
        query = query.filter(risks::category.eq(category));
    }
    if let Some(level) = filter.level {
        query = query.filter(risks::level.eq(level));
    }
    if let Some(status) = filter.status {
        query = query.filter(risks::status.eq(status));
    }
    match filter.overdue {
        Some(true) => {
            query = query
                .filter(risks::status.eq_any(rules::open_statuses()))
                .filter(risks::due_at.le(now));
        }
        Some(false) => {
            query = query.filter(
                risks::status
                    .ne_all(rules::open_statuses())
                    .or(risks::due_at.gt(now)),
            );
        }
        None => {}
    }
    match (&filter.employer_like, &filter.credit_code) {
        (Some(like), Some(code)) => {
            query = query.filter(
                risks::employer_name_normalized
                    .like(like.clone())
                    .escape('\\')
                    .or(risks::employer_credit_code.eq(code.clone())),
            );
        }
        (Some(like), None) => {
            query = query.filter(
                risks::employer_name_normalized
                    .like(like.clone())
                    .escape('\\'),
            );
        }
        (None, Some(code)) => query = query.filter(risks::employer_credit_code.eq(code.clone())),
        (None, None) => {}
    }
    let rows: Vec<Risk> = crate::keyset_page!(query, risks, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |r| {
        (r.created_at, r.id.as_str())
    }))
}

/// One risk in `scope`; `None` when it does not exist or is not visible.
pub fn find_visible(
    connection: &mut DbConnection,
    scope: &RiskScope,
    id: &str,
) -> QueryResult<Option<Risk>> {
    risks::table
        .filter(scope.filter())
        .filter(risks::id.eq(id.to_owned()))
        .select(Risk::as_select())
        .first(connection)
        .optional()
}

pub fn insert(connection: &mut DbConnection, risk: &Risk) -> QueryResult<usize> {
    diesel::insert_into(risks::table)
        .values(risk)
        .execute(connection)
}

/// Validated changes to a risk; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = risks)]
pub struct RiskChanges {
    pub category: Option<RiskCategory>,
    pub level: Option<RiskLevel>,
    pub status: Option<RiskStatus>,
    pub employer_name: Option<String>,
    pub employer_name_normalized: Option<String>,
    pub employer_credit_code: Option<Option<String>>,
    pub workers_affected: Option<i32>,
    pub summary: Option<String>,
    pub notes: Option<Option<String>>,
    pub assignee_id: Option<Option<String>>,
    pub due_at: Option<NaiveDateTime>,
    pub case_id: Option<Option<String>>,
    pub concluded_at: Option<Option<NaiveDateTime>>,
}

/// Applies `changes` to the risk at `version` (the caller checked it inside the same
/// transaction) and returns the new row.
pub fn apply(
    connection: &mut DbConnection,
    risk: &Risk,
    changes: &RiskChanges,
    now: NaiveDateTime,
) -> QueryResult<Risk> {
    diesel::update(risks::table.filter(risks::id.eq(risk.id.clone())))
        .set((
            changes,
            risks::updated_at.eq(now),
            risks::version.eq(risk.version + 1),
        ))
        .execute(connection)?;
    risks::table
        .filter(risks::id.eq(risk.id.clone()))
        .select(Risk::as_select())
        .first(connection)
}

/// `%part%` for `LIKE`, with `\`, `%` and `_` escaped (escape character `\`).
pub fn like_pattern(part: &str) -> String {
    let mut escaped = String::with_capacity(part.len() + 2);
    escaped.push('%');
    for c in part.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_the_part_literally() {
        assert_eq!(like_pattern("家具厂"), "%家具厂%");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
