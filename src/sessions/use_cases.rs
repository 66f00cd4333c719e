//! What can be done with joint mediation sessions — schedule one on a case, list a case's
//! sessions, reschedule one or record its minutes and outcome — as plain functions of the
//! caller, the input and the time, with no HTTP in them (docs/architecture.md: one use-case
//! module per resource; the rules are in docs/referrals.md, joint mediation sessions). Each write
//! owns its transaction, its timeline event and its outbox rows, so every front door gets the
//! same checks in the same order (docs/errors.md).

use crate::domain::lengths;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

use super::{Session, SessionOutcome, SessionStatus, SessionView};
use crate::auth::caller::Caller;
use crate::cases::access::{case_to_change, find_for};
use crate::db::{write_transaction, DbConnection};
use crate::domain::check_version;
use crate::domain::ids::CaseId;
use crate::domain::new_id;
use crate::domain::validation::{free_text, text, Validator};
use crate::error::AppError;
use crate::notify::texts::WorkerTexts;
use crate::offices;
use crate::pagination::{PageRequest, Paginated};
use crate::timeline::{self, Actor};

/// `POST /cases/{id}/sessions` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    pub scheduled_at: DateTime<Utc>,
    pub location: String,
    /// The offices taking part (e.g. the judicial office, the HR office and the police station).
    #[serde(default)]
    pub office_ids: Vec<String>,
}

/// `PATCH /sessions/{id}` body; only the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSession {
    pub scheduled_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub status: Option<SessionStatus>,
    pub minutes: Option<String>,
    pub outcome: Option<SessionOutcome>,
    pub office_ids: Option<Vec<String>>,
}

/// Schedules a session (union staff only, else 403) on a case the caller may see (else 404)
/// that is still open (else 409), with offices that exist (else 422), and tells those offices
/// and the consenting workers (outbox). The location is checked before the case is loaded, so a bad location answers 422
/// whatever the case.
pub fn schedule(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    input: CreateSession,
    texts: &WorkerTexts,
    now: DateTime<Utc>,
) -> Result<SessionView, AppError> {
    caller.require(crate::auth::policy::Action::WorkCases)?;
    let location =
        text(&input.location, lengths::PLACE).map_err(|m| AppError::invalid("location", m))?;
    let session = write_transaction(connection, |connection| {
        let case = case_to_change(connection, caller, case_id, None)?;
        let mut v = Validator::new();
        check_offices(connection, &mut v, &input.office_ids)?;
        v.finish()?;
        let mut office_ids = input.office_ids.clone();
        office_ids.sort();
        office_ids.dedup();
        let session = Session {
            id: new_id(),
            case_id: case.id.clone(),
            scheduled_at: input.scheduled_at.naive_utc(),
            location: location.clone(),
            status: SessionStatus::Scheduled,
            minutes: None,
            outcome: None,
            created_by: caller.actor_id().to_owned(),
            created_at: now.naive_utc(),
            updated_at: now.naive_utc(),
            version: 1,
        };
        super::insert(connection, &session, &office_ids)?;
        let data = json!({"session_id": session.id, "scheduled_at": input.scheduled_at,
                          "location": location, "office_ids": office_ids});
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "session_scheduled",
            data,
            now.naive_utc(),
        )?;
        crate::notify::messages::session_scheduled(
            connection,
            &case,
            &office_ids,
            session.scheduled_at,
            &session.location,
            now.naive_utc(),
        )?;
        crate::notify::texts::session_scheduled(
            connection,
            texts,
            &case,
            session.scheduled_at,
            &session.location,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>(session)
    })?;
    one(connection, session)
}

/// A page of the sessions of a case the caller may see (else 404), in time order.
pub fn list_for(
    connection: &mut DbConnection,
    caller: &Caller,
    case_id: &CaseId,
    page: &PageRequest,
) -> Result<Paginated<SessionView>, AppError> {
    let case = find_for(connection, caller, case_id)?;
    let found = super::page_for_case(connection, &case.id, page)?;
    Ok(Paginated {
        next_cursor: found.next_cursor,
        items: super::views(connection, found.items)?,
    })
}

