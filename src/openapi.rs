//! The OpenAPI 3.1 document, generated from the handlers' annotations, and Swagger UI.
//!
//! `/api/v1/openapi.json` is the authoritative, machine-readable contract for partner systems;
//! `/docs` serves the interactive page from assets compiled into the binary (no CDN).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::http::error::{FieldError, Problem};

/// The whole API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "mediation-tracker",
        description = "Labour-dispute mediation cases from intake, through the union's referrals to \
                       the judicial, HR & social-security and police offices, to resolution.",
        license(name = "Apache-2.0"),
    ),
    paths(
        crate::health::healthz,
        crate::health::readyz,
        crate::http::metrics::metrics,
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Swagger UI at `/docs/`, also serving the document at [`OPENAPI_PATH`].
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url(OPENAPI_PATH, ApiDoc::openapi())
}
