//! `/api/v1/cases/{id}/roster`: the workers of a (collective) case with their amounts. The HTTP
//! side only — extract, call the use case in `roster::use_cases`, answer.

use actix_web::{web, HttpRequest, HttpResponse};

use super::{RosterEntryInput, RosterEntryView};
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::domain::ids::CaseId;
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};
use crate::roster;

/// The roster of a case: every worker party, oldest first, with what they claim, what was agreed
/// for them, what has reached them (from payment allocations) and whether they represent the
/// others.
#[utoipa::path(get, path = "/api/v1/cases/{id}/roster", tag = "cases",
    params(("id" = String, Path, description = "The case's id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of the roster", body = Paginated<RosterEntryView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_roster(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CaseId>,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let roster = state
        .db
        .run(move |connection| roster::list_for(connection, &caller, &id, &page))
        .await?;
    Ok(HttpResponse::Ok().json(roster))
}

/// Sets one worker's claimed and agreed amounts and whether they are an elected representative.
/// The paid amount is not set here: it is the sum of the payments allocated to the worker.
#[utoipa::path(put, path = "/api/v1/cases/{id}/roster/{party_id}", tag = "cases",
    params(
        ("id" = String, Path, description = "The case's id"),
        ("party_id" = String, Path, description = "A worker party of the case"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The entry's version you read, as an ETag: `\"3\"` (`\"0\"` before anything was recorded, or `*`); a stale one is 412 `version_conflict`"),
    ),
    request_body = RosterEntryInput, security(("bearer" = [])),
    responses(
        (status = 200, description = "The worker's entry", body = RosterEntryView),
        (status = 404, description = "No such case or worker, or not visible to you", body = Problem),
        (status = 409, description = "The case is closed", body = Problem),
        (status = 412, description = "Stale If-Match", body = Problem),
        (status = 422, description = "Invalid amounts", body = Problem),
    ))]
pub async fn put_roster_entry(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    request: HttpRequest,
    path: web::Path<(CaseId, String)>,
    body: JsonBody<RosterEntryInput>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let input = body.into_inner()?;
    let (case_id, party_id) = path.into_inner();
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            roster::set_entry(
                connection, &caller, &case_id, &party_id, input, expected, now,
            )
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("etag", etag(view.version)))
        .json(view))
}
