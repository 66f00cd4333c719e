//! `/api/v1/cases/{id}/agreements`, `/agreement` and `/payments`: the HTTP adapter of the
//! agreement use cases in [`super::use_cases`].

use actix_web::{web, HttpResponse};

use super::use_cases::{CreateAgreement, CreatePayment};
pub use super::views::{AgreementView, TermView};
use super::PaymentView;
use crate::agreements;
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::domain::ids::CaseId;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};

/// Records the signed mediation agreement; the case moves from `in_mediation` to
/// `agreement_reached` and its agreed amount becomes the sum of the terms.
#[utoipa::path(post, path = "/api/v1/cases/{id}/agreements", tag = "agreements",
    params(("id" = String, Path, description = "The case's id")), request_body = CreateAgreement,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded, with its follow-ups", body = AgreementView),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 409, description = "The case is not in mediation, or already has an agreement", body = Problem),
              (status = 422, description = "Invalid terms", body = Problem)))]
pub async fn create_agreement(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<CaseId>,
    body: JsonBody<CreateAgreement>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let texts = state.texts();
    let view = state
        .db
        .run(move |connection| {
            agreements::record_agreement(connection, &caller, &case_id, input, &texts, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The case's agreement, what is paid, and the statutory follow-ups.
#[utoipa::path(get, path = "/api/v1/cases/{id}/agreement", tag = "agreements",
    params(("id" = String, Path, description = "The case's id")), security(("bearer" = [])),
    responses((status = 200, description = "The agreement", body = AgreementView),
              (status = 404, description = "No agreement, or no such visible case", body = Problem)))]
pub async fn get_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<CaseId>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| agreements::read_agreement(connection, &caller, &case_id, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Records money actually paid to the workers; the case's recovered amount becomes the sum of
/// its payments.
#[utoipa::path(post, path = "/api/v1/cases/{id}/payments", tag = "agreements",
    params(("id" = String, Path, description = "The case's id")), request_body = CreatePayment,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = PaymentView),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 409, description = "The case is not in mediation or under an agreement", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn record_payment(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<CaseId>,
    body: JsonBody<CreatePayment>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let payment = state
        .db
        .run(move |connection| {
            agreements::record_payment(connection, &caller, &case_id, input, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(payment))
}

/// The payments of a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/payments", tag = "agreements", params(("id" = String, Path, description = "The case's id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of the payments, oldest first", body = Paginated<PaymentView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_payments(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<CaseId>,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let list = state
        .db
        .run(move |connection| agreements::list_payments(connection, &caller, &case_id, &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
