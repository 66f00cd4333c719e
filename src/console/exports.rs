//! `GET /console/cases/export` and `GET /console/figures/export`: the "导出 CSV / 导出 Excel"
//! links of the case list and the figures page. The console signs in with a cookie, not a
//! bearer token, so a link to `/api/v1/cases?format=csv` would be refused; these routes read the
//! same filters as their pages (`case_list::read_filters`, `figures::period_query`) and answer
//! with the same export as the API (`exports::handlers`, over the same use cases), for the
//! person the cookie names.

use actix_web::{web, HttpRequest, HttpResponse};

use super::layout::{failure, ConsoleUser};
use super::session;
use crate::app::AppState;
use crate::error::AppError;
use crate::exports::{handlers, Format};
use crate::pages::forms::Values;
use crate::stats::StatsParams;

/// `format=xlsx` is a workbook; anything else the CSV the link names by default.
fn format_of(values: &Values) -> Format {
    match values.get("format") {
        "xlsx" => Format::Xlsx,
        _ => Format::Csv,
    }
}

/// `GET /console/cases/export?format=csv&status=…`: every case under the list's filters.
pub async fn cases(
    user: ConsoleUser,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> HttpResponse {
    let lang = session::lang();
    let values = Values::read(request.query_string().as_bytes());
    let query = match super::case_list::read_filters(&values) {
        Ok(query) => query,
        Err(errors) => return failure(lang, Some(&user), AppError::Validation(errors)),
    };
    let caller = user.caller.clone();
    let confirm = move |_: &mut crate::db::DbConnection| Ok(caller);
    match handlers::cases(&state, confirm, query, format_of(&values), lang).await {
        Ok(answer) => answer,
        Err(error) => failure(lang, Some(&user), error),
    }
}

/// `GET /console/figures/export?format=csv&from=…&to=…&office_id=…`: the figures page's period
/// and office, a row per union office and the total.
pub async fn figures(
    user: ConsoleUser,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> HttpResponse {
    let lang = session::lang();
    let values = Values::read(request.query_string().as_bytes());
    let period = super::figures::period_query(&values);
    let params = match crate::http::query::parse_query::<StatsParams>(&period) {
        Ok(params) => params,
        Err(error) => return failure(lang, Some(&user), error),
    };
    let caller = user.caller.clone();
    match handlers::stats(&state, caller, params, format_of(&values), lang).await {
        Ok(answer) => answer,
        Err(error) => failure(lang, Some(&user), error),
    }
}
