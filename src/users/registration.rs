//! Creating a user — the one path shared by the API, `create-user`, the first-start bootstrap
//! and the demo data, so every user meets the same rules.

use crate::domain::lengths;
use chrono::NaiveDateTime;

use super::{NewUser, Role, User};
use crate::auth::{password, policy};
use crate::db::{is_unique_violation, DbConnection};
use crate::domain::validation::{text, Validator};
use crate::domain::{new_id, Email};
use crate::error::AppError;
use crate::offices;

/// What is needed to create a user.
#[derive(Debug, Clone)]
pub struct Registration {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub office_id: Option<String>,
    pub password: String,
}

/// Validates, hashes the password (blocking: call on the blocking pool) and inserts the user.
pub fn register(
    connection: &mut DbConnection,
    registration: Registration,
    now: NaiveDateTime,
) -> Result<User, AppError> {
    let mut v = Validator::new();
    let email = v.check("email", Email::parse(&registration.email));
    let name = v.check("name", text(&registration.name, lengths::NAME));
    v.check(
        "password",
        password::check_policy(&registration.password, Some(&registration.email)),
    );
    let office_kind = match &registration.office_id {
        Some(id) => match offices::find(connection, &id.into()) {
            Ok(office) => Some(office.kind),
            Err(diesel::result::Error::NotFound) => {
                v.add("office_id", crate::msg!("field.no_such_office"));
                None
            }
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    if !role_fits_or_office_unknown(&registration, office_kind) {
        v.add("role", role_misfit_message(registration.role, office_kind));
    }
    let (email, name) = v.finish_with(|| Some((email?, name?)))?;
    let new_user = NewUser {
        id: new_id(),
        email: email.as_str().to_owned(),
        email_normalized: email.normalized(),
        name,
        role: registration.role,
        office_id: registration.office_id,
        password_hash: password::hash(&registration.password)?,
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    super::insert(connection, &new_user).map_err(|e| {
        if is_unique_violation(&e) {
            AppError::invalid("email", crate::msg!("field.email.taken"))
        } else {
            e.into()
        }
    })
}

fn role_fits_or_office_unknown(
    registration: &Registration,
    kind: Option<offices::OfficeKind>,
) -> bool {
    // An unknown office is reported on office_id already; do not pile a role error on it.
    (registration.office_id.is_some() && kind.is_none())
        || policy::role_fits_office(registration.role, kind)
}

/// Explains which offices a role may belong to.
pub fn role_misfit_message(role: Role, kind: Option<offices::OfficeKind>) -> crate::i18n::Message {
    match kind {
        None => crate::msg!("field.role.needs_office", role = role),
        Some(kind) => crate::msg!("field.role.wrong_office", role = role, office_kind = kind),
    }
}
