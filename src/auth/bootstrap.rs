//! The first admin. A new installation has no users and so nobody who could create any; on
//! first start we create one — from `MEDIATION_ADMIN_EMAIL`/`MEDIATION_ADMIN_PASSWORD` when set,
//! otherwise `admin@localhost` with a random password printed once to the console (never to
//! the log, which may be shipped elsewhere).

use chrono::NaiveDateTime;

use crate::auth::tokens::random_token;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::users::registration::{register, Registration};
use crate::users::{self, Role};

/// The default admin's email when none is configured.
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@localhost";

/// Creates the first admin when there are no users; returns the generated password, if any,
/// for the caller to print.
pub fn ensure_admin(
    connection: &mut DbConnection,
    configured: Option<&(String, String)>,
    now: NaiveDateTime,
) -> Result<Option<(String, String)>, AppError> {
    if users::count(connection)? > 0 {
        return Ok(None);
    }
    let (email, password, generated) = match configured {
        Some((email, password)) => (email.clone(), password.clone(), false),
        None => (
            DEFAULT_ADMIN_EMAIL.to_owned(),
            random_token("").chars().take(24).collect(),
            true,
        ),
    };
    let registration = Registration {
        email: email.clone(),
        name: "Administrator".into(),
        role: Role::Admin,
        office_id: None,
        password: password.clone(),
    };
    match register(connection, registration, now) {
        Ok(_) => {
            tracing::warn!(%email, "created the first admin");
            Ok(generated.then_some((email, password)))
        }
        // Another server sharing the database created it at the same moment.
        Err(AppError::Validation(errors)) if errors.iter().any(|e| e.field == "email") => Ok(None),
        Err(other) => Err(other),
    }
}
