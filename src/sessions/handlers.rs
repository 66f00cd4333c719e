//! `/api/v1/cases/{id}/sessions` and `/api/v1/sessions/{id}`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

use super::{Session, SessionOutcome, SessionStatus, SessionView};
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::cases::visibility::find_for;
use crate::db::{write_transaction, DbConnection};
use crate::domain::check_version;
use crate::domain::new_id;
use crate::domain::validation::{text, Validator};
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::offices;
use crate::schema::mediation_sessions;
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

fn check_offices(
    connection: &mut DbConnection,
    v: &mut Validator,
    office_ids: &[String],
) -> Result<(), AppError> {
    for (index, id) in office_ids.iter().enumerate() {
        if offices::find(connection, id).is_err() {
            v.add(&format!("office_ids[{index}]"), "no office has this id");
        }
    }
    Ok(())
}

fn one(connection: &mut DbConnection, session: Session) -> Result<SessionView, AppError> {
    Ok(super::views(connection, vec![session])?.remove(0))
}

/// Schedules a joint mediation session on a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/sessions", tag = "sessions", request_body = CreateSession,
    security(("bearer" = [])),
    responses((status = 201, description = "Scheduled", body = SessionView),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 409, description = "The case is closed", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create_session(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<String>,
    body: JsonBody<CreateSession>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let location = text(&input.location, 500).map_err(|m| AppError::invalid("location", m))?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let session = write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &case_id)?;
                case.ensure_open()?;
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
                    &Actor::from(&caller),
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
                Ok::<_, AppError>(session)
            })?;
            one(connection, session)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("etag", etag(view.version)))
        .json(view))
}

/// The sessions of a case, in time order.
#[utoipa::path(get, path = "/api/v1/cases/{id}/sessions", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, description = "The sessions", body = [SessionView]),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let list = state
        .db
        .run(move |connection| {
            let case = find_for(connection, &caller, &case_id)?;
            let sessions = super::for_case(connection, &case.id)?;
            Ok(super::views(connection, sessions)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Reschedules a session, or records its minutes and outcome; honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "sessions", request_body = UpdateSession,
    security(("bearer" = [])),
    responses((status = 200, description = "The updated session", body = SessionView),
              (status = 404, description = "No such session, or not visible to you", body = Problem),
              (status = 412, description = "Stale If-Match", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn update_session(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    request: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<UpdateSession>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let input = body.into_inner()?;
    let mut v = Validator::new();
    let location = input
        .location
        .as_deref()
        .and_then(|l| v.check("location", text(l, 500)));
    let minutes = input
        .minutes
        .as_deref()
        .and_then(|m| v.check("minutes", text(m, 20_000)));
    if input.outcome.is_some() && input.status.is_some_and(|s| s != SessionStatus::Held) {
        v.add("outcome", "is recorded only for a held session");
    }
    v.finish()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            let session = write_transaction(connection, |connection| {
                let current = super::find(connection, &id)?;
                // Visible exactly like its case; invisible sessions answer 404.
                let case = find_for(connection, &caller, &current.case_id)?;
                check_version(expected, current.version)?;
                let mut v = Validator::new();
                if let Some(office_ids) = &input.office_ids {
                    check_offices(connection, &mut v, office_ids)?;
                }
                let status = input.status.unwrap_or(current.status);
                if input.outcome.is_some() && status != SessionStatus::Held {
                    v.add("outcome", "is recorded only for a held session");
                }
                v.finish()?;
                let mut changes = Map::new();
                let mut record = |field: &str, from: Value, to: Value| {
                    if from != to {
                        changes.insert(field.to_owned(), json!({"from": from, "to": to}));
                    }
                };
                let scheduled_at = input
                    .scheduled_at
                    .map(|t| t.naive_utc())
                    .unwrap_or(current.scheduled_at);
                record(
                    "scheduled_at",
                    json!(current.scheduled_at.and_utc()),
                    json!(scheduled_at.and_utc()),
                );
                let location = location.clone().unwrap_or(current.location.clone());
                record("location", json!(current.location), json!(location));
                record("status", json!(current.status), json!(status));
                let minutes = minutes.clone().or(current.minutes.clone());
                record("minutes", json!(current.minutes), json!(minutes));
                let outcome = input.outcome.or(current.outcome);
                record("outcome", json!(current.outcome), json!(outcome));
                if let Some(office_ids) = &input.office_ids {
                    super::set_offices(connection, &current.id, office_ids)?;
                    record("office_ids", Value::Null, json!(office_ids));
                }
                let updated = diesel::update(
                    mediation_sessions::table
                        .find(&current.id)
                        .filter(mediation_sessions::version.eq(current.version)),
                )
                .set((
                    mediation_sessions::scheduled_at.eq(scheduled_at),
                    mediation_sessions::location.eq(&location),
                    mediation_sessions::status.eq(status),
                    mediation_sessions::minutes.eq(&minutes),
                    mediation_sessions::outcome.eq(outcome),
                    mediation_sessions::updated_at.eq(now.naive_utc()),
                    mediation_sessions::version.eq(current.version + 1),
                ))
                .execute(connection)?;
                if updated == 0 {
                    return Err(AppError::PreconditionFailed(
                        "the session changed meanwhile; read it again".into(),
                    ));
                }
                let mut data = Value::Object(changes);
                data["session_id"] = json!(current.id);
                timeline::append(
                    connection,
                    &case.id,
                    &Actor::from(&caller),
                    "session_updated",
                    data,
                    now.naive_utc(),
                )?;
                Ok::<_, AppError>(super::find(connection, &current.id)?)
            })?;
            one(connection, session)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("etag", etag(view.version)))
        .json(view))
}
