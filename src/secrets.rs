//! Secrets the service needs: the token-signing secret and the personal-data key.
//!
//! Production sets them (`MEDIATION_JWT_SECRET`, `MEDIATION_DATA_KEY`). When one is unset the
//! service still works out of the box: it generates a random value once, stores it in the
//! database (so restarts and every server sharing the database agree), and warns at start —
//! a key stored beside the data protects nothing against a stolen database dump.

use base64::Engine;
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};
use rand::RngCore;

use crate::db::DbConnection;
use crate::schema::service_secrets;

/// The token-signing secret's name in `service_secrets`.
pub const JWT_SECRET: &str = "jwt_signing_secret";
/// The personal-data key's name in `service_secrets`.
pub const DATA_KEY: &str = "personal_data_key";

/// Returns `configured`, or the persisted secret `name` (creating it on first start).
pub fn resolve(
    connection: &mut DbConnection,
    name: &str,
    configured: Option<&str>,
    variable: &str,
) -> anyhow::Result<String> {
    if let Some(secret) = configured {
        return Ok(secret.to_owned());
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let candidate = base64::engine::general_purpose::STANDARD.encode(bytes);
    // Two servers starting together may both try; the first insert wins and both read it back.
    diesel::sql_query(
        "INSERT INTO service_secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind::<Text, _>(name)
    .bind::<Text, _>(&candidate)
    .bind::<Timestamp, _>(Utc::now().naive_utc())
    .execute(connection)?;
    let stored: String = service_secrets::table
        .find(name)
        .select(service_secrets::value)
        .first(connection)?;
    tracing::warn!(
        "{variable} is not set: using a value generated and stored in the database; set {variable} in production"
    );
    Ok(stored)
}
