//! `/api/v1/cases/{id}/sessions` and `/api/v1/sessions/{id}`: the HTTP side only — extract,
//! call the use case in `sessions::use_cases`, answer with the status and the ETag.

use actix_web::{web, HttpRequest, HttpResponse};

use super::use_cases::{CreateSession, UpdateSession};
use super::SessionView;
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::domain::ids::CaseId;
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};
use crate::sessions;

/// Schedules a joint mediation session on a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/sessions", tag = "sessions",
    params(("id" = String, Path, description = "The case's id")), request_body = CreateSession,
    security(("bearer" = [])),
    responses((status = 201, description = "Scheduled", body = SessionView),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 409, description = "The case is closed", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create_session(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<CaseId>,
    body: JsonBody<CreateSession>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let texts = state.texts();
    let view = state
        .db
        .run(move |connection| {
            sessions::schedule(connection, &caller, &case_id, input, &texts, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("etag", etag(view.version)))
        .json(view))
}

/// The sessions of a case, in time order.
#[utoipa::path(get, path = "/api/v1/cases/{id}/sessions", tag = "sessions", params(("id" = String, Path, description = "The case's id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of the sessions, in time order", body = Paginated<SessionView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<CaseId>,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let list = state
        .db
        .run(move |connection| sessions::list_for(connection, &caller, &case_id, &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Reschedules a session, or records its minutes and outcome; honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "sessions",
    params(
        ("id" = String, Path, description = "The joint session's id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The version you read, as an ETag: `\"3\"` (or `*`); a stale one is 412 `version_conflict`"),
    ),
    request_body = UpdateSession,
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
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| sessions::update(connection, &caller, &id, input, expected, now))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("etag", etag(view.version)))
        .json(view))
}
