//! `/api/v1/cases/{id}/follow-ups`: union staff record follow-ups (回访) on concluded cases;
//! whoever sees the case reads them. The HTTP adapter of [`super::use_cases`].

use actix_web::{web, HttpResponse};

use super::use_cases::CreateFollowUp;
use super::FollowUpView;
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::domain::ids::CaseId;
use crate::follow_ups;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};

/// Records a follow-up with the worker on a concluded case (resolved, escalated, withdrawn or
/// rejected).
#[utoipa::path(post, path = "/api/v1/cases/{id}/follow-ups", tag = "follow_ups",
    params(("id" = String, Path, description = "The case's id")), request_body = CreateFollowUp,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded; `Location` names it", body = FollowUpView),
              (status = 403, description = "Not union staff", body = Problem),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 409, description = "The case has not concluded", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create_follow_up(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<CaseId>,
    body: JsonBody<CreateFollowUp>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| follow_ups::record(connection, &caller, &case_id, input, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "location",
            format!("/api/v1/cases/{}/follow-ups/{}", view.case_id, view.id),
        ))
        .json(view))
}

/// The follow-ups of a case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/follow-ups", tag = "follow_ups",
    params(("id" = String, Path, description = "The case's id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of the follow-ups, oldest first", body = Paginated<FollowUpView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<CaseId>,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let list = state
        .db
        .run(move |connection| follow_ups::list_for(connection, &caller, &case_id, &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One follow-up of a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/follow-ups/{follow_up_id}", tag = "follow_ups",
    params(("id" = String, Path, description = "The case's id"),
           ("follow_up_id" = String, Path, description = "The follow-up's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The follow-up", body = FollowUpView),
              (status = 404, description = "No such follow-up on a case visible to you", body = Problem)))]
pub async fn get_follow_up(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(CaseId, String)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, follow_up_id) = path.into_inner();
    let view = state
        .db
        .run(move |connection| follow_ups::get(connection, &caller, &case_id, &follow_up_id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
