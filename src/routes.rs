//! Every route of the service in one table: the first place to look for "what serves this URL".

use actix_web::{web, HttpResponse};

use crate::error::AppError;
use crate::http::metrics;
use crate::{
    agreements, auth, cases, documents, dossier, grants, health, notify, offices, openapi, parties,
    referrals, sessions, stats, timeline, users,
};

/// Registers every route. Order matters only where prefixes overlap: the OpenAPI document under
/// `/api/v1` is registered before the `/api/v1` scope.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(web::resource("/metrics").get(metrics::metrics))
        .service(web::resource("/docs").get(redirect_to_docs))
        .service(openapi::swagger_ui())
        .service(
            web::scope("/api/v1")
                .service(web::resource("/auth/login").post(auth::handlers::login))
                .service(web::resource("/auth/refresh").post(auth::handlers::refresh))
                .service(web::resource("/auth/logout").post(auth::handlers::logout))
                .service(web::resource("/auth/token").post(auth::handlers::client_token))
                .service(web::resource("/me").get(auth::handlers::me))
                .service(web::resource("/me/password").put(auth::handlers::change_password))
                .service(
                    web::resource("/offices")
                        .post(offices::handlers::create_office)
                        .get(offices::handlers::list_offices),
                )
                .service(
                    web::resource("/offices/{id}")
                        .get(offices::handlers::get_office)
                        .patch(offices::handlers::update_office),
                )
                .service(
                    web::resource("/offices/{id}/clients")
                        .post(auth::client_handlers::create_client)
                        .get(auth::client_handlers::list_clients),
                )
                .service(
                    web::resource("/offices/{id}/clients/{client_id}")
                        .delete(auth::client_handlers::revoke_client),
                )
                .service(
                    web::resource("/cases")
                        .post(cases::handlers::create_case)
                        .get(cases::handlers::list_cases),
                )
                .service(
                    web::resource("/cases/{id}")
                        .get(cases::handlers::get_case)
                        .patch(cases::handlers::update_case),
                )
                .service(
                    web::resource("/cases/{id}/transitions").post(cases::handlers::transition_case),
                )
                .service(
                    web::resource("/cases/{id}/parties")
                        .post(parties::handlers::add_party)
                        .get(parties::handlers::list_parties),
                )
                .service(
                    web::resource("/cases/{id}/referrals")
                        .post(referrals::handlers::create_referral)
                        .get(referrals::handlers::list_case_referrals),
                )
                .service(
                    web::resource("/cases/{id}/sessions")
                        .post(sessions::handlers::create_session)
                        .get(sessions::handlers::list_sessions),
                )
                .service(web::resource("/sessions/{id}").patch(sessions::handlers::update_session))
                .service(
                    web::resource("/cases/{id}/agreements")
                        .post(agreements::handlers::create_agreement),
                )
                .service(
                    web::resource("/cases/{id}/agreement").get(agreements::handlers::get_agreement),
                )
                .service(
                    web::resource("/cases/{id}/payments")
                        .post(agreements::handlers::record_payment)
                        .get(agreements::handlers::list_payments),
                )
                .service(web::resource("/stats").get(stats::handlers::get_stats))
                .service(web::resource("/notifications").get(notify::handlers::list_notifications))
                .service(
                    web::resource("/notifications/{id}/retry")
                        .post(notify::handlers::retry_notification),
                )
                .service(web::resource("/referrals").get(referrals::handlers::list_referrals))
                .service(web::resource("/referrals/{id}").get(referrals::handlers::get_referral))
                .service(
                    web::resource("/referrals/{id}/accept")
                        .post(referrals::handlers::accept_referral),
                )
                .service(
                    web::resource("/referrals/{id}/decline")
                        .post(referrals::handlers::decline_referral),
                )
                .service(
                    web::resource("/referrals/{id}/complete")
                        .post(referrals::handlers::complete_referral),
                )
                .service(
                    web::resource("/referrals/{id}/cancel")
                        .post(referrals::handlers::cancel_referral),
                )
                .service(web::resource("/cases/{id}/events").get(timeline::handlers::list_events))
                .service(
                    web::resource("/cases/{id}/events/verify")
                        .get(timeline::handlers::verify_events),
                )
                .service(
                    web::resource("/cases/{id}/parties/{party_id}/reveal")
                        .post(parties::handlers::reveal_party),
                )
                .service(
                    web::resource("/cases/{id}/grants")
                        .post(grants::handlers::create_grant)
                        .get(grants::handlers::list_grants),
                )
                .service(
                    web::resource("/cases/{id}/grants/{grant_id}")
                        .delete(grants::handlers::revoke_grant),
                )
                .service(web::resource("/cases/{id}/dossier").get(dossier::handlers::get_dossier))
                .service(
                    web::resource("/cases/{id}/documents")
                        .post(documents::handlers::upload_document)
                        .get(documents::handlers::list_documents),
                )
                .service(
                    web::resource("/documents/{id}/content")
                        .get(documents::handlers::download_document),
                )
                .service(web::resource("/cases/{id}/notes").post(timeline::handlers::add_note))
                .service(
                    web::resource("/users")
                        .post(users::handlers::create_user)
                        .get(users::handlers::list_users),
                )
                .service(
                    web::resource("/users/{id}")
                        .get(users::handlers::get_user)
                        .patch(users::handlers::update_user),
                ),
        );
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
