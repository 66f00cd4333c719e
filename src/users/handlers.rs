//! `/api/v1/users`: administrators manage who may sign in. The HTTP side of `users::use_cases`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::use_cases::{CreateUser, UpdateUser};
use super::{Role, UserFilter, UserView};
use crate::app::AppState;
use crate::auth::extract::Admin;
use crate::domain::ids::UserId;
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};
use crate::users;

/// Filters of `GET /users`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub office_id: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

fn with_etag(user: UserView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("etag", etag(user.version)))
        .json(user)
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
    admin: Admin,
    body: JsonBody<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let user = state
        .db
        .run(move |connection| users::create(connection, &admin.0, input, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/users/{}", user.id)))
        .insert_header(("etag", etag(user.version)))
        .json(user))
}

/// Lists users, newest first.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery, UserQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of users", body = Paginated<UserView>)))]
pub async fn list_users(
    state: web::Data<AppState>,
    admin: Admin,
    page: crate::http::query::Query<PageQuery>,
    query: crate::http::query::Query<UserQuery>,
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
        .run(move |connection| users::list_page(connection, &admin.0, &filter, &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "The user's id")), security(("bearer" = [])),
    responses((status = 200, description = "The user", body = UserView), (status = 404, description = "No such user", body = Problem)))]
pub async fn get_user(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = state
        .db
        .run(move |connection| users::get(connection, &admin.0, &id))
        .await?;
    Ok(with_etag(user))
}

/// Edits a user; honours `If-Match`. Deactivation ends the user's sessions in the same
/// transaction. The last active admin cannot be deactivated or demoted.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users",
    params(
        ("id" = String, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, nullable = false,
            description = "The version you read, as an ETag: `\"3\"` (or `*`); a stale one is 412 `version_conflict`"),
    ),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated user", body = UserView),
        (status = 409, description = "Would leave no active admin", body = Problem),
        (status = 412, description = "Stale If-Match", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn update_user(
    state: web::Data<AppState>,
    admin: Admin,
    request: HttpRequest,
    id: web::Path<UserId>,
    body: JsonBody<UpdateUser>,
) -> Result<HttpResponse, AppError> {
    let expected_version = if_match(&request)?;
    let input = body.into_inner()?;
    let id = id.into_inner();
    let now = state.clock.now();
    let user = state
        .db
        .run(move |connection| users::edit(connection, &admin.0, &id, expected_version, input, now))
        .await?;
    Ok(with_etag(user))
}
