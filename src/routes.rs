//! Every route of the service in one table: the first place to look for "what serves this URL".

use actix_web::{web, HttpResponse};

use crate::http::error::ApiError;
use crate::http::metrics;
use crate::{health, openapi};

/// Registers every route. Order matters only where prefixes overlap: the OpenAPI document under
/// `/api/v1` is registered before the `/api/v1` scope.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(web::resource("/metrics").get(metrics::metrics))
        .service(web::resource("/docs").get(redirect_to_docs))
        .service(openapi::swagger_ui())
        .service(web::scope("/api/v1"));
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("location", "/docs/"))
        .finish()
}

/// The answer for any path no route serves.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
