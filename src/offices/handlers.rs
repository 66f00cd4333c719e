//! `/api/v1/offices`: admins create and edit offices; every signed-in user lists them. The HTTP
//! side of `offices::use_cases`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::use_cases::{CreateOffice, UpdateOffice};
use super::{OfficeKind, OfficeView};
use crate::app::AppState;
use crate::auth::extract::{Admin, Caller};
use crate::domain::ids::OfficeId;
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::offices;
use crate::pagination::{PageQuery, Paginated};

/// Filters of `GET /offices`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficeFilter {
    pub kind: Option<OfficeKind>,
}

fn with_etag(office: OfficeView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("etag", etag(office.version)))
        .json(office)
}

/// Creates an office.
#[utoipa::path(post, path = "/api/v1/offices", tag = "offices", request_body = CreateOffice,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = OfficeView),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn create_office(
    state: web::Data<AppState>,
    admin: Admin,
    body: JsonBody<CreateOffice>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let created = state
        .db
        .run(move |connection| offices::create(connection, &admin.0, input, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/offices/{}", created.id)))
        .insert_header(("etag", etag(created.version)))
        .json(created))
}

/// Lists offices, newest first.
#[utoipa::path(get, path = "/api/v1/offices", tag = "offices", params(PageQuery, OfficeFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of offices", body = Paginated<OfficeView>)))]
pub async fn list_offices(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::query::Query<PageQuery>,
    filter: crate::http::query::Query<OfficeFilter>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let kind = filter.kind;
    let list = state
        .db
        .run(move |connection| offices::list_page(connection, &caller, kind, &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One office.
#[utoipa::path(get, path = "/api/v1/offices/{id}", tag = "offices",
    params(("id" = String, Path, description = "The office's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The office", body = OfficeView),
        (status = 404, description = "No such office", body = Problem),
    ))]
pub async fn get_office(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OfficeId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let office = state
        .db
        .run(move |connection| offices::get(connection, &caller, &id))
        .await?;
    Ok(with_etag(office))
}

/// Edits an office; honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/offices/{id}", tag = "offices",
    params(
        ("id" = String, Path, description = "The office's id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The version you read, as an ETag: `\"3\"` (or `*`); a stale one is 412 `version_conflict`"),
    ),
    request_body = UpdateOffice,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated office", body = OfficeView),
        (status = 412, description = "Stale If-Match", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn update_office(
    state: web::Data<AppState>,
    admin: Admin,
    request: HttpRequest,
    id: web::Path<OfficeId>,
    body: JsonBody<UpdateOffice>,
) -> Result<HttpResponse, AppError> {
    let expected_version = if_match(&request)?;
    let input = body.into_inner()?;
    let id = id.into_inner();
    let now = state.clock.now();
    let office = state
        .db
        .run(move |connection| {
            offices::edit(connection, &admin.0, &id, expected_version, input, now)
        })
        .await?;
    Ok(with_etag(office))
}
