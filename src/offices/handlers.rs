//! `/api/v1/offices`: admins create and edit offices; every signed-in user lists them.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{NewOffice, OfficeChanges, OfficeKind, OfficeView, DEFAULT_TIME_ZONE};
use crate::app::AppState;
use crate::auth::extract::{Admin, Caller};
use crate::db::is_unique_violation;
use crate::domain::check_version;
use crate::domain::validation::{text, Validator};
use crate::domain::{new_id, Email};
use crate::http::error::{AppError, Problem};
use crate::http::etag::{etag, if_match};
use crate::http::json::JsonBody;
use crate::pagination::{PageQuery, Paginated};

/// `POST /offices` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOffice {
    pub name: String,
    /// 2–10 letters or digits, starting with a letter; stored upper-case.
    pub code: String,
    pub kind: OfficeKind,
    pub email: Option<String>,
    pub parent_id: Option<String>,
    /// IANA time zone; default `Asia/Shanghai`.
    pub time_zone: Option<String>,
}

/// `PATCH /offices/{id}` body: only the fields given change. `email` or `parent_id` set to
/// `""` clear them. The kind of an office never changes (its users' roles depend on it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOffice {
    pub name: Option<String>,
    pub code: Option<String>,
    pub email: Option<String>,
    pub parent_id: Option<String>,
    pub time_zone: Option<String>,
}

/// Filters of `GET /offices`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficeFilter {
    pub kind: Option<OfficeKind>,
}

fn parse_code(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    let valid = (2..=10).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_alphabetic())
        && code.chars().all(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(code)
    } else {
        Err("must be 2–10 letters or digits starting with a letter, e.g. HS".into())
    }
}

fn parse_time_zone(raw: &str) -> Result<String, String> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| format!("`{raw}` is not an IANA time zone such as Asia/Shanghai"))
}

fn parse_optional_email(raw: &str) -> Result<Option<String>, String> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Email::parse(raw).map(|email| Some(email.as_str().to_owned()))
    }
}

fn code_taken() -> AppError {
    AppError::invalid("code", "is already used by another office")
}

/// Creates an office.
#[utoipa::path(post, path = "/api/v1/offices", tag = "offices", request_body = CreateOffice,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = OfficeView),
        (status = 403, description = "Not an admin", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn create_office(
    state: web::Data<AppState>,
    _admin: Admin,
    body: JsonBody<CreateOffice>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let mut v = Validator::new();
    let name = v.check("name", text(&input.name, 200));
    let code = v.check("code", parse_code(&input.code));
    let email = v.check(
        "email",
        parse_optional_email(input.email.as_deref().unwrap_or("")),
    );
    let time_zone = v.check(
        "time_zone",
        parse_time_zone(input.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE)),
    );
    let now = state.clock.now().naive_utc();
    let office = v.finish_with(|| {
        Some(NewOffice {
            id: new_id(),
            name: name?,
            code: code?,
            kind: input.kind,
            email: email?,
            parent_id: input.parent_id.filter(|p| !p.is_empty()),
            time_zone: time_zone?,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    })?;
    let created = state
        .db
        .run(move |connection| {
            if let Some(parent) = &office.parent_id {
                super::find(connection, parent)
                    .map_err(|_| AppError::invalid("parent_id", "no office has this id"))?;
            }
            super::insert(connection, &office).map_err(|e| {
                if is_unique_violation(&e) {
                    code_taken()
                } else {
                    e.into()
                }
            })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/offices/{}", created.id)))
        .insert_header(("etag", etag(created.version)))
        .json(OfficeView::from(created)))
}

/// Lists offices, newest first.
#[utoipa::path(get, path = "/api/v1/offices", tag = "offices", params(PageQuery, OfficeFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of offices", body = Paginated<OfficeView>)))]
pub async fn list_offices(
    state: web::Data<AppState>,
    _caller: Caller,
    page: web::Query<PageQuery>,
    filter: web::Query<OfficeFilter>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let kind = filter.kind;
    let offices = state
        .db
        .run(move |connection| Ok(super::list(connection, kind, &page)?))
        .await?;
    Ok(HttpResponse::Ok().json(offices.map(OfficeView::from)))
}

/// One office.
#[utoipa::path(get, path = "/api/v1/offices/{id}", tag = "offices", security(("bearer" = [])),
    responses(
        (status = 200, description = "The office", body = OfficeView),
        (status = 404, description = "No such office", body = Problem),
    ))]
pub async fn get_office(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let office = state
        .db
        .run(move |connection| Ok(super::find(connection, &id)?))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("etag", etag(office.version)))
        .json(OfficeView::from(office)))
}

/// Edits an office; honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/offices/{id}", tag = "offices", request_body = UpdateOffice,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated office", body = OfficeView),
        (status = 412, description = "Stale If-Match", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    ))]
pub async fn update_office(
    state: web::Data<AppState>,
    _admin: Admin,
    request: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<UpdateOffice>,
) -> Result<HttpResponse, AppError> {
    let expected_version = if_match(&request)?;
    let input = body.into_inner()?;
    let mut v = Validator::new();
    let changes = OfficeChanges {
        name: input
            .name
            .as_deref()
            .and_then(|n| v.check("name", text(n, 200))),
        code: input
            .code
            .as_deref()
            .and_then(|c| v.check("code", parse_code(c))),
        email: input
            .email
            .as_deref()
            .and_then(|e| v.check("email", parse_optional_email(e))),
        parent_id: input.parent_id.map(|p| Some(p).filter(|p| !p.is_empty())),
        time_zone: input
            .time_zone
            .as_deref()
            .and_then(|t| v.check("time_zone", parse_time_zone(t))),
    };
    v.finish()?;
    let id = id.into_inner();
    let now = state.clock.now().naive_utc();
    let office = state
        .db
        .run(move |connection| {
            crate::db::write_transaction(connection, |connection| {
                let current = super::find(connection, &id)?;
                check_version(expected_version, current.version)?;
                if let Some(Some(parent)) = &changes.parent_id {
                    super::find(connection, parent)
                        .map_err(|_| AppError::invalid("parent_id", "no office has this id"))?;
                    if super::ancestors(connection, parent)?.contains(&id) {
                        return Err(AppError::invalid(
                            "parent_id",
                            "would make the office its own ancestor",
                        ));
                    }
                }
                super::update(connection, &id, current.version, &changes, now)
                    .map_err(|e| {
                        if is_unique_violation(&e) {
                            code_taken()
                        } else {
                            e.into()
                        }
                    })?
                    .ok_or_else(|| {
                        AppError::PreconditionFailed(
                            "the office changed meanwhile; read it again".into(),
                        )
                    })
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("etag", etag(office.version)))
        .json(OfficeView::from(office)))
}
