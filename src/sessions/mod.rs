//! Joint mediation sessions (三所联动 / tripartite mediation): the union schedules a meeting on a
//! case with the offices taking part, and records the minutes and outcome afterwards.

pub mod handlers;
pub mod use_cases;

pub use use_cases::{list_for, schedule, update};

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::CaseOffice;
use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use crate::offices::OfficeKind;
use crate::pagination::{PageRequest, Paginated};
use crate::schema::{mediation_sessions, offices, session_offices};
use crate::text_enum;

text_enum! {
    /// Where a session stands.
    pub enum SessionStatus {
        Scheduled = "scheduled",
        Held = "held",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// How a held session ended.
    pub enum SessionOutcome {
        Agreement = "agreement",
        PartialAgreement = "partial_agreement",
        NoAgreement = "no_agreement",
        Postponed = "postponed",
    }
}

/// A session as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mediation_sessions)]
pub struct Session {
    pub id: String,
    pub case_id: CaseId,
    pub scheduled_at: NaiveDateTime,
    pub location: String,
    pub status: SessionStatus,
    pub minutes: Option<String>,
    pub outcome: Option<SessionOutcome>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A session as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub case_id: String,
    pub scheduled_at: DateTime<Utc>,
    pub location: String,
    pub status: SessionStatus,
    pub minutes: Option<String>,
    pub outcome: Option<SessionOutcome>,
    /// The offices taking part.
    pub offices: Vec<CaseOffice>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

pub fn insert(
    connection: &mut DbConnection,
    session: &Session,
    office_ids: &[String],
) -> QueryResult<()> {
    diesel::insert_into(mediation_sessions::table)
        .values(session)
        .execute(connection)?;
    set_offices(connection, &session.id, office_ids)
}

/// Replaces the offices taking part in a session.
pub fn set_offices(
    connection: &mut DbConnection,
    session_id: &str,
    office_ids: &[String],
) -> QueryResult<()> {
    let mut office_ids = office_ids.to_vec();
    office_ids.sort();
    office_ids.dedup();
    diesel::delete(session_offices::table.filter(session_offices::session_id.eq(session_id)))
        .execute(connection)?;
    for office_id in office_ids {
        diesel::insert_into(session_offices::table)
            .values((
                session_offices::session_id.eq(session_id),
                session_offices::office_id.eq(office_id),
            ))
            .execute(connection)?;
    }
    Ok(())
}

pub fn find(connection: &mut DbConnection, id: &str) -> QueryResult<Session> {
    mediation_sessions::table
        .find(id)
        .select(Session::as_select())
        .first(connection)
}

/// Writes a session's editable fields, its `updated_at` and its `version`, but only if it is
/// still at `read_version`: the number of rows written, 0 when someone changed it meanwhile
/// (optimistic locking, docs/architecture.md).
pub fn save(
    connection: &mut DbConnection,
    session: &Session,
    read_version: i32,
) -> QueryResult<usize> {
    diesel::update(
        mediation_sessions::table
            .find(&session.id)
            .filter(mediation_sessions::version.eq(read_version)),
    )
    .set((
        mediation_sessions::scheduled_at.eq(session.scheduled_at),
        mediation_sessions::location.eq(&session.location),
        mediation_sessions::status.eq(session.status),
        mediation_sessions::minutes.eq(&session.minutes),
        mediation_sessions::outcome.eq(session.outcome),
        mediation_sessions::updated_at.eq(session.updated_at),
        mediation_sessions::version.eq(session.version),
    ))
    .execute(connection)
}

pub fn for_case(connection: &mut DbConnection, case_id: &str) -> QueryResult<Vec<Session>> {
    mediation_sessions::table
        .filter(mediation_sessions::case_id.eq(case_id))
        .order((
            mediation_sessions::scheduled_at.asc(),
            mediation_sessions::id.asc(),
        ))
        .select(Session::as_select())
        .load(connection)
}

/// A page of the sessions of a case, in time order (`scheduled_at`, then id).
pub fn page_for_case(
    connection: &mut DbConnection,
    case_id: &str,
    page: &PageRequest,
) -> QueryResult<Paginated<Session>> {
    let query = mediation_sessions::table
        .filter(mediation_sessions::case_id.eq(case_id.to_owned()))
        .select(Session::as_select())
        .into_boxed();
    let rows: Vec<Session> =
        crate::keyset_page_oldest_first!(query, mediation_sessions, scheduled_at, page)
            .load(connection)?;
    Ok(Paginated::from_rows(rows, page, |s| {
        (s.scheduled_at, s.id.as_str())
    }))
}

/// Views for `sessions`, their offices loaded in one query.
pub fn views(
    connection: &mut DbConnection,
    sessions: Vec<Session>,
) -> QueryResult<Vec<SessionView>> {
    let ids: Vec<&str> = sessions.iter().map(|s| s.id.as_str()).collect();
    let rows: Vec<(String, String, String, OfficeKind)> = session_offices::table
        .inner_join(offices::table)
        .filter(session_offices::session_id.eq_any(ids))
        .order(offices::code.asc())
        .select((
            session_offices::session_id,
            offices::id,
            offices::name,
            offices::kind,
        ))
        .load(connection)?;
    let mut by_session: HashMap<String, Vec<CaseOffice>> = HashMap::new();
    for (session_id, id, name, kind) in rows {
        by_session
            .entry(session_id)
            .or_default()
            .push(CaseOffice { id, name, kind });
    }
    Ok(sessions
        .into_iter()
        .map(|s| SessionView {
            offices: by_session.remove(&s.id).unwrap_or_default(),
            status: s.status,
            outcome: s.outcome,
            id: s.id,
            case_id: s.case_id.into(),
            scheduled_at: s.scheduled_at.and_utc(),
            location: s.location,
            minutes: s.minutes,
            created_by: s.created_by,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
            version: s.version,
        })
        .collect())
}
