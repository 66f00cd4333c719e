//! Managing machine clients — the credentials a partner office's own system signs in with — as
//! functions any front door calls: admins issue, list and revoke them (docs/security.md
//! "Machine clients"). Each takes the acting [`Caller`], checks they manage the directory, and
//! returns plain values; HTTP (the `Location` and `Cache-Control` headers) stays in
//! `auth::client_handlers`.

use crate::domain::lengths;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::Caller;
use super::clients::{self, ClientView};
use super::policy::{self, Action};
use super::sessions;
use crate::db::{write_transaction, DbConnection};
use crate::domain::ids::OfficeId;
use crate::domain::validation::text;
use crate::error::AppError;
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

/// Issues credentials to a partner office (judicial, HR or police): a client acts with its
/// office's partner role, so an office without one can have no client.
pub fn create_client(
    connection: &mut DbConnection,
    caller: &Caller,
    office_id: &OfficeId,
    input: CreateClient,
    now: DateTime<Utc>,
) -> Result<CreatedClient, AppError> {
    caller.require(Action::ManageDirectory)?;
    let name = text(&input.name, lengths::NAME).map_err(|m| AppError::invalid("name", m))?;
    let (client, secret) = write_transaction(connection, |connection| {
        let office = offices::find(connection, office_id)?;
        if policy::partner_role_for(office.kind).is_none() {
            return Err(AppError::invalid(
                "office_id",
                crate::msg!("field.office_id.no_partner_role", office_kind = office.kind),
            ));
        }
        Ok(clients::create(
            connection,
            &office.id,
            &name,
            now.naive_utc(),
        )?)
    })?;
    Ok(CreatedClient {
        client_id: client.id,
        client_secret: secret,
        office_id: client.office_id,
        name: client.name,
        created_at: client.created_at.and_utc(),
    })
}

/// An office's clients, newest first, without their secrets; 404 for an unknown office.
pub fn list_clients(
    connection: &mut DbConnection,
    caller: &Caller,
    office_id: &OfficeId,
) -> Result<Vec<ClientView>, AppError> {
    caller.require(Action::ManageDirectory)?;
    offices::find(connection, office_id)?;
    let list = clients::list_for_office(connection, office_id)?;
    Ok(list.into_iter().map(ClientView::from).collect())
}

/// Revokes a client of `office_id` and ends its sessions in one transaction, so its tokens stop
/// working at once; 404 when the office has no such unrevoked client.
pub fn revoke_client(
    connection: &mut DbConnection,
    caller: &Caller,
    office_id: &OfficeId,
    client_id: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    caller.require(Action::ManageDirectory)?;
    let now = now.naive_utc();
    write_transaction(connection, |connection| {
        if !clients::revoke(connection, office_id, client_id, now)? {
            return Err(AppError::NotFound);
        }
        sessions::revoke_for_client(connection, client_id, now)?;
        Ok(())
    })
}
