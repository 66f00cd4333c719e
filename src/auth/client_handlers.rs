//! `/offices/{id}/clients`: admins issue and revoke partner offices' machine credentials.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clients::{self, ClientView};
use super::extract::Admin;
use super::{policy, sessions};
use crate::app::AppState;
use crate::db::write_transaction;
use crate::domain::validation::text;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::offices;

/// `POST /offices/{id}/clients` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// What the credentials are for, e.g. "Police case system".
    pub name: String,
}

/// A new client with its secret — the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedClient {
    pub client_id: String,
    pub client_secret: String,
    pub office_id: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Creates machine credentials for a partner office (judicial, HR or police).
#[utoipa::path(post, path = "/api/v1/offices/{id}/clients", tag = "offices", request_body = CreateClient,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; the secret is shown only now", body = CreatedClient),
        (status = 404, description = "No such office", body = Problem),
        (status = 422, description = "The office has no partner role", body = Problem),
    ))]
pub async fn create_client(
    state: web::Data<AppState>,
    _admin: Admin,
    office_id: web::Path<String>,
    body: JsonBody<CreateClient>,
) -> Result<HttpResponse, AppError> {
    let name = text(&body.into_inner()?.name, 200).map_err(|m| AppError::invalid("name", m))?;
    let office_id = office_id.into_inner();
    let now = state.clock.now().naive_utc();
    let (client, secret) = state
        .db
        .run(move |connection| {
            let office = offices::find(connection, &office_id)?;
            if policy::partner_role_for(office.kind).is_none() {
                return Err(AppError::invalid(
                    "office_id",
                    format!("a {} office has no partner role; clients are for judicial, hr and police offices", office.kind),
                ));
            }
            Ok(clients::create(connection, &office.id, &name, now)?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "location",
            format!("/api/v1/offices/{}/clients/{}", client.office_id, client.id),
        ))
        .insert_header(("cache-control", "no-store"))
        .json(CreatedClient {
            client_id: client.id,
            client_secret: secret,
            office_id: client.office_id,
            name: client.name,
            created_at: client.created_at.and_utc(),
        }))
}

/// Lists an office's clients (without secrets).
#[utoipa::path(get, path = "/api/v1/offices/{id}/clients", tag = "offices", security(("bearer" = [])),
    responses((status = 200, description = "The office's clients", body = [ClientView])))]
pub async fn list_clients(
    state: web::Data<AppState>,
    _admin: Admin,
    office_id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let office_id = office_id.into_inner();
    let list = state
        .db
        .run(move |connection| {
            offices::find(connection, &office_id)?;
            Ok(clients::list_for_office(connection, &office_id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(ClientView::from).collect::<Vec<_>>()))
}

/// Revokes a client: its tokens stop working at once.
#[utoipa::path(delete, path = "/api/v1/offices/{id}/clients/{client_id}", tag = "offices",
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such client", body = Problem)))]
pub async fn revoke_client(
    state: web::Data<AppState>,
    _admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (office_id, client_id) = path.into_inner();
    let now = state.clock.now().naive_utc();
    state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                if !clients::revoke(connection, &office_id, &client_id, now)? {
                    return Err(AppError::NotFound);
                }
                sessions::revoke_for_client(connection, &client_id, now)?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
