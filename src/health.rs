//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::http::error::{AppError, Problem};

/// The answer of both probes.
#[derive(Serialize, ToSchema)]
pub struct HealthStatus {
    /// `ok` (process up) or `ready` (database reachable too).
    pub status: &'static str,
    /// `sqlite` or `postgres`; only on `/readyz`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// `GET /healthz`: the process is up and serving HTTP. Never touches the database.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = HealthStatus)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus {
        status: "ok",
        database: None,
    })
}

/// `GET /readyz`: the database answers a query; 503 when it does not.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = HealthStatus),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db
        .run(|connection| {
            connection
                .batch_execute("SELECT 1 FROM service_secrets WHERE 1 = 0")
                .map_err(|e| {
                    AppError::DatabaseUnavailable(format!("the database does not answer: {e}"))
                })
        })
        .await?;
    Ok(HttpResponse::Ok().json(HealthStatus {
        status: "ready",
        database: Some(state.db.backend()),
    }))
}
