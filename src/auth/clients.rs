//! Machine clients: credentials with which a partner office's own system calls the API
//! (OAuth2 client credentials, RFC 6749 §4.4). The secret is shown once and stored hashed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::tokens::{random_token, token_hash};
use crate::db::DbConnection;
use crate::schema::office_clients;

/// A client as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = office_clients)]
pub struct OfficeClient {
    pub id: String,
    pub office_id: String,
    pub name: String,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A client as the API lists it (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientView {
    pub client_id: String,
    pub office_id: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<OfficeClient> for ClientView {
    fn from(client: OfficeClient) -> Self {
        Self {
            client_id: client.id,
            office_id: client.office_id,
            name: client.name,
            created_at: client.created_at.and_utc(),
            revoked_at: client.revoked_at.map(|at| at.and_utc()),
        }
    }
}

/// Creates a client and returns it with its secret, which exists nowhere else afterwards.
pub fn create(
    connection: &mut DbConnection,
    office_id: &str,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<(OfficeClient, String)> {
    let id = format!("mtc_{}", uuid::Uuid::new_v4().simple());
    let secret = random_token("mts_");
    diesel::insert_into(office_clients::table)
        .values((
            office_clients::id.eq(&id),
            office_clients::office_id.eq(office_id),
            office_clients::name.eq(name),
            office_clients::secret_hash.eq(token_hash(&secret)),
            office_clients::created_at.eq(now),
        ))
        .execute(connection)?;
    let client = office_clients::table
        .find(&id)
        .select(OfficeClient::as_select())
        .first(connection)?;
    Ok((client, secret))
}

/// The clients of an office, newest first.
pub fn list_for_office(
    connection: &mut DbConnection,
    office_id: &str,
) -> QueryResult<Vec<OfficeClient>> {
    office_clients::table
        .filter(office_clients::office_id.eq(office_id))
        .order((office_clients::created_at.desc(), office_clients::id.desc()))
        .select(OfficeClient::as_select())
        .load(connection)
}

/// Marks a client of `office_id` revoked; `false` when there is no such (unrevoked) client.
pub fn revoke(
    connection: &mut DbConnection,
    office_id: &str,
    client_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        office_clients::table
            .find(client_id)
            .filter(office_clients::office_id.eq(office_id))
            .filter(office_clients::revoked_at.is_null()),
    )
    .set(office_clients::revoked_at.eq(now))
    .execute(connection)?;
    Ok(updated == 1)
}

/// The unrevoked client with these credentials, if they match.
pub fn authenticate(
    connection: &mut DbConnection,
    client_id: &str,
    secret: &str,
) -> QueryResult<Option<OfficeClient>> {
    let client = office_clients::table
        .find(client_id)
        .filter(office_clients::revoked_at.is_null())
        .select(OfficeClient::as_select())
        .first(connection)
        .optional()?;
    let presented = token_hash(secret);
    Ok(client.filter(|c| constant_time_eq(c.secret_hash.as_bytes(), presented.as_bytes())))
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
