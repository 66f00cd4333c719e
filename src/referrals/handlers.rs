//! `/api/v1/cases/{id}/referrals` and `/api/v1/referrals`: the union refers, the partner office
//! answers, and every step lands on the case timeline — visible to the union and that office only.
//! Each handler extracts, calls one use case in `referrals::use_cases`, and answers.

use actix_web::{web, HttpResponse};

use super::use_cases::{
    CancelReferral, CompleteReferral, CreateReferral, DeclineReferral, ReferralQuery,
};
use super::ReferralView;
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::domain::ids::CaseId;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};

/// Refers a case to a partner office.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "referrals",
    params(("id" = String, Path, description = "The case's id")), request_body = CreateReferral,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Referred", body = ReferralView),
        (status = 404, description = "No such case, or not visible to you", body = Problem),
        (status = 409, description = "The case is closed", body = Problem),
        (status = 422, description = "Invalid fields (e.g. a task the office does not take)", body = Problem),
    ))]
pub async fn create_referral(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<CaseId>,
    body: JsonBody<CreateReferral>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let config = state.config.clone();
    let view = state
        .db
        .run(move |connection| {
            let due_hours = &config.referral_due_hours;
            super::refer(connection, &caller, &case_id, input, due_hours, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/referrals/{}", view.id)))
        .json(view))
}

/// The referrals of a case: all of them for union staff, only their own office's for partners.
#[utoipa::path(get, path = "/api/v1/cases/{id}/referrals", tag = "referrals", params(("id" = String, Path, description = "The case's id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of the case's referrals, oldest first", body = Paginated<ReferralView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_case_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    case_id: web::Path<CaseId>,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let now = state.clock.now();
    let list = state
        .db
        .run(move |connection| super::list_for_case(connection, &caller, &case_id, &page, now))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The inbox: referrals to the caller's office (partner staff and machine clients), or on the
/// cases of the caller's scope (union staff). Newest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(PageQuery, ReferralQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of referrals", body = Paginated<ReferralView>)))]
pub async fn list_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::query::Query<PageQuery>,
    query: crate::http::query::Query<ReferralQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let query = query.into_inner();
    let now = state.clock.now();
    let list = state
        .db
        .run(move |connection| super::inbox(connection, &caller, &query, &page, now))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One referral.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals",
    params(("id" = String, Path, description = "The referral's id")), security(("bearer" = [])),
    responses((status = 200, description = "The referral", body = ReferralView),
              (status = 404, description = "No such referral, or not visible to you", body = Problem)))]
pub async fn get_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| super::get(connection, &caller, &id, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The receiving office takes the task on.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", tag = "referrals",
    params(("id" = String, Path, description = "The referral's id")), security(("bearer" = [])),
    responses((status = 200, description = "Accepted", body = ReferralView),
              (status = 404, description = "Not a referral to your office", body = Problem),
              (status = 409, description = "Not pending", body = Problem)))]
pub async fn accept_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| super::accept(connection, &caller, &id, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The receiving office declines, saying why.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/decline", tag = "referrals",
    params(("id" = String, Path, description = "The referral's id")), request_body = DeclineReferral,
    security(("bearer" = [])),
    responses((status = 200, description = "Declined", body = ReferralView),
              (status = 409, description = "Already answered or cancelled", body = Problem),
              (status = 422, description = "No reason", body = Problem)))]
pub async fn decline_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<DeclineReferral>,
) -> Result<HttpResponse, AppError> {
    super::require_referral_role(&caller)?;
    let input = body.into_inner()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| super::decline(connection, &caller, &id, input, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The receiving office reports what it did: an outcome code and a free text.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/complete", tag = "referrals",
    params(("id" = String, Path, description = "The referral's id")), request_body = CompleteReferral,
    security(("bearer" = [])),
    responses((status = 200, description = "Completed", body = ReferralView),
              (status = 409, description = "Already answered or cancelled", body = Problem),
              (status = 422, description = "An outcome the office cannot give", body = Problem)))]
pub async fn complete_referral(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<CompleteReferral>,
) -> Result<HttpResponse, AppError> {
    super::require_referral_role(&caller)?;
    let input = body.into_inner()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| super::complete(connection, &caller, &id, input, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Union staff withdraw a referral that is no longer needed.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/cancel", tag = "referrals",
    params(("id" = String, Path, description = "The referral's id")), request_body(content = Option<CancelReferral>, description = "Optional: no body at all means no reason"),
    security(("bearer" = [])),
    responses((status = 200, description = "Cancelled", body = ReferralView),
              (status = 403, description = "Not union staff", body = Problem),
              (status = 409, description = "Already answered or cancelled", body = Problem)))]
pub async fn cancel_referral(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    id: web::Path<String>,
    body: JsonBody<CancelReferral>,
) -> Result<HttpResponse, AppError> {
    // No body at all means "no reason"; a body that was sent must be valid, or nothing happens.
    let input = body.into_optional()?;
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| super::cancel(connection, &caller, &id, input, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
