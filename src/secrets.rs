//! The secret that signs access tokens.
//!
//! Production sets `MEDIATION_JWT_SECRET`. When it is unset the service still works out of the
//! box: it generates a random secret once, stores it in the database (so restarts and every
//! server sharing the database agree, and issued sessions stay valid), and warns at start.

use base64::Engine;
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};
use rand::RngCore;

use crate::db::DbConnection;
use crate::schema::service_secrets;

const NAME: &str = "jwt_signing_secret";

/// Returns the configured secret, or the persisted one (creating it on first start).
pub fn resolve(configured: Option<&str>, connection: &mut DbConnection) -> anyhow::Result<String> {
    if let Some(secret) = configured {
        return Ok(secret.to_owned());
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let candidate = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    // Two servers starting together may both try; the first insert wins and both read it back.
    diesel::sql_query(
        "INSERT INTO service_secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind::<Text, _>(NAME)
    .bind::<Text, _>(&candidate)
    .bind::<Timestamp, _>(Utc::now().naive_utc())
    .execute(connection)?;
    let stored: String = service_secrets::table
        .find(NAME)
        .select(service_secrets::value)
        .first(connection)?;
    tracing::warn!(
        "MEDIATION_JWT_SECRET is not set: using the signing secret generated and stored in the \
         database; set MEDIATION_JWT_SECRET in production"
    );
    Ok(stored)
}
