//! `/api/v1/risks`: risk screening (风险隐患排查, docs/prevention.md). Grid workers and union
//! staff report risks; union staff handle them and register cases from them. The HTTP adapter
//! of [`super::use_cases`] and [`super::to_case`].

use actix_web::{web, HttpRequest, HttpResponse};

use super::to_case::{self, CaseFromRisk, RiskCase};
use super::use_cases::{self, CreateRisk, RiskDetail, RiskQuery, RiskTransition, UpdateRisk};
use super::RiskView;
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};

fn respond(view: RiskView) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(version) = view.version {
        response.insert_header(("etag", etag(version)));
    }
    response.json(view)
}

/// Reports a risk in the caller's office (union staff and grid workers).
#[utoipa::path(post, path = "/api/v1/risks", tag = "risks", request_body = CreateRisk, security(("bearer" = [])),
    responses((status = 201, description = "Reported; `Location` names it", body = RiskView),
              (status = 403, description = "Neither union staff nor a grid worker", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create_risk(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateRisk>,
) -> Result<HttpResponse, AppError> {
    use_cases::ensure_may_report(&caller)?;
    let input = body.into_inner()?;
    let (now, days) = (state.clock.now(), state.config.risk_due_days.clone());
    let view = state
        .db
        .run(move |connection| use_cases::report(connection, &caller, input, &days, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/risks/{}", view.id)))
        .json(view))
}

/// The risks the caller sees, newest first: union staff their offices', a grid worker the ones
/// they reported (a reduced view), anyone else none.
#[utoipa::path(get, path = "/api/v1/risks", tag = "risks", params(PageQuery, RiskQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of risks", body = Paginated<RiskView>)))]
pub async fn list_risks(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::query::Query<PageQuery>,
    query: crate::http::query::Query<RiskQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let now = state.clock.now();
    let list = state
        .db
        .run(move |connection| use_cases::list(connection, &caller, query.into_inner(), &page, now))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One risk, with its timeline for staff.
#[utoipa::path(get, path = "/api/v1/risks/{id}", tag = "risks",
    params(("id" = String, Path, description = "The risk's id")), security(("bearer" = [])),
    responses((status = 200, description = "The risk", body = RiskDetail),
              (status = 404, description = "No such risk, or not visible to you", body = Problem)))]
pub async fn get_risk(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let detail = state
        .db
        .run(move |connection| use_cases::get(connection, &caller, &id, now))
        .await?;
    let mut response = HttpResponse::Ok();
    if let Some(version) = detail.risk.version {
        response.insert_header(("etag", etag(version)));
    }
    Ok(response.json(detail))
}

/// Edits a risk (union staff); honours `If-Match`. A new level moves `due_at`.
#[utoipa::path(patch, path = "/api/v1/risks/{id}", tag = "risks",
    params(("id" = String, Path, description = "The risk's id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The version you read, as an ETag: `\"3\"` (or `*`); a stale one is 412 `version_conflict`")),
    request_body = UpdateRisk, security(("bearer" = [])),
    responses((status = 200, description = "The updated risk", body = RiskView),
              (status = 403, description = "Not union staff", body = Problem),
              (status = 404, description = "No such risk, or not visible to you", body = Problem),
              (status = 409, description = "The risk is resolved or closed", body = Problem),
              (status = 412, description = "Stale If-Match", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn update_risk(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    request: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<UpdateRisk>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let input = body.into_inner()?;
    let (now, days) = (state.clock.now(), state.config.risk_due_days.clone());
    let view = state
        .db
        .run(move |connection| {
            use_cases::update(connection, &caller, &id, expected, input, &days, now)
        })
        .await?;
    Ok(respond(view))
}

/// Moves a risk along its lifecycle: `start`, `resolve`, `close` (docs/prevention.md).
#[utoipa::path(post, path = "/api/v1/risks/{id}/transitions", tag = "risks",
    params(("id" = String, Path, description = "The risk's id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The version you read, as an ETag: `\"3\"` (or `*`); a stale one is 412 `version_conflict`")),
    request_body = RiskTransition, security(("bearer" = [])),
    responses((status = 200, description = "The risk in its new status", body = RiskView),
              (status = 403, description = "Not union staff", body = Problem),
              (status = 404, description = "No such risk, or not visible to you", body = Problem),
              (status = 409, description = "Not allowed from the current status", body = Problem),
              (status = 412, description = "Stale If-Match", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn transition_risk(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    request: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<RiskTransition>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let input = body.into_inner()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| {
            use_cases::transition(connection, &caller, &id, expected, input, now)
        })
        .await?;
    Ok(respond(view))
}

/// Registers a case from a risk, with its employer filled in (the body may be empty).
#[utoipa::path(post, path = "/api/v1/risks/{id}/cases", tag = "risks",
    params(("id" = String, Path, description = "The risk's id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The risk's version you read, as an ETag: `\"3\"` (or `*`)")),
    request_body = Option<CaseFromRisk>, security(("bearer" = [])),
    responses((status = 201, description = "The case is registered; `Location` names it", body = RiskCase),
              (status = 403, description = "Not union staff", body = Problem),
              (status = 404, description = "No such risk, or not visible to you", body = Problem),
              (status = 409, description = "The risk is concluded or already has a case", body = Problem),
              (status = 412, description = "Stale If-Match", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create_case_from_risk(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    request: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<CaseFromRisk>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&request)?;
    let input = body.into_optional()?.unwrap_or_default();
    let (now, protector) = (state.clock.now(), state.personal_data.clone());
    let created = state
        .db
        .run(move |connection| {
            to_case::register_case(connection, &caller, &id, expected, input, &protector, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/cases/{}", created.case.id)))
        .json(created))
}
