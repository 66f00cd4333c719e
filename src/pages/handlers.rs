//! The HTTP side of the worker's pages: read the form, call the use case the public API calls,
//! answer a page. Every answer is HTML, failures included (a worker's browser has no use for a
//! problem document), under the pages' Content-Security-Policy, never cached.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use super::apply::{self, CodeSent, Step};
use super::fields::Trouble;
use super::forms::{self, Values};
use super::layout::{self, STYLESHEET};
use super::views::{self, Said};
use crate::app::AppState;
use crate::error::AppError;
use crate::http::language;
use crate::i18n::Lang;
use crate::msg;
use crate::public::handlers::context;
use crate::public::surveys::{self, SurveyState};
use crate::public::track::{self as tracking, TrackRequest};
use crate::public::use_cases;

/// A page with `status`, or the failure page when it could not be rendered.
fn page(status: StatusCode, lang: Lang, rendered: Result<String, AppError>) -> HttpResponse {
    let body = match rendered {
        Ok(body) => body,
        Err(error) => return failure(lang, error),
    };
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, layout::CSP))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
        .insert_header((header::VARY, "accept-language"))
        .body(body)
}

/// Logs what the log must know of `error`: a bug in full, an outage's reason (never shown).
fn log(error: &AppError) {
    match error {
        AppError::Internal(cause) => {
            tracing::error!(error = format!("{cause:#}"), "internal error on a page")
        }
        AppError::DatabaseUnavailable(reason) | AppError::Unavailable(reason) => {
            tracing::warn!(%reason, "unavailable on a page")
        }
        _ => {}
    }
}

