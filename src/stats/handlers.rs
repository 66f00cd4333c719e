//! `GET /api/v1/stats`: the figures for the caller's offices (admins: any office).

use actix_web::{web, HttpResponse};
use chrono::{Days, NaiveDate, TimeZone};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Stats, StatsQuery};
use crate::app::AppState;
use crate::auth::extract::StatisticsReader;
use crate::cases::deadlines::office_zone;
use crate::cases::visibility::CaseScope;
use crate::http::error::{AppError, Problem};
use crate::offices::{self, DEFAULT_TIME_ZONE};
use crate::schema::offices as offices_table;
use crate::users::Role;

/// Period and office of `GET /stats`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day counted (cases received on or after it), in the caller's office time zone.
    pub from: Option<NaiveDate>,
    /// Last day counted (inclusive).
    pub to: Option<NaiveDate>,
    /// Only this office and the offices below it.
    pub office_id: Option<String>,
}

/// The figures offices report, for cases received in the period.
#[utoipa::path(get, path = "/api/v1/stats", tag = "statistics", params(StatsParams), security(("bearer" = [])),
    responses((status = 200, description = "The figures", body = Stats),
              (status = 403, description = "Partner staff and lawyers do not see statistics", body = Problem),
              (status = 404, description = "An office outside your scope", body = Problem)))]
pub async fn get_stats(
    state: web::Data<AppState>,
    StatisticsReader(caller): StatisticsReader,
    params: web::Query<StatsParams>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    if let (Some(from), Some(to)) = (params.from, params.to) {
        if to < from {
            return Err(AppError::BadRequest {
                code: "invalid_query",
                detail: "to must not be before from".into(),
            });
        }
    }
    let now = state.clock.now();
    let stats = state
        .db
        .run(move |connection| {
            use diesel::prelude::*;
            let zone_name = match &caller.office_id {
                Some(office) => offices::find(connection, office)?.time_zone,
                None => DEFAULT_TIME_ZONE.to_owned(),
            };
            let zone = office_zone(&zone_name);
            let start_of = |day: NaiveDate| {
                zone.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
                    .earliest()
                    .map(|t| t.naive_utc())
            };
            let mut in_scope: Vec<String> = match (caller.role, CaseScope::of(connection, &caller)?)
            {
                (Role::Admin, _) => offices_table::table
                    .select(offices_table::id)
                    .load(connection)?,
                (_, CaseScope::Offices(ids)) => ids,
                _ => Vec::new(),
            };
            if let Some(office) = &params.office_id {
                let below = offices::with_descendants(connection, office)?;
                if !in_scope.contains(office) {
                    return Err(AppError::NotFound);
                }
                in_scope.retain(|id| below.contains(id));
            }
            let query = StatsQuery {
                offices: in_scope,
                from: params.from.and_then(start_of),
                until: params
                    .to
                    .and_then(|to| to.checked_add_days(Days::new(1)))
                    .and_then(start_of),
                now: now.naive_utc(),
            };
            Ok(super::compute(connection, &query)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(stats))
}
