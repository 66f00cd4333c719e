//! `/api/v1/cases/{id}/parties`: the people and the employer of a case. The HTTP side only —
//! extract, call the use case in `parties::use_cases`, answer.

use actix_web::{web, HttpResponse};

use super::use_cases::{RevealRequest, RevealedParty};
use super::{PartyInput, PartyView};
use crate::app::AppState;
use crate::auth::extract::{Caller, UnionStaff};
use crate::domain::ids::CaseId;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};
use crate::parties;

/// Adds a party to a case; its ID and phone numbers are stored encrypted and shown masked.
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties", tag = "cases",
    params(("id" = String, Path, description = "The case's id")), request_body = PartyInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = PartyView),
        (status = 404, description = "No such case, or not visible to you", body = Problem),
        (status = 422, description = "Invalid fields (e.g. an ID number failing its check digit)", body = Problem),
    ))]
pub async fn add_party(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    id: web::Path<CaseId>,
    body: JsonBody<PartyInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let protector = state.personal_data.clone();
    let view = state
        .db
        .run(move |connection| parties::add(connection, &caller, &id, input, &protector, now))
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The parties of a case, in the order they were added.
#[utoipa::path(get, path = "/api/v1/cases/{id}/parties", tag = "cases", params(("id" = String, Path, description = "The case's id"), PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of the parties, numbers masked", body = Paginated<PartyView>),
              (status = 404, description = "No such case, or not visible to you", body = Problem)))]
pub async fn list_parties(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CaseId>,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let parties = state
        .db
        .run(move |connection| parties::list_for(connection, &caller, &id, &page))
        .await?;
    Ok(HttpResponse::Ok().json(parties))
}

/// Shows a party's full ID and phone numbers to a role that needs them — union staff of the
/// case, police on a referred case, a lawyer holding a grant — and records the reveal, with its
/// purpose, on the timeline (个人信息保护法 Art. 51).
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties/{party_id}/reveal", tag = "cases",
    params(("id" = String, Path, description = "The case's id"), ("party_id" = String, Path, description = "The party's id")), request_body = RevealRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The full numbers", body = RevealedParty),
        (status = 403, description = "The role does not need the full numbers", body = Problem),
        (status = 404, description = "No such case or party, or not visible to you", body = Problem),
        (status = 422, description = "No purpose given", body = Problem),
    ))]
pub async fn reveal_party(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(CaseId, String)>,
    body: JsonBody<RevealRequest>,
) -> Result<HttpResponse, AppError> {
    let (case_id, party_id) = path.into_inner();
    let now = state.clock.now();
    let protector = state.personal_data.clone();
    // Handed over unread: the use case judges the body only after visibility and the role.
    let input = body.into_inner();
    let revealed = state
        .db
        .run(move |connection| {
            parties::reveal(
                connection, &caller, &case_id, &party_id, input, &protector, now,
            )
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(revealed))
}
