//! `/api/v1/public/…`: the worker's API, without an account. The HTTP side only — extract, call
//! the use case in `public::use_cases` or `public::surveys`, answer.

use actix_web::{web, HttpRequest, HttpResponse};

use super::surveys::{self, SurveyAnswer, SurveyState};
use super::track::{self as tracking, TrackRequest};
use super::use_cases::{
    self, Application, PublicContext, PublicOfficeView, Submitted, VerificationRequest,
    VerificationSent,
};
use super::worker_view::WorkerView;
use crate::app::AppState;
use crate::http::client::client_address;
use crate::http::error::{AppError, Problem};
use crate::http::json::JsonBody;
use crate::pagination::Paginated;

/// Who is asking, and where the worker's links point.
pub fn context(state: &AppState, request: &HttpRequest) -> PublicContext {
    PublicContext {
        client_address: client_address(request, &state.config.public.trusted_proxies),
        base_url: state.config.public.base_url.clone(),
    }
}

/// The union offices that take online applications.
#[utoipa::path(get, path = "/api/v1/public/offices", tag = "public",
    responses((status = 200, description = "Every office taking online applications, by code", body = Paginated<PublicOfficeView>)))]
pub async fn list_online_offices(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let offices = state.db.run(use_cases::online_offices).await?;
    Ok(HttpResponse::Ok().json(Paginated::whole(offices)))
}

/// Texts a 6-digit code to the phone, good for 10 minutes and once.
#[utoipa::path(post, path = "/api/v1/public/verifications", tag = "public",
    request_body = VerificationRequest,
    responses((status = 202, description = "The code is on its way", body = VerificationSent),
              (status = 422, description = "Not a mobile number", body = Problem),
              (status = 429, description = "Too many codes for this phone or from this address", body = Problem)))]
pub async fn request_verification(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: JsonBody<VerificationRequest>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let context = context(&state, &request);
    let now = state.clock.now();
    let app = state.clone();
    let sent = state
        .db
        .run(move |c| use_cases::request_verification(c, &context, &app.personal_data, input, now))
        .await?;
    Ok(HttpResponse::Accepted().json(sent))
}

/// A worker applies for mediation: registered as a case in `intake`, channel `online`.
#[utoipa::path(post, path = "/api/v1/public/applications", tag = "public",
    request_body = Application,
    responses((status = 201, description = "Registered: keep the case number and access code", body = Submitted),
              (status = 422, description = "Invalid fields, a wrong or expired code, no consent", body = Problem),
              (status = 429, description = "Too many applications from this address", body = Problem)))]
pub async fn apply(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: JsonBody<Application>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let context = context(&state, &request);
    let now = state.clock.now();
    let app = state.clone();
    let submitted = state
        .db
        .run(move |c| use_cases::apply(c, &context, &app.personal_data, input, now))
        .await?;
    Ok(HttpResponse::Created().json(submitted))
}

/// The case as its worker may follow it, by case number and access code.
#[utoipa::path(post, path = "/api/v1/public/track", tag = "public",
    request_body = TrackRequest,
    responses((status = 200, description = "The worker's view of the case", body = WorkerView),
              (status = 404, description = "No such case, or the access code is wrong (the same answer)", body = Problem),
              (status = 429, description = "Too many lookups of this case or from this address", body = Problem)))]
pub async fn track(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: JsonBody<TrackRequest>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let context = context(&state, &request);
    let lang = crate::http::language::of(request.headers());
    let now = state.clock.now();
    let app = state.clone();
    let view = state
        .db
        .run(move |c| tracking::track(c, &context, &app.personal_data, input, lang, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Whether the survey behind a link is still open.
#[utoipa::path(get, path = "/api/v1/public/surveys/{token}", tag = "public",
    params(("token" = String, Path, description = "The token of the survey link")),
    responses((status = 200, description = "The survey", body = SurveyState),
              (status = 404, description = "No such survey", body = Problem)))]
pub async fn get_survey(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let survey = state.db.run(move |c| surveys::state(c, &token)).await?;
    Ok(HttpResponse::Ok().json(survey))
}

/// The worker rates the service, once.
#[utoipa::path(post, path = "/api/v1/public/surveys/{token}", tag = "public",
    params(("token" = String, Path, description = "The token of the survey link")),
    request_body = SurveyAnswer,
    responses((status = 200, description = "Recorded", body = SurveyState),
              (status = 404, description = "No such survey", body = Problem),
              (status = 409, description = "Already answered", body = Problem),
              (status = 422, description = "Invalid fields", body = Problem),
              (status = 429, description = "Too many answers from this address", body = Problem)))]
pub async fn answer_survey(
    state: web::Data<AppState>,
    request: HttpRequest,
    token: web::Path<String>,
    body: JsonBody<SurveyAnswer>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let context = context(&state, &request);
    let now = state.clock.now();
    let app = state.clone();
    let survey = state
        .db
        .run(move |c| surveys::answer(c, &context, &app.personal_data, &token, input, now))
        .await?;
    Ok(HttpResponse::Ok().json(survey))
}
