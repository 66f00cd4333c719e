//! `/api/v1/employers`: the employers of the cases you may see, one employer's cases and
//! risks, and the supervisors' wage-arrears watch-list. The HTTP adapter of
//! [`super::use_cases`].

use actix_web::{web, HttpResponse};

use super::rules::WatchEntry;
use super::use_cases::EmployerQuery;
use super::{EmployerSummary, EmployerView};
use crate::app::AppState;
use crate::auth::extract::Caller;
use crate::employers;
use crate::http::error::{AppError, Problem};
use crate::http::query::Query;
use crate::pagination::{PageQuery, Paginated};

/// The employers of the cases you may see, by id (`cc-<credit code>` before `nm-<name>`).
#[utoipa::path(get, path = "/api/v1/employers", tag = "employers",
    params(PageQuery, EmployerQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of employers", body = Paginated<EmployerSummary>),
              (status = 403, description = "Not union staff", body = Problem)))]
pub async fn list_employers(
    state: web::Data<AppState>,
    caller: Caller,
    page: Query<PageQuery>,
    query: Query<EmployerQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let query = query.into_inner();
    let list = state
        .db
        .run(move |connection| employers::list_for(connection, &caller, &query, &page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The wage-arrears watch-list over your office tree, each employer with its reasons.
#[utoipa::path(get, path = "/api/v1/employers/watchlist", tag = "employers",
    params(PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of the watch-list", body = Paginated<WatchEntry>),
              (status = 403, description = "Not a union supervisor", body = Problem)))]
pub async fn watchlist(
    state: web::Data<AppState>,
    caller: Caller,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.parse()?;
    let now = state.clock.now();
    let list = state
        .db
        .run(move |connection| employers::watchlist(connection, &caller, &page, now))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Every case and risk against one employer that you may see, with its totals.
#[utoipa::path(get, path = "/api/v1/employers/{id}", tag = "employers",
    params(("id" = String, Path, description = "`cc-<credit code>` or `nm-<normalised name>`")),
    security(("bearer" = [])),
    responses((status = 200, description = "The employer", body = EmployerView),
              (status = 403, description = "Not union staff", body = Problem),
              (status = 404, description = "No case or risk of this employer visible to you", body = Problem)))]
pub async fn get_employer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let view = state
        .db
        .run(move |connection| employers::get(connection, &caller, &id, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
