//! `/api/v1/cases/{id}/grants`: union staff grant and revoke lawyers' read access.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Grant, GrantView};
use crate::app::AppState;
use crate::auth::extract::UnionStaff;
use crate::cases::visibility::find_for;
use crate::db::write_transaction;
use crate::domain::new_id;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::timeline::{self, Actor};
use crate::users::{self, Role};

/// The longest a grant may run: a review, not a standing permission.
pub const MAX_GRANT_DAYS: i64 = 365;

/// `POST /cases/{id}/grants` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGrant {
    /// An active user with the `lawyer` role.
    pub user_id: String,
    pub expires_at: DateTime<Utc>,
}

/// Grants a lawyer read access to this case file until `expires_at`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/grants", tag = "grants", request_body = CreateGrant, security(("bearer" = [])),
    responses((status = 201, description = "Granted", body = GrantView),
              (status = 404, description = "No such case, or not visible to you", body = Problem),
              (status = 422, description = "Not a lawyer, or an expiry in the past or too far away", body = Problem)))]
pub async fn create_grant(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<String>,
    body: JsonBody<CreateGrant>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    if input.expires_at <= now {
        return Err(AppError::invalid("expires_at", "must be in the future"));
    }
    if input.expires_at > now + chrono::Duration::days(MAX_GRANT_DAYS) {
        return Err(AppError::invalid(
            "expires_at",
            format!("must be within {MAX_GRANT_DAYS} days"),
        ));
    }
    let grant = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &case_id)?;
                let lawyer = users::find(connection, &input.user_id).map_err(|_| AppError::invalid("user_id", "no user has this id"))?;
                if lawyer.role != Role::Lawyer || !lawyer.active {
                    return Err(AppError::invalid("user_id", "must be an active user with the lawyer role"));
                }
                let grant = Grant {
                    id: new_id(),
                    case_id: case.id.clone(),
                    user_id: lawyer.id.clone(),
                    granted_by: caller.actor_id().to_owned(),
                    expires_at: input.expires_at.naive_utc(),
                    revoked_at: None,
                    created_at: now.naive_utc(),
                };
                super::insert(connection, &grant)?;
                let data = json!({"grant_id": grant.id, "user_id": lawyer.id, "lawyer": lawyer.name, "expires_at": input.expires_at});
                timeline::append(connection, &case.id, &Actor::from(&caller), "grant_created", data, now.naive_utc())?;
                Ok(grant)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(GrantView::new(grant, now)))
}

/// The grants of a case, active or not.
#[utoipa::path(get, path = "/api/v1/cases/{id}/grants", tag = "grants", security(("bearer" = [])),
    responses((status = 200, description = "The grants", body = [GrantView])))]
pub async fn list_grants(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    case_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let grants = state
        .db
        .run(move |connection| {
            let case = find_for(connection, &caller, &case_id)?;
            Ok(super::for_case(connection, &case.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        grants
            .into_iter()
            .map(|g| GrantView::new(g, now))
            .collect::<Vec<_>>(),
    ))
}

/// Revokes a grant: the lawyer no longer sees the case, at once.
#[utoipa::path(delete, path = "/api/v1/cases/{id}/grants/{grant_id}", tag = "grants", security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such grant", body = Problem)))]
pub async fn revoke_grant(
    state: web::Data<AppState>,
    UnionStaff(caller): UnionStaff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (case_id, grant_id) = path.into_inner();
    let now = state.clock.now().naive_utc();
    state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                let case = find_for(connection, &caller, &case_id)?;
                if !super::revoke(connection, &case.id, &grant_id, now)? {
                    return Err(AppError::NotFound);
                }
                timeline::append(
                    connection,
                    &case.id,
                    &Actor::from(&caller),
                    "grant_revoked",
                    json!({"grant_id": grant_id}),
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
