//! Every route of the service in one table: the first place to look for "what serves this URL".
//!
//! The table below is the only list: [`configure`] registers it, and [`ROUTES`] is the same
//! table as `(method, path)` pairs, which `tests/api/contract.rs` compares with the paths of the
//! OpenAPI document (docs/contract.md).

use actix_web::{web, HttpResponse};

use crate::console;
use crate::employers;
use crate::error::AppError;
use crate::follow_ups;
use crate::http::metrics;
use crate::pages;
use crate::{
    agreements, auth, cases, consultations, documents, dossier, grants, health, notify, offices,
    openapi, parties, public, referrals, risks, roster, sessions, stats, timeline, users,
};

/// Declares the route table once: `ROUTES` (for the contract test) and the functions that
/// register it. Each entry is a path and its methods with their handlers; one path is one actix
/// resource, so a method it does not serve is a 405.
macro_rules! route_table {
    (
        top {
            $($top_path:literal => { $($top_method:ident: $top_handler:path),+ $(,)? }),+ $(,)?
        }
        api $prefix:literal {
            $($path:literal => { $($method:ident: $handler:path),+ $(,)? }),+ $(,)?
        }
    ) => {
        /// The API's routes live under this prefix.
        pub const API_PREFIX: &str = $prefix;

        /// Every documented route: `(method, path)`, the method lower-case as in OpenAPI, the
        /// path as the document writes it. Not in it: the Swagger UI at `/docs` and the
        /// document itself ([`openapi::OPENAPI_PATH`]), which describe the API rather than
        /// being part of it.
        pub const ROUTES: &[(&str, &str)] = &[
            $($((stringify!($top_method), $top_path),)+)+
            $($((stringify!($method), concat!($prefix, $path)),)+)+
        ];

        fn register_top(config: &mut web::ServiceConfig) {
            $(config.service(web::resource($top_path)$(.$top_method($top_handler))+);)+
        }

        fn api_scope() -> actix_web::Scope {
            web::scope(API_PREFIX)$(.service(web::resource($path)$(.$method($handler))+))+
        }
    };
}

