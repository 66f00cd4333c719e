//! `/offices/{id}/clients`: admins issue and revoke partner offices' machine credentials. The
//! HTTP side of `auth::clients_use_cases`.

use actix_web::{web, HttpResponse};

use super::clients::ClientView;
use super::clients_use_cases::{CreateClient, CreatedClient};
use super::extract::Admin;
use crate::app::AppState;
use crate::auth;
use crate::domain::ids::OfficeId;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::Paginated;

/// Creates machine credentials for a partner office (judicial, HR or police).
#[utoipa::path(post, path = "/api/v1/offices/{id}/clients", tag = "offices",
    params(("id" = String, Path, description = "The office's id")), request_body = CreateClient,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; the secret is shown only now", body = CreatedClient),
        (status = 404, description = "No such office", body = Problem),
        (status = 422, description = "The office has no partner role", body = Problem),
    ))]
pub async fn create_client(
    state: web::Data<AppState>,
    admin: Admin,
    office_id: web::Path<OfficeId>,
    body: JsonBody<CreateClient>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let office_id = office_id.into_inner();
    let now = state.clock.now();
    let created = state
        .db
        .run(move |connection| auth::create_client(connection, &admin.0, &office_id, input, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "location",
            format!(
                "/api/v1/offices/{}/clients/{}",
                created.office_id, created.client_id
            ),
        ))
        .insert_header(("cache-control", "no-store"))
        .json(created))
}

/// Lists an office's clients (without secrets).
#[utoipa::path(get, path = "/api/v1/offices/{id}/clients", tag = "offices",
    params(("id" = String, Path, description = "The office's id")), security(("bearer" = [])),
    responses((status = 200, description = "The office's clients, all on one page (next_cursor null)", body = Paginated<ClientView>)))]
pub async fn list_clients(
    state: web::Data<AppState>,
    admin: Admin,
    office_id: web::Path<OfficeId>,
) -> Result<HttpResponse, AppError> {
    let office_id = office_id.into_inner();
    let list = state
        .db
        .run(move |connection| auth::list_clients(connection, &admin.0, &office_id))
        .await?;
    Ok(HttpResponse::Ok().json(Paginated::whole(list)))
}

/// Revokes a client: its tokens stop working at once.
#[utoipa::path(delete, path = "/api/v1/offices/{id}/clients/{client_id}", tag = "offices",
    params(("id" = String, Path, description = "The office's id"), ("client_id" = String, Path, description = "The machine client's id (its `client_id`)")),
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such client", body = Problem)))]
pub async fn revoke_client(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(OfficeId, String)>,
) -> Result<HttpResponse, AppError> {
    let (office_id, client_id) = path.into_inner();
    let now = state.clock.now();
    state
        .db
        .run(move |connection| {
            auth::revoke_client(connection, &admin.0, &office_id, &client_id, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
