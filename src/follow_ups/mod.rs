//! Follow-ups (回访) after a case concludes (docs/follow-ups.md): the mediator calls, visits or
//! texts the worker, and records whether they were reached, how satisfied they are and what
//! was said. When one falls due is a pure rule in [`rules`]; recording and reading them is in
//! [`use_cases`]; the reminder to the case's mediator in [`reminders`].

pub mod handlers;
pub mod reminders;
pub mod rules;
pub mod use_cases;

pub use reminders::remind_due;
pub use use_cases::{get, list_for, record};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::follow_ups;
use crate::text_enum;

text_enum! {
    /// How the worker was contacted.
    pub enum FollowUpMethod {
        Phone = "phone",
        Visit = "visit",
        Sms = "sms",
    }
}

/// A follow-up as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = follow_ups)]
pub struct FollowUp {
    pub id: String,
    pub case_id: CaseId,
    pub method: FollowUpMethod,
    pub reached: bool,
    pub satisfaction: Option<i32>,
    pub note: String,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

/// A follow-up as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpView {
    pub id: String,
    pub case_id: String,
    pub method: FollowUpMethod,
    /// Whether the worker was reached.
    pub reached: bool,
    /// 1 (very dissatisfied) to 5 (very satisfied); `null` when not asked or not given.
    #[schema(minimum = 1, maximum = 5)]
    pub satisfaction: Option<i32>,
    pub note: String,
    /// The user who recorded it.
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<FollowUp> for FollowUpView {
    fn from(f: FollowUp) -> Self {
        Self {
            id: f.id,
            case_id: f.case_id.into(),
            method: f.method,
            reached: f.reached,
            satisfaction: f.satisfaction,
            note: f.note,
            recorded_by: f.recorded_by,
            created_at: f.created_at.and_utc(),
        }
    }
}

pub fn insert(connection: &mut DbConnection, follow_up: &FollowUp) -> QueryResult<usize> {
    diesel::insert_into(follow_ups::table)
        .values(follow_up)
        .execute(connection)
}

/// A page of the follow-ups of a case, oldest first (`created_at`, then id).
pub fn page_for_case(
    connection: &mut DbConnection,
    case_id: &CaseId,
    page: &PageRequest,
) -> QueryResult<Paginated<FollowUp>> {
    let query = follow_ups::table
        .filter(follow_ups::case_id.eq(case_id.as_str().to_owned()))
        .select(FollowUp::as_select())
        .into_boxed();
    let rows: Vec<FollowUp> =
        crate::keyset_page_oldest_first!(query, follow_ups, created_at, page).load(connection)?;
    Ok(Paginated::from_rows(rows, page, |f| {
        (f.created_at, f.id.as_str())
    }))
}

/// One follow-up of a case; `None` when the case has no follow-up with that id.
pub fn find_in_case(
    connection: &mut DbConnection,
    case_id: &CaseId,
    id: &str,
) -> QueryResult<Option<FollowUp>> {
    follow_ups::table
        .filter(follow_ups::case_id.eq(case_id.as_str().to_owned()))
        .filter(follow_ups::id.eq(id.to_owned()))
        .select(FollowUp::as_select())
        .first(connection)
        .optional()
}
