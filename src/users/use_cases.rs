//! What an admin does with users — create, list, read, edit — as functions any front door calls
//! (the REST handlers today, a console next). Each takes the acting [`Caller`] and checks that
//! they manage the directory, validates its input, owns its transaction and returns the
//! [`UserView`] the API answers with; HTTP (`If-Match` parsing, `ETag` and `Location`) stays in
//! `users::handlers`. The rules: docs/security.md "Creating and changing users".

use crate::domain::lengths;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::registration::{register, role_misfit_message, Registration};
use super::{Role, UserChanges, UserFilter, UserView};
use crate::auth::caller::Caller;
use crate::auth::policy::{self, Action};
use crate::auth::sessions;
use crate::db::{is_unique_violation, write_transaction, DbConnection};
use crate::domain::check_version;
use crate::domain::ids::UserId;
use crate::domain::validation::{text, Validator};
use crate::domain::Email;
use crate::error::AppError;
use crate::offices;
use crate::pagination::{PageRequest, Paginated};

/// `POST /users` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Required for every role but `admin`; the office's kind must fit the role.
    pub office_id: Option<String>,
    /// At least 12 characters and not a common password.
    pub password: String,
}

/// `PATCH /users/{id}` body; only the fields given change. `active: false` ends the user's
/// sessions at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    pub office_id: Option<String>,
    pub active: Option<bool>,
}

/// Creates a user through `registration::register`, the one path every user is created by
/// (API, CLI, first admin, demo). Not in a write transaction: the password is hashed between
/// the checks and the insert, and SQLite's write lock should not wait on Argon2; the email's
/// uniqueness is the database's to enforce.
pub fn create(
    connection: &mut DbConnection,
    caller: &Caller,
    input: CreateUser,
    now: DateTime<Utc>,
) -> Result<UserView, AppError> {
    caller.require(Action::ManageDirectory)?;
    let registration = Registration {
        email: input.email,
        name: input.name,
        role: input.role,
        office_id: input.office_id.filter(|id| !id.is_empty()),
        password: input.password,
    };
    Ok(register(connection, registration, now.naive_utc())?.into())
}

/// A page of users matching `filter`, newest first.
pub fn list_page(
    connection: &mut DbConnection,
    caller: &Caller,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Paginated<UserView>, AppError> {
    caller.require(Action::ManageDirectory)?;
    Ok(super::list(connection, filter, page)?.map(UserView::from))
}

/// One user, or 404.
pub fn get(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &UserId,
) -> Result<UserView, AppError> {
    caller.require(Action::ManageDirectory)?;
    Ok(super::find(connection, id)?.into())
}

/// Every invalid field of an [`UpdateUser`] at once (422), or the changes it asks for.
fn validate_changes(input: UpdateUser) -> Result<UserChanges, AppError> {
    let mut v = Validator::new();
    let email = input
        .email
        .as_deref()
        .and_then(|e| v.check("email", Email::parse(e)));
    let changes = UserChanges {
        name: input
            .name
            .as_deref()
            .and_then(|n| v.check("name", text(n, lengths::NAME))),
        email: email.as_ref().map(|e| e.as_str().to_owned()),
        email_normalized: email.as_ref().map(Email::normalized),
        role: input.role,
        office_id: input.office_id.map(|o| Some(o).filter(|o| !o.is_empty())),
        active: input.active,
        password_hash: None,
    };
    v.finish()?;
    Ok(changes)
}

/// Whether a change leaves a user who is an active admin no longer one (deactivated or
/// demoted): allowed only while another active admin remains, so the directory can always be
/// managed (docs/security.md "The last active admin").
fn stops_being_an_active_admin(
    current_role: Role,
    current_active: bool,
    role: Role,
    active: bool,
) -> bool {
    current_role == Role::Admin && current_active && !(role == Role::Admin && active)
}

/// Edits a user at the version the client read. The role must still fit the (possibly new)
/// office; the last active admin cannot be deactivated or demoted (409 `last_admin`, counted in
/// the same transaction); a deactivated user's sessions end in that transaction too.
pub fn edit(
    connection: &mut DbConnection,
    caller: &Caller,
    id: &UserId,
    expected_version: Option<i32>,
    input: UpdateUser,
    now: DateTime<Utc>,
) -> Result<UserView, AppError> {
    caller.require(Action::ManageDirectory)?;
    let changes = validate_changes(input)?;
    let now = now.naive_utc();
    let user = write_transaction(connection, |connection| {
        let current = super::find(connection, id)?;
        check_version(expected_version, current.version)?;
        let role = changes.role.unwrap_or(current.role);
        let office_id = changes
            .office_id
            .clone()
            .unwrap_or(current.office_id.clone().map(Into::into));
        let kind = match &office_id {
            Some(office) => Some(
                offices::find(connection, &office.into())
                    .map_err(|_| {
                        AppError::invalid("office_id", crate::msg!("field.no_such_office"))
                    })?
                    .kind,
            ),
            None => None,
        };
        if !policy::role_fits_office(role, kind) {
            return Err(AppError::invalid("role", role_misfit_message(role, kind)));
        }
        let active = changes.active.unwrap_or(current.active);
        if stops_being_an_active_admin(current.role, current.active, role, active)
            && super::active_admins(connection)? <= 1
        {
            return Err(AppError::Conflict {
                code: "last_admin",
                detail: crate::msg!("detail.last_admin"),
            });
        }
        let updated = super::update(connection, id, current.version, &changes, now)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    AppError::invalid("email", crate::msg!("field.email.taken"))
                } else {
                    e.into()
                }
            })?
            .ok_or_else(|| {
                AppError::PreconditionFailed(crate::msg!("detail.version_conflict.user"))
            })?;
        // Every node reads the user's sessions again: the role, office, name and active flag
        // a request is let in with come from them (`auth::session_cache`).
        if updated.active {
            sessions::user_changed(connection, &updated.id, now)?;
        } else {
            sessions::revoke_for_user(connection, &updated.id, None, "deactivated", now)?;
        }
        Ok(updated)
    })?;
    Ok(user.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deactivating_or_demoting_an_active_admin_takes_an_admin_away_and_nothing_else_does() {
        use Role::*;
        assert!(stops_being_an_active_admin(Admin, true, Admin, false));
        assert!(stops_being_an_active_admin(
            Admin,
            true,
            UnionMediator,
            true
        ));
        assert!(!stops_being_an_active_admin(Admin, true, Admin, true));
        assert!(!stops_being_an_active_admin(
            Admin,
            false,
            UnionMediator,
            false
        ));
        assert!(!stops_being_an_active_admin(
            UnionMediator,
            true,
            UnionMediator,
            false
        ));
    }
}
