//! The one middleware every request passes: request id, request span, access log, metrics, the
//! request's language (`Accept-Language`, for problem documents), and the guarantee that every
//! error answer is problem+json in that language — including the bare 404/405/413 that actix
//! produces itself before any handler runs. The one exception is an HTML page the service
//! rendered itself with an error status (a worker's form with its errors, `pages`).

use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpResponse};
use tracing::Instrument;

use crate::error::AppError;
use crate::http::metrics::Metrics;
use crate::http::{language, request_id};
use crate::i18n::Lang;

/// Wraps every request; see the module documentation.
pub async fn observe_request(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let started = Instant::now();
    let id = request_id::from_header(request.headers().get(request_id::HEADER));
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    let method = request.method().to_string();
    let span =
        tracing::info_span!("request", request_id = %id, method = %method, path = %request.path());

    let lang = language::of(request.headers());
    let result = request_id::scope(
        id.clone(),
        language::scope(lang, next.call(request).instrument(span.clone())),
    )
    .await;
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            // Only a failing middleware lands here (handler errors are already responses).
            span.in_scope(|| tracing::warn!(%error, "request failed outside a handler"));
            return Err(error);
        }
    };

    let status = response.status();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe(&method, &route, status.as_u16(), elapsed.as_secs_f64());
    }
    span.in_scope(|| {
        tracing::info!(status = status.as_u16(), route = %route, latency_ms = elapsed.as_secs_f64() * 1000.0, "request completed")
    });

    // A page the service rendered itself (the worker's forms, `pages`) keeps its body: a form
    // that failed answers 422 with the form, its values and its errors, for a person to read.
    let needs_problem = (status.is_client_error() || status.is_server_error())
        && !is_problem_json(response.headers().get(header::CONTENT_TYPE))
        && !is_page(response.headers().get(header::CONTENT_TYPE));
    let is_problem = needs_problem || is_problem_json(response.headers().get(header::CONTENT_TYPE));
    let mut response = if needs_problem {
        let mut replacement = request_id::scope_sync(&id, || problem_for_status(status, lang));
        // The headers that belong to the status, not to the body, survive the rewrite: a 405
        // says which methods the path has (RFC 9110 §15.5.6), a 401 how to authenticate.
        for name in [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
            for value in response.headers().get_all(&name) {
                replacement
                    .headers_mut()
                    .append(name.clone(), value.clone());
            }
        }
        response.into_response(replacement).map_into_right_body()
    } else {
        response.map_into_left_body()
    };
    if is_problem {
        // The words of a problem depend on Accept-Language; its code does not.
        let headers = response.headers_mut();
        if !headers.contains_key(header::CONTENT_LANGUAGE) {
            headers.insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(lang.tag()),
            );
        }
        headers.append(header::VARY, HeaderValue::from_static("accept-language"));
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static(request_id::HEADER), value);
    }
    Ok(response)
}

fn is_page(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn is_problem_json(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

/// A problem document in `lang` for a status that was produced without one, keeping the status
/// itself.
fn problem_for_status(status: actix_web::http::StatusCode, lang: Lang) -> HttpResponse {
    let error = AppError::from_status(status);
    let mut problem = error.to_problem_in(lang);
    problem.status = status.as_u16();
    problem.title = crate::http::error::title(status, lang);
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
        .body(serde_json::to_string(&problem).unwrap_or_default())
}
