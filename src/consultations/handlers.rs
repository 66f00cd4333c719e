//! `/api/v1/consultations`: union staff record and read the consultations (法律咨询) of their
//! offices (docs/prevention.md). The HTTP adapter of [`super::use_cases`].

use actix_web::{web, HttpResponse};

use super::use_cases::{self, ConsultationQuery, CreateConsultation};
use super::ConsultationView;
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};

/// Records a consultation in the caller's office.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "consultations", request_body = CreateConsultation,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded; `Location` names it", body = ConsultationView),
              (status = 403, description = "Not union staff", body = Problem),
              (status = 422, description = "Invalid fields, or a case you do not see", body = Problem)))]
pub async fn create_consultation(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    body: JsonBody<CreateConsultation>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let (now, protector) = (state.clock.now(), state.personal_data.clone());
    let view = state
        .db
        .run(move |connection| use_cases::record(connection, &caller, input, &protector, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/consultations/{}", view.id)))
        .json(view))
}

/// The consultations of the caller's offices, newest first (none for other roles).
#[utoipa::path(get, path = "/api/v1/consultations", tag = "consultations", params(PageQuery, ConsultationQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of consultations", body = Paginated<ConsultationView>),
              (status = 400, description = "`to` before `from`", body = Problem)))]
pub async fn list_consultations(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::query::Query<PageQuery>,
    query: crate::http::query::Query<ConsultationQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let list = state
        .db
        .run(move |connection| use_cases::list(connection, &caller, query.into_inner(), &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One consultation.
#[utoipa::path(get, path = "/api/v1/consultations/{id}", tag = "consultations",
    params(("id" = String, Path, description = "The consultation's id")), security(("bearer" = [])),
    responses((status = 200, description = "The consultation", body = ConsultationView),
              (status = 404, description = "No such consultation, or not visible to you", body = Problem)))]
pub async fn get_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let view = state
        .db
        .run(move |connection| use_cases::get(connection, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
