//! `/api/v1/cases/{id}/events` (the timeline) and `/api/v1/cases/{id}/notes`. Each handler
//! extracts, calls one use case in `timeline::use_cases`, and answers.

use actix_web::{web, HttpResponse};

use super::use_cases::{NoteInput, TimelineQuery};
use super::EventView;
use crate::app::AppState;
use crate::auth::extract::{Caller, PendingCaller};
use crate::domain::ids::CaseId;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::Paginated;

/// A case's timeline, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases", params(("id" = String, Path, description = "The case's id"), TimelineQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of events", body = Paginated<EventView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: PendingCaller,
    id: web::Path<CaseId>,
    query: crate::http::query::Query<TimelineQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.page()?;
    let events = state
        .db
        .run(move |connection| {
            let caller = caller.confirm(connection)?;
            super::read_page(connection, &caller, &id, page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(events))
}

/// Adds a note to a case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases",
    params(("id" = String, Path, description = "The case's id")), request_body = NoteInput, security(("bearer" = [])),
    responses((status = 201, description = "The note's event", body = EventView),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn add_note(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CaseId>,
    body: JsonBody<NoteInput>,
) -> Result<HttpResponse, AppError> {
    super::require_note_role(&caller)?;
    let input = body.into_inner()?;
    let now = state.clock.now();
    let event = state
        .db
        .run(move |connection| super::add_note(connection, &caller, &id, input, now))
        .await?;
    Ok(HttpResponse::Created().json(event))
}

/// Recomputes the case's hash chain: whether any event was altered, removed or reordered.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events/verify", tag = "cases",
    params(("id" = String, Path, description = "The case's id")), security(("bearer" = [])),
    responses((status = 200, description = "The result", body = super::ChainCheck),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn verify_events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CaseId>,
) -> Result<HttpResponse, AppError> {
    let check = state
        .db
        .run(move |connection| super::check_chain(connection, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(check))
}