/// A form shown again after `error`, everything typed kept: the error's status (and
/// `Retry-After` after a 429).
fn again(error: &AppError, lang: Lang, rendered: Result<String, AppError>) -> HttpResponse {
    log(error);
    let mut response = page(error.status_code(), lang, rendered);
    if let AppError::TooManyRequests {
        retry_after_seconds,
        ..
    } = error
    {
        if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// A failure no form can show (the database is down, a bug): a page saying so, with its status.
fn failure(lang: Lang, error: AppError) -> HttpResponse {
    log(&error);
    let status = error.status_code();
    let said = Said::Failure {
        title: crate::http::error::title(status, lang),
        detail: error.detail(),
    };
    match views::message_page(lang, said) {
        Ok(body) => page(status, lang, Ok(body)),
        Err(_) => HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(error.detail().render(lang)),
    }
}

/// The application form again with `values`, after `error` (or a notice).
async fn apply_again(
    state: &AppState,
    lang: Lang,
    values: &Values,
    error: Option<&AppError>,
    step: Step,
) -> HttpResponse {
    let offices = match state.db.run(use_cases::online_offices).await {
        Ok(offices) => offices,
        Err(error) => return failure(lang, error),
    };
    let trouble = error.map_or_else(Trouble::none, Trouble::of);
    let rendered = apply::apply_page(lang, &offices, values, &trouble, step);
    match error {
        Some(error) => again(error, lang, rendered),
        None => page(StatusCode::OK, lang, rendered),
    }
}

/// `GET /apply`: the application form.
pub async fn apply_form(state: web::Data<AppState>) -> HttpResponse {
    let lang = language::current();
    apply_again(&state, lang, &Values::default(), None, Step::Apply).await
}

/// `POST /apply/code`: texts a code to the phone typed, and shows the form again with every
/// value kept — the "send me a code" button of a form that works without script.
pub async fn send_code(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (lang, values) = (language::current(), Values::read(&body));
    let input = forms::verification(&values);
    let (context, now, app) = (context(&state, &request), state.clock.now(), state.clone());
    let sent = state
        .db
        .run(move |c| use_cases::request_verification(c, &context, &app.personal_data, input, now))
        .await;
    match sent {
        Ok(sent) => {
            let sent = Some(CodeSent {
                phone: forms::masked_phone(values.get("phone")),
                minutes: (sent.expires_at - now).num_minutes(),
            });
            apply_again(&state, lang, &values, None, Step::Code { sent }).await
        }
        Err(error) => {
            let step = Step::Code { sent: None };
            apply_again(&state, lang, &values, Some(&error), step).await
        }
    }
}

/// `POST /apply`: the application. Registered, it shows the case number and the access code;
/// otherwise the form again, with what to correct.
pub async fn submit_application(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (lang, values) = (language::current(), Values::read(&body));
    let input = match forms::application(&values) {
        Ok(input) => input,
        Err(error) => return apply_again(&state, lang, &values, Some(&error), Step::Apply).await,
    };
    let (context, now, app) = (context(&state, &request), state.clock.now(), state.clone());
    let submitted = state
        .db
        .run(move |c| use_cases::apply(c, &context, &app.personal_data, input, now))
        .await;
    match submitted {
        Ok(submitted) => page(
            StatusCode::OK,
            lang,
            apply::submitted_page(lang, &submitted),
        ),
        Err(error) => apply_again(&state, lang, &values, Some(&error), Step::Apply).await,
    }
}

/// `GET /track`: the form, with the case number of the texted link (`?case=…`) filled in.
pub async fn track_form(request: HttpRequest) -> HttpResponse {
    let lang = language::current();
    let query = Values::read(request.query_string().as_bytes());
    let values = Values::default().with("case_number", query.get("case"));
    page(
        StatusCode::OK,
        lang,
        views::track_page(lang, &values, &Trouble::none()),
    )
}

/// `POST /track`: the case as its worker follows it; an unknown case and a wrong access code
/// answer the same 404 with the form again.
pub async fn track_case(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let (lang, values) = (language::current(), Values::read(&body));
    let input = TrackRequest {
        case_number: values.get("case_number").to_owned(),
        access_code: values.get("access_code").to_owned(),
    };
    let (context, now, app) = (context(&state, &request), state.clock.now(), state.clone());
    let view = state
        .db
        .run(move |c| tracking::track(c, &context, &app.personal_data, input, lang, now))
        .await;
    match view {
        Ok(view) => page(StatusCode::OK, lang, views::case_page(lang, view)),
        Err(error @ AppError::NotFound) => {
            let trouble = Trouble {
                notice: Some(msg!("page.track.not_found")),
                ..Trouble::none()
            };
            again(&error, lang, views::track_page(lang, &values, &trouble))
        }
        Err(error) => {
            let rendered = views::track_page(lang, &values, &Trouble::of(&error));
            again(&error, lang, rendered)
        }
    }
}

/// The survey's page when it cannot be answered: unknown link, answered before, or a failure.
fn survey_closed(lang: Lang, error: AppError) -> HttpResponse {
    match error {
        AppError::NotFound => page(
            StatusCode::NOT_FOUND,
            lang,
            views::message_page(lang, Said::SurveyNotFound),
        ),
        error @ AppError::Conflict { .. } => page(
            error.status_code(),
            lang,
            views::message_page(lang, Said::SurveyAnswered),
        ),
        other => failure(lang, other),
    }
}

/// `GET /survey/{token}`: the rating form of a closed case, from the link in the closing text.
pub async fn survey_form(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let lang = language::current();
    let token = token.into_inner();
    let key = token.clone();
    match state.db.run(move |c| surveys::state(c, &key)).await {
        Ok(survey) if survey.answered => page(
            StatusCode::OK,
            lang,
            views::message_page(lang, Said::SurveyAnswered),
        ),
        Ok(survey) => {
            let rendered =
                views::survey_page(lang, &token, &survey, &Values::default(), &Trouble::none());
            page(StatusCode::OK, lang, rendered)
        }
        Err(error) => survey_closed(lang, error),
    }
}

/// `POST /survey/{token}`: the worker's rating, once; thanks, or the form again.
pub async fn answer_survey(
    state: web::Data<AppState>,
    request: HttpRequest,
    token: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let (lang, values, token) = (language::current(), Values::read(&body), token.into_inner());
    let answer = forms::survey_answer(&values);
    let (context, now, app, key) = (
        context(&state, &request),
        state.clock.now(),
        state.clone(),
        token.clone(),
    );
    let outcome = state
        .db
        .run(move |c| {
            let survey = surveys::state(c, &key)?;
            let answered =
                answer.and_then(|a| surveys::answer(c, &context, &app.personal_data, &key, a, now));
            Ok((survey, answered))
        })
        .await;
    after_answer(lang, &token, &values, outcome)
}

/// The page after a rating: thanks, the form again, or why the survey cannot be answered.
fn after_answer(
    lang: Lang,
    token: &str,
    values: &Values,
    outcome: Result<(SurveyState, Result<SurveyState, AppError>), AppError>,
) -> HttpResponse {
    match outcome {
        Ok((survey, _)) if survey.answered => page(
            StatusCode::CONFLICT,
            lang,
            views::message_page(lang, Said::SurveyAnswered),
        ),
        Ok((_, Ok(_))) => page(
            StatusCode::OK,
            lang,
            views::message_page(lang, Said::SurveyThanks),
        ),
        Ok((_, Err(error @ (AppError::NotFound | AppError::Conflict { .. })))) | Err(error) => {
            survey_closed(lang, error)
        }
        Ok((survey, Err(error))) => {
            let rendered = views::survey_page(lang, token, &survey, values, &Trouble::of(&error));
            again(&error, lang, rendered)
        }
    }
}

/// `GET /static/public.css`: the pages' stylesheet, from the binary. The pages link it with
/// its digest in the query, so a browser may keep it for a year.
pub async fn stylesheet(request: HttpRequest) -> HttpResponse {
    cached_stylesheet(&request, STYLESHEET, layout::stylesheet_version())
}

/// A stylesheet compiled into the binary, with `version` (its digest) as its ETag: 304 when
/// the browser has it, else the sheet, cacheable for a year (the pages' links change with it).
pub fn cached_stylesheet(request: &HttpRequest, css: &'static str, version: &str) -> HttpResponse {
    let etag = format!("\"{version}\"");
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .content_type("text/css; charset=utf-8")
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"));
    if fresh {
        response.finish()
    } else {
        response.body(css)
    }
}
