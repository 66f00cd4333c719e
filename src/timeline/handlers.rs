//! `/api/v1/cases/{id}/events` (the timeline) and `/api/v1/cases/{id}/notes`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{Actor, EventView};
use crate::app::AppState;
use crate::auth::extract::{Caller, PendingCaller};
use crate::auth::policy;
use crate::cases::visibility::{find_for, partner_office};
use crate::db::write_transaction;
use crate::domain::validation::free_text;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::{Paginated, DEFAULT_LIMIT, MAX_LIMIT};

/// Paging of the timeline, oldest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// Events per page, 1–200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A case's timeline, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases", params(TimelineQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of events", body = Paginated<EventView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: PendingCaller,
    id: web::Path<String>,
    query: web::Query<TimelineQuery>,
) -> Result<HttpResponse, AppError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::BadRequest {
            code: "invalid_query",
            detail: format!("limit must be between 1 and {MAX_LIMIT}"),
        });
    }
    let after = match query.cursor.as_deref() {
        Some(cursor) => cursor.parse::<i32>().map_err(|_| AppError::BadRequest {
            code: "invalid_cursor",
            detail: "the cursor is not one this API issued".into(),
        })?,
        None => 0,
    };
    let mut events = state
        .db
        .run(move |connection| {
            let caller = caller.confirm(connection)?;
            let case = find_for(connection, &caller, &id)?;
            let viewer_office = partner_office(&caller);
            Ok(super::list(
                connection,
                &case.id,
                viewer_office,
                after,
                limit + 1,
            )?)
        })
        .await?;
    let next_cursor =
        (events.len() as i64 > limit).then(|| events[limit as usize - 1].sequence.to_string());
    events.truncate(limit as usize);
    Ok(HttpResponse::Ok().json(Paginated {
        items: events.into_iter().map(EventView::from).collect(),
        next_cursor,
    }))
}

/// `POST /cases/{id}/notes` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub body: String,
}

/// Adds a note to a case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", request_body = NoteInput, security(("bearer" = [])),
    responses((status = 201, description = "The note's event", body = EventView),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn add_note(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<NoteInput>,
) -> Result<HttpResponse, AppError> {
    if !policy::may_add_notes(caller.role) {
        return Err(AppError::Forbidden(format!(
            "the {} role may not add notes",
            caller.role
        )));
    }
    let note =
        free_text(&body.into_inner()?.body, 10_000).map_err(|m| AppError::invalid("body", m))?;
    let now = state.clock.now().naive_utc();
    let event = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &id)?;
                // A partner office's note is for the union and that office, like its referrals.
                let restricted = partner_office(&caller);
                let actor = Actor::from(&caller);
                let data = json!({"body": note});
                Ok::<_, AppError>(super::append_restricted(
                    connection, &case.id, &actor, "note", data, now, restricted,
                )?)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(EventView::from(event)))
}

/// Recomputes the case's hash chain: whether any event was altered, removed or reordered.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events/verify", tag = "cases", security(("bearer" = [])),
    responses((status = 200, description = "The result", body = super::ChainCheck),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn verify_events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let check = state
        .db
        .run(move |connection| {
            crate::db::read_snapshot(connection, |connection| {
                let case = find_for(connection, &caller, &id)?;
                Ok(super::verify(connection, &case.id)?)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(check))
}
