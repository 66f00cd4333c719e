//! `GET /api/v1/stats`: the figures for the caller's offices (admins: any office). The HTTP
//! adapter of [`super::for_caller`].

use actix_web::{web, HttpRequest, HttpResponse};

use super::{Stats, StatsParams};
use crate::app::AppState;
use crate::auth::extract::StatisticsReader;
use crate::exports::{self, ExportParams};
use crate::http::error::{AppError, Problem};
use crate::stats;

/// The figures offices report, for cases received in the period.
#[utoipa::path(get, path = "/api/v1/stats", tag = "statistics", params(StatsParams, ExportParams), security(("bearer" = [])),
    responses((status = 200, description = "The figures; or, with `format` or `Accept`, a spreadsheet with a row per union office and a total row (docs/exports.md)", body = Stats),
              (status = 403, description = "Partner staff and lawyers do not see statistics", body = Problem),
              (status = 404, description = "An office outside your scope", body = Problem)))]
pub async fn get_stats(
    state: web::Data<AppState>,
    StatisticsReader(caller): StatisticsReader,
    params: crate::http::query::Query<StatsParams>,
    export: crate::http::query::Query<ExportParams>,
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    if let Some(format) = exports::handlers::wanted(request.headers(), &export) {
        let lang = crate::http::language::of(request.headers());
        return exports::handlers::stats(&state, caller, params, format, lang).await;
    }
    let (now, days) = (state.clock.now(), state.config.follow_up_days);
    // Figures may lag a moment: the read standby when one is configured.
    let stats = state
        .read_db
        .run(move |connection| stats::for_caller(connection, &caller, params, now, days))
        .await?;
    Ok(HttpResponse::Ok().json(stats))
}