route_table! {
    top {
        "/healthz" => { get: health::healthz },
        "/readyz" => { get: health::readyz },
        "/metrics" => { get: metrics::metrics },
        // The worker's pages (HTML, not API: see `tests/api/contract.rs` and docs/contract.md).
        "/apply" => { get: pages::handlers::apply_form, post: pages::handlers::submit_application },
        "/apply/code" => { post: pages::handlers::send_code },
        "/track" => { get: pages::handlers::track_form, post: pages::handlers::track_case },
        "/survey/{token}" => { get: pages::handlers::survey_form, post: pages::handlers::answer_survey },
        "/static/public.css" => { get: pages::handlers::stylesheet },
        // The staff console (HTML, not API; docs/console.md). Each area's routes together.
        "/static/console.css" => { get: console::home::stylesheet },
        "/console" => { get: console::home::home },
        "/console/login" => { get: console::session::sign_in_form, post: console::session::sign_in },
        "/console/logout" => { post: console::session::sign_out },
        "/console/password" => { get: console::password::password_form, post: console::password::change },
        // console: my work, case list, intake
        "/console/cases" => { get: console::case_list::case_list },
        "/console/cases/new" => { get: console::intake::intake_form, post: console::intake::register },
        "/console/cases/export" => { get: console::exports::cases },
        // console: the case page and its actions
        "/console/cases/{id}/grants" => { post: console::grant_actions::grant },
        "/console/cases/{id}/grants/{grant_id}/revoke" => { post: console::grant_actions::revoke },
        "/console/cases/{id}/warnings" => { get: console::intake_warnings::show },
        "/console/cases/{id}" => { get: console::case_page::show },
        "/console/cases/{id}/dossier" => { get: console::case_page::dossier },
        "/console/cases/{id}/dossier.pdf" => { get: console::papers::dossier_pdf },
        "/console/cases/{id}/papers" => { get: console::papers::list },
        "/console/cases/{id}/papers/{kind}" => { get: console::papers::issue },
        "/console/cases/{id}/transitions" => { post: console::case_actions::transition },
        "/console/cases/{id}/assignee" => { post: console::case_actions::assign },
        "/console/cases/{id}/notes" => { post: console::case_actions::note },
        "/console/cases/{id}/parties/{party_id}/reveal" => { post: console::case_actions::reveal },
        "/console/cases/{id}/referrals" => { post: console::case_actions_records::refer },
        "/console/cases/{id}/sessions" => { post: console::case_actions_records::schedule },
        "/console/cases/{id}/agreement" => { post: console::case_actions_records::agreement },
        "/console/cases/{id}/payments" => { post: console::case_actions_records::payment },
        "/console/cases/{id}/follow-ups" => { post: console::case_actions_records::follow_up },
        "/console/cases/{id}/documents" => { post: console::documents::upload },
        "/console/documents/{id}" => { get: console::documents::download },
        // console: partner inbox, lawyer's files, admin
        "/console/referrals" => { get: console::referrals::inbox },
        "/console/referrals/{id}" => { get: console::referrals::show },
        "/console/referrals/{id}/accept" => { post: console::referrals::accept },
        "/console/referrals/{id}/decline" => { post: console::referrals::decline },
        "/console/referrals/{id}/complete" => { post: console::referrals::complete },
        "/console/files" => { get: console::files::files },
        "/console/offices" => {
            get: console::admin_offices::offices_list,
            post: console::admin_offices::create,
        },
        "/console/offices/{id}" => {
            get: console::admin_offices::edit_form,
            post: console::admin_offices::edit,
        },
        "/console/offices/{id}/clients" => {
            get: console::admin_clients::clients_list,
            post: console::admin_clients::create,
        },
        "/console/offices/{id}/clients/{client_id}/revoke" => { post: console::admin_clients::revoke },
        "/console/users" => {
            get: console::admin_users::users_list,
            post: console::admin_users::create,
        },
        "/console/users/{id}" => { post: console::admin_users::change },
        "/console/notifications" => { get: console::admin_notifications::notifications },
        "/console/notifications/{id}/retry" => { post: console::admin_notifications::retry },
        // console: figures
        "/console/figures" => { get: console::figures::figures },
        "/console/figures/export" => { get: console::exports::figures },
    }
    api "/api/v1" {
        "/auth/login" => { post: auth::handlers::login },
        "/auth/refresh" => { post: auth::handlers::refresh },
        "/auth/logout" => { post: auth::handlers::logout },
        "/auth/token" => { post: auth::handlers::client_token },
        "/me" => { get: auth::handlers::me },
        "/me/password" => { put: auth::handlers::change_password },
        "/public/offices" => { get: public::handlers::list_online_offices },
        "/public/verifications" => { post: public::handlers::request_verification },
        "/public/applications" => { post: public::handlers::apply },
        "/public/track" => { post: public::handlers::track },
        "/public/surveys/{token}" => { get: public::handlers::get_survey, post: public::handlers::answer_survey },
        "/offices" => {
            post: offices::handlers::create_office,
            get: offices::handlers::list_offices,
        },
        "/offices/{id}" => {
            get: offices::handlers::get_office,
            patch: offices::handlers::update_office,
        },
        "/offices/{id}/clients" => {
            post: auth::client_handlers::create_client,
            get: auth::client_handlers::list_clients,
        },
        "/offices/{id}/clients/{client_id}" => { delete: auth::client_handlers::revoke_client },
        "/cases" => { post: cases::handlers::create_case, get: cases::handlers::list_cases },
        "/cases/{id}" => { get: cases::handlers::get_case, patch: cases::handlers::update_case },
        "/cases/{id}/transitions" => { post: cases::handlers::transition_case },
        "/cases/{id}/parties" => {
            post: parties::handlers::add_party,
            get: parties::handlers::list_parties,
        },
        "/cases/{id}/referrals" => {
            post: referrals::handlers::create_referral,
            get: referrals::handlers::list_case_referrals,
        },
        "/cases/{id}/sessions" => {
            post: sessions::handlers::create_session,
            get: sessions::handlers::list_sessions,
        },
        "/sessions/{id}" => { patch: sessions::handlers::update_session },
        "/cases/{id}/agreements" => { post: agreements::handlers::create_agreement },
        "/cases/{id}/agreement" => { get: agreements::handlers::get_agreement },
        "/cases/{id}/payments" => {
            post: agreements::handlers::record_payment,
            get: agreements::handlers::list_payments,
        },
        "/cases/{id}/follow-ups" => {
            post: follow_ups::handlers::create_follow_up,
            get: follow_ups::handlers::list_follow_ups,
        },
        "/cases/{id}/follow-ups/{follow_up_id}" => { get: follow_ups::handlers::get_follow_up },
        "/stats" => { get: stats::handlers::get_stats },
        "/risks" => { post: risks::handlers::create_risk, get: risks::handlers::list_risks },
        "/risks/{id}" => { get: risks::handlers::get_risk, patch: risks::handlers::update_risk },
        "/risks/{id}/transitions" => { post: risks::handlers::transition_risk },
        "/risks/{id}/cases" => { post: risks::handlers::create_case_from_risk },
        "/consultations" => {
            post: consultations::handlers::create_consultation,
            get: consultations::handlers::list_consultations,
        },
        "/consultations/{id}" => { get: consultations::handlers::get_consultation },
        "/employers" => { get: employers::handlers::list_employers },
        "/employers/watchlist" => { get: employers::handlers::watchlist },
        "/employers/{id}" => { get: employers::handlers::get_employer },
        "/notifications" => { get: notify::handlers::list_notifications },
        "/notifications/{id}/retry" => { post: notify::handlers::retry_notification },
        "/referrals" => { get: referrals::handlers::list_referrals },
        "/referrals/{id}" => { get: referrals::handlers::get_referral },
        "/referrals/{id}/accept" => { post: referrals::handlers::accept_referral },
        "/referrals/{id}/decline" => { post: referrals::handlers::decline_referral },
        "/referrals/{id}/complete" => { post: referrals::handlers::complete_referral },
        "/referrals/{id}/cancel" => { post: referrals::handlers::cancel_referral },
        "/cases/{id}/events" => { get: timeline::handlers::list_events },
        "/cases/{id}/events/verify" => { get: timeline::handlers::verify_events },
        "/cases/{id}/parties/{party_id}/reveal" => { post: parties::handlers::reveal_party },
        "/cases/{id}/roster" => { get: roster::handlers::list_roster },
        "/cases/{id}/roster/{party_id}" => { put: roster::handlers::put_roster_entry },
        "/cases/{id}/grants" => {
            post: grants::handlers::create_grant,
            get: grants::handlers::list_grants,
        },
        "/cases/{id}/grants/{grant_id}" => { delete: grants::handlers::revoke_grant },
        "/cases/{id}/dossier" => { get: dossier::handlers::get_dossier },
        "/cases/{id}/papers" => { get: crate::papers::handlers::list_papers },
        "/cases/{id}/papers/{kind}" => { get: crate::papers::handlers::get_paper },
        "/cases/{id}/documents" => {
            post: documents::handlers::upload_document,
            get: documents::handlers::list_documents,
        },
        "/documents/{id}/content" => { get: documents::handlers::download_document },
        "/cases/{id}/notes" => { post: timeline::handlers::add_note },
        "/users" => { post: users::handlers::create_user, get: users::handlers::list_users },
        "/users/{id}" => { get: users::handlers::get_user, patch: users::handlers::update_user },
    }
}

/// Registers every route. Order matters only where prefixes overlap: the OpenAPI document under
/// `/api/v1` is registered before the `/api/v1` scope.
pub fn configure(config: &mut web::ServiceConfig) {
    register_top(config);
    config
        .service(web::resource("/docs").get(redirect_to_docs))
        .service(openapi::swagger_ui())
        .service(api_scope());
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("location", "/docs/"))
        .finish()
}

/// The answer for any path no route serves.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
