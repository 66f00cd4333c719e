//! `/api/v1/cases/{id}/grants`: union staff grant and revoke lawyers' read access. The HTTP
//! adapter of the grant use cases in [`super::use_cases`].

use actix_web::{web, HttpResponse};

use super::use_cases::CreateGrant;
use super::GrantView;
use crate::app::AppState;
use crate::auth::extract::UnionStaff;
use crate::domain::ids::CaseId;
use crate::grants;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::Paginated;

/// Grants a lawyer read access to this case file until `expires_at`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/grants", tag = "grants",
    params(("id" = String, Path, description = "The case's id")), request_body = CreateGrant, security(("bearer" = [])),
    responses((status = 201, description = "Granted", body = GrantView),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 422, description = "Not a lawyer, or an expiry in the past or too far away", body = Problem)))]
pub async fn create_grant(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<CaseId>,
    body: JsonBody<CreateGrant>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let grant = state
        .db
        .run(move |connection| grants::grant(connection, &caller, &case_id, input, now))
        .await?;
    Ok(HttpResponse::Created().json(grant))
}

/// The grants of a case, active or not.
#[utoipa::path(get, path = "/api/v1/cases/{id}/grants", tag = "grants",
    params(("id" = String, Path, description = "The case's id")), security(("bearer" = [])),
    responses((status = 200, description = "The grants, all on one page (next_cursor null)", body = Paginated<GrantView>)))]
pub async fn list_grants(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<CaseId>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let list = state
        .db
        .run(move |connection| grants::list_grants(connection, &caller, &case_id, now))
        .await?;
    Ok(HttpResponse::Ok().json(Paginated::whole(list)))
}

/// Revokes a grant: the lawyer no longer sees the case, at once.
#[utoipa::path(delete, path = "/api/v1/cases/{id}/grants/{grant_id}", tag = "grants",
    params(("id" = String, Path, description = "The case's id"), ("grant_id" = String, Path, description = "The grant's id")), security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such grant", body = Problem)))]
pub async fn revoke_grant(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    path: web::Path<(CaseId, String)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, grant_id) = path.into_inner();
    let now = state.clock.now();
    state
        .db
        .run(move |connection| grants::revoke_grant(connection, &caller, &case_id, &grant_id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
