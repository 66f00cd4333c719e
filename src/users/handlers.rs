//! `/api/v1/users`: administrators manage who may sign in.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::registration::{register, role_misfit_message, Registration};
use super::{Role, UserChanges, UserFilter, UserView};
use crate::app::AppState;
use crate::auth::extract::Admin;
use crate::auth::{policy, sessions};
use crate::db::{is_unique_violation, write_transaction};
use crate::domain::check_version;
use crate::domain::validation::{text, Validator};
use crate::domain::Email;
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::offices;
use crate::pagination::{PageQuery, Paginated};
use crate::schema::users;

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

/// Filters of `GET /users`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub office_id: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

fn with_etag(user: super::User) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("etag", etag(user.version)))
        .json(UserView::from(user))
}

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 422, description = "Invalid fields (e.g. a role that does not fit the office)", body = Problem),
    ))]
pub async fn create_user(
    state: web::Data<AppState>,
    _admin: Admin,
    body: JsonBody<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let registration = Registration {
        email: input.email,
        name: input.name,
        role: input.role,
        office_id: input.office_id.filter(|id| !id.is_empty()),
        password: input.password,
    };
    let now = state.clock.now().naive_utc();
    let user = state
        .db
        .run(move |connection| register(connection, registration, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/users/{}", user.id)))
        .insert_header(("etag", etag(user.version)))
        .json(UserView::from(user)))
}

/// Lists users, newest first.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery, UserQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of users", body = Paginated<UserView>)))]
pub async fn list_users(
    state: web::Data<AppState>,
    _admin: Admin,
    page: web::Query<PageQuery>,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let query = query.into_inner();
    let filter = UserFilter {
        office_id: query.office_id,
        role: query.role,
        active: query.active,
    };
    let list = state
        .db
        .run(move |connection| Ok(super::list(connection, &filter, &page)?))
        .await?;
    Ok(HttpResponse::Ok().json(list.map(UserView::from)))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The user", body = UserView), (status = 404, description = "No such user", body = Problem)))]
pub async fn get_user(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = state
        .db
        .run(move |connection| Ok(super::find(connection, &id)?))
        .await?;
    Ok(with_etag(user))
}

/// Edits a user; honours `If-Match`. Deactivation ends the user's sessions in the same
/// transaction. The last active admin cannot be deactivated or demoted.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated user", body = UserView),
        (status = 409, description = "Would leave no active admin", body = Problem),
        (status = 412, description = "Stale If-Match", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn update_user(
    state: web::Data<AppState>,
    _admin: Admin,
    request: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<UpdateUser>,
) -> Result<HttpResponse, AppError> {
    let expected_version = if_match(&request)?;
    let input = body.into_inner()?;
    let mut v = Validator::new();
    let email = input
        .email
        .as_deref()
        .and_then(|e| v.check("email", Email::parse(e)));
    let changes = UserChanges {
        name: input
            .name
            .as_deref()
            .and_then(|n| v.check("name", text(n, 200))),
        email: email.as_ref().map(|e| e.as_str().to_owned()),
        email_normalized: email.as_ref().map(Email::normalized),
        role: input.role,
        office_id: input.office_id.map(|o| Some(o).filter(|o| !o.is_empty())),
        active: input.active,
        password_hash: None,
    };
    v.finish()?;
    let id = id.into_inner();
    let now = state.clock.now().naive_utc();
    let user = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                let current = super::find(connection, &id)?;
                check_version(expected_version, current.version)?;
                let role = changes.role.unwrap_or(current.role);
                let office_id = changes
                    .office_id
                    .clone()
                    .unwrap_or(current.office_id.clone());
                let kind = match &office_id {
                    Some(office) => Some(
                        offices::find(connection, office)
                            .map_err(|_| AppError::invalid("office_id", "no office has this id"))?
                            .kind,
                    ),
                    None => None,
                };
                if !policy::role_fits_office(role, kind) {
                    return Err(AppError::invalid("role", role_misfit_message(role, kind)));
                }
                let stays_admin = role == Role::Admin && changes.active.unwrap_or(current.active);
                if current.role == Role::Admin
                    && current.active
                    && !stays_admin
                    && active_admins(connection)? <= 1
                {
                    return Err(AppError::Conflict {
                        code: "last_admin",
                        detail: "this is the last active admin; make another admin first".into(),
                    });
                }
                let updated = super::update(connection, &id, current.version, &changes, now)
                    .map_err(|e| {
                        if is_unique_violation(&e) {
                            AppError::invalid("email", "is already used by another user")
                        } else {
                            e.into()
                        }
                    })?
                    .ok_or_else(|| {
                        AppError::PreconditionFailed(
                            "the user changed meanwhile; read it again".into(),
                        )
                    })?;
                if !updated.active {
                    sessions::revoke_for_user(connection, &updated.id, None, "deactivated", now)?;
                }
                Ok(updated)
            })
        })
        .await?;
    Ok(with_etag(user))
}

/// Counts active admins. On PostgreSQL their rows are locked first, so two concurrent demotions
/// of two different admins cannot both see "one other admin left" (SQLite writes are exclusive).
fn active_admins(connection: &mut crate::db::DbConnection) -> Result<i64, AppError> {
    use diesel::prelude::*;
    if connection.is_postgres() {
        diesel::sql_query("SELECT id FROM users WHERE role = 'admin' AND active FOR UPDATE")
            .execute(connection)?;
    }
    Ok(users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(connection)?)
}
