//! The OpenAPI 3.1 document, generated from the handlers' annotations, and Swagger UI.
//!
//! `/api/v1/openapi.json` is the authoritative, machine-readable contract for partner systems;
//! `/docs` serves the interactive page from assets compiled into the binary (no CDN).
//!
//! The handlers' annotations describe each operation; the modifiers here add what is the same
//! everywhere: the bearer scheme, the error responses as problem documents with their codes
//! ([`problems`]), a download's content types and optional bodies ([`media`]), the request examples
//! ([`examples`]). docs/contract.md says how to read the document and how the tests keep it true.

pub mod examples;
pub mod exports;
pub mod inputs;
pub mod lists;
pub mod media;
pub mod problems;

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use self::examples::RequestExamples;
use self::exports::ExportContent;
use self::inputs::InputRules;
use self::lists::PageItemsByReference;
use self::media::{DocumentContent, OptionalBodies};
use self::problems::ProblemResponses;

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
        crate::auth::handlers::login,
        crate::auth::handlers::refresh,
        crate::auth::handlers::logout,
        crate::auth::handlers::client_token,
        crate::auth::handlers::me,
        crate::auth::handlers::change_password,
        crate::public::handlers::list_online_offices,
        crate::public::handlers::request_verification,
        crate::public::handlers::apply,
        crate::public::handlers::track,
        crate::public::handlers::get_survey,
        crate::public::handlers::answer_survey,
        crate::offices::handlers::create_office,
        crate::offices::handlers::list_offices,
        crate::offices::handlers::get_office,
        crate::offices::handlers::update_office,
        crate::auth::client_handlers::create_client,
        crate::auth::client_handlers::list_clients,
        crate::auth::client_handlers::revoke_client,
        crate::users::handlers::create_user,
        crate::users::handlers::list_users,
        crate::users::handlers::get_user,
        crate::users::handlers::update_user,
        crate::cases::handlers::create_case,
        crate::cases::handlers::list_cases,
        crate::cases::handlers::get_case,
        crate::cases::handlers::update_case,
        crate::cases::handlers::transition_case,
        crate::parties::handlers::add_party,
        crate::parties::handlers::list_parties,
        crate::timeline::handlers::list_events,
        crate::timeline::handlers::add_note,
        crate::referrals::handlers::create_referral,
        crate::referrals::handlers::list_case_referrals,
        crate::referrals::handlers::list_referrals,
        crate::referrals::handlers::get_referral,
        crate::referrals::handlers::accept_referral,
        crate::referrals::handlers::decline_referral,
        crate::referrals::handlers::complete_referral,
        crate::referrals::handlers::cancel_referral,
        crate::sessions::handlers::create_session,
        crate::sessions::handlers::list_sessions,
        crate::sessions::handlers::update_session,
        crate::agreements::handlers::create_agreement,
        crate::agreements::handlers::get_agreement,
        crate::agreements::handlers::record_payment,
        crate::agreements::handlers::list_payments,
        crate::follow_ups::handlers::create_follow_up,
        crate::follow_ups::handlers::list_follow_ups,
        crate::follow_ups::handlers::get_follow_up,
        crate::stats::handlers::get_stats,
        crate::risks::handlers::create_risk,
        crate::risks::handlers::list_risks,
        crate::risks::handlers::get_risk,
        crate::risks::handlers::update_risk,
        crate::risks::handlers::transition_risk,
        crate::risks::handlers::create_case_from_risk,
        crate::consultations::handlers::create_consultation,
        crate::consultations::handlers::list_consultations,
        crate::consultations::handlers::get_consultation,
        crate::employers::handlers::list_employers,
        crate::employers::handlers::watchlist,
        crate::employers::handlers::get_employer,
        crate::notify::handlers::list_notifications,
        crate::notify::handlers::retry_notification,
        crate::timeline::handlers::verify_events,
        crate::parties::handlers::reveal_party,
        crate::roster::handlers::list_roster,
        crate::roster::handlers::put_roster_entry,
        crate::grants::handlers::create_grant,
        crate::grants::handlers::list_grants,
        crate::grants::handlers::revoke_grant,
        crate::dossier::handlers::get_dossier,
        crate::papers::handlers::list_papers,
        crate::papers::handlers::get_paper,
        crate::documents::handlers::upload_document,
        crate::documents::handlers::list_documents,
        crate::documents::handlers::download_document,
    ),
    components(schemas(Problem, FieldError, crate::cases::priority::CaseSort)),
    modifiers(
        &BearerAuth,
        &ProblemResponses,
        &DocumentContent,
        &ExportContent,
        &OptionalBodies,
        &InputRules,
        &PageItemsByReference,
        &RequestExamples
    ),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "public", description = "The worker's front door, without an account: apply online, follow the case, rate the service"),
        (name = "auth", description = "Sign-in, tokens, machine clients, the caller"),
        (name = "offices", description = "Union and partner offices, and their machine credentials"),
        (name = "users", description = "People who sign in (admin only)"),
        (name = "cases", description = "Intake, lifecycle, parties, timeline"),
        (name = "documents", description = "Evidence and signed papers"),
        (name = "grants", description = "Lawyers' time-boxed read access to case files"),
        (name = "dossier", description = "The whole case file: JSON, a printable page, or an A4 PDF"),
        (name = "papers", description = "The papers an office issues from a case, as A4 PDF with a recorded serial and hash"),
        (name = "notifications", description = "The email outbox (admin)"),
        (name = "statistics", description = "The figures offices report"),
        (name = "consultations", description = "Consultations (法律咨询) and legal aid"),
        (name = "risks", description = "Risk screening (风险隐患排查): grid workers report, union offices handle"),
        (name = "follow_ups", description = "Follow-ups (回访) with the worker after a case concludes"),
        (name = "employers", description = "Employers across cases and risks, the wage-arrears watch-list"),
        (name = "sessions", description = "Joint (tripartite) mediation sessions"),
        (name = "agreements", description = "Mediation agreements, payments and statutory follow-ups"),
        (name = "referrals", description = "One union, three offices: tasks for partner offices and their answers"),
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

/// Each operation of a path item with its method, lower-case as the document writes it.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|operation| (method, operation)))
}

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Swagger UI at `/docs/`, also serving the document at [`OPENAPI_PATH`].
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url(OPENAPI_PATH, ApiDoc::openapi())
}