/// Reschedules a session or records its minutes and outcome, and records what changed on the
/// case's timeline. Checks, in this order: the body's own fields (422), the session visible like
/// its case (404), `expected_version` from `If-Match` (412), the offices and the outcome against
/// the status the session will have (422). A session changed by someone else between the read
/// and the write answers 412 too. A closed case still accepts it (docs/errors.md, `case_closed`).
pub fn update(
    connection: &mut DbConnection,
    caller: &Caller,
    session_id: &str,
    input: UpdateSession,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
) -> Result<SessionView, AppError> {
    let mut v = Validator::new();
    let location = input
        .location
        .as_deref()
        .and_then(|l| v.check("location", text(l, lengths::PLACE)));
    let minutes = input
        .minutes
        .as_deref()
        .and_then(|m| v.check("minutes", free_text(m, lengths::MINUTES)));
    check_outcome(&mut v, input.outcome, input.status);
    v.finish()?;
    let session = write_transaction(connection, |connection| {
        let current = super::find(connection, session_id)?;
        // Visible exactly like its case; invisible sessions answer 404.
        let case = find_for(connection, caller, &current.case_id)?;
        check_version(expected_version, current.version)?;
        let mut v = Validator::new();
        if let Some(office_ids) = &input.office_ids {
            check_offices(connection, &mut v, office_ids)?;
        }
        let status = input.status.unwrap_or(current.status);
        check_outcome(&mut v, input.outcome, Some(status));
        v.finish()?;
        let changed = Session {
            scheduled_at: input
                .scheduled_at
                .map(|t| t.naive_utc())
                .unwrap_or(current.scheduled_at),
            location: location.unwrap_or(current.location.clone()),
            status,
            minutes: minutes.or(current.minutes.clone()),
            outcome: input.outcome.or(current.outcome),
            updated_at: now.naive_utc(),
            version: current.version + 1,
            ..current.clone()
        };
        let mut data = changes(&current, &changed, input.office_ids.as_deref());
        if let Some(office_ids) = &input.office_ids {
            super::set_offices(connection, &current.id, office_ids)?;
        }
        if super::save(connection, &changed, current.version)? == 0 {
            return Err(AppError::PreconditionFailed(crate::msg!(
                "detail.version_conflict.session"
            )));
        }
        data["session_id"] = json!(current.id);
        timeline::append(
            connection,
            &case.id,
            &Actor::from(caller),
            "session_updated",
            data,
            now.naive_utc(),
        )?;
        Ok::<_, AppError>(super::find(connection, &current.id)?)
    })?;
    one(connection, session)
}

/// Reports each of `office_ids` that names no office, under `office_ids[i]`.
fn check_offices(
    connection: &mut DbConnection,
    v: &mut Validator,
    office_ids: &[String],
) -> Result<(), AppError> {
    for (index, id) in office_ids.iter().enumerate() {
        if offices::find(connection, &id.into()).is_err() {
            v.add(
                &format!("office_ids[{index}]"),
                crate::msg!("field.no_such_office"),
            );
        }
    }
    Ok(())
}

/// An outcome is recorded only for a held session. Checked twice with the one rule: against the
/// status the body sets, before anything is loaded, and against the status the session will
/// have (the body's or its current one) once it is.
fn check_outcome(
    v: &mut Validator,
    outcome: Option<SessionOutcome>,
    status: Option<SessionStatus>,
) {
    if outcome.is_some() && status.is_some_and(|s| s != SessionStatus::Held) {
        v.add("outcome", crate::msg!("field.outcome.not_held"));
    }
}

/// The `session_updated` event's data: `{field: {from, to}}` for each field that changed, and
/// the offices when they were given (their previous set is not recorded).
fn changes(current: &Session, changed: &Session, office_ids: Option<&[String]>) -> Value {
    let mut changes = Map::new();
    let mut record = |field: &str, from: Value, to: Value| {
        if from != to {
            changes.insert(field.to_owned(), json!({"from": from, "to": to}));
        }
    };
    record(
        "scheduled_at",
        json!(current.scheduled_at.and_utc()),
        json!(changed.scheduled_at.and_utc()),
    );
    record("location", json!(current.location), json!(changed.location));
    record("status", json!(current.status), json!(changed.status));
    record("minutes", json!(current.minutes), json!(changed.minutes));
    record("outcome", json!(current.outcome), json!(changed.outcome));
    if let Some(office_ids) = office_ids {
        record("office_ids", Value::Null, json!(office_ids));
    }
    Value::Object(changes)
}

/// The view of one session, its offices loaded.
fn one(connection: &mut DbConnection, session: Session) -> Result<SessionView, AppError> {
    Ok(super::views(connection, vec![session])?.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome_error(outcome: Option<SessionOutcome>, status: Option<SessionStatus>) -> bool {
        let mut v = Validator::new();
        check_outcome(&mut v, outcome, status);
        v.finish().is_err()
    }

    #[test]
    fn an_outcome_needs_a_held_session() {
        let agreed = Some(SessionOutcome::Agreement);
        assert!(!outcome_error(agreed, Some(SessionStatus::Held)));
        assert!(!outcome_error(agreed, None));
        assert!(!outcome_error(None, Some(SessionStatus::Cancelled)));
        assert!(outcome_error(agreed, Some(SessionStatus::Scheduled)));
        assert!(outcome_error(agreed, Some(SessionStatus::Cancelled)));
    }
}
