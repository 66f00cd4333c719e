//! The REST API's rendering of [`AppError`]: an explicit mapping of each variant to a status and
//! an RFC 9457 problem document. Internal failures are logged with their whole cause chain and
//! answered with an opaque 500 that carries only the request id, so nothing internal leaks into
//! a body.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::error::{AppError, FieldError};
use crate::http::request_id;

/// An RFC 9457 problem document, as every error of this API is answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type: `/problems/<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable; see `docs/errors.md`.
    pub code: String,
    /// The id of the request, also in the `x-request-id` header and in every log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Per-field problems, present on 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl AppError {
    /// The problem for a bare status produced outside our handlers (actix's own 404/405/…).
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge {
                limit: crate::http::limits::configured_limit(),
            },
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType {
                expected: "application/json",
            },
            StatusCode::URI_TOO_LONG => Self::UriTooLong {
                limit: crate::http::limits::MAX_URI_BYTES,
            },
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Self::HeadersTooLarge {
                limit: crate::http::limits::MAX_HEADER_BYTES,
            },
            StatusCode::UNAUTHORIZED => Self::Unauthenticated("authentication required".into()),
            StatusCode::FORBIDDEN => Self::Forbidden("not allowed".into()),
            s if s.is_client_error() => Self::BadRequest {
                code: "bad_request",
                detail: s.canonical_reason().unwrap_or("bad request").to_owned(),
            },
            _ => Self::Internal(anyhow::anyhow!("unhandled status {status}")),
        }
    }

    /// Builds the problem document of this error, tagged with the current request id.
    pub fn to_problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            Self::Internal(_) => {
                "an internal error occurred; quote the request id when reporting it".to_owned()
            }
            other => other.to_string(),
        };
        Problem {
            type_uri: format!("/problems/{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: self.code().to_owned(),
            request_id: request_id::current(),
            errors: match self {
                Self::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::DatabaseUnavailable(_) | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error")
            }
            Self::DatabaseUnavailable(reason) => tracing::warn!(%reason, "database unavailable"),
            Self::Unavailable(reason) => tracing::warn!(%reason, "dependency unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        match self {
            Self::Unauthenticated(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::TooManyRequests {
                retry_after_seconds,
                ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            Self::DatabaseUnavailable(_) | Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, RETRY_UNAVAILABLE_AFTER_SECONDS));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

/// What `Retry-After` says on a 503: an outage that heals (the pool reconnects on its own)
/// usually does within a few seconds.
const RETRY_UNAVAILABLE_AFTER_SECONDS: &str = "2";

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause_in_the_body() {
        let error = AppError::Internal(anyhow::anyhow!("password=hunter2 in connection string"));
        let problem = error.to_problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("hunter2"));
        assert_eq!(problem.code, "internal_error");
    }

    #[test]
    fn validation_problem_lists_each_field() {
        let error = AppError::Validation(vec![
            FieldError::new("email", "must be an email address"),
            FieldError::new("code", "must not be empty"),
        ]);
        let problem = error.to_problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.type_uri, "/problems/validation_failed");
        assert_eq!(problem.errors.len(), 2);
    }

    #[test]
    fn bare_statuses_map_to_their_problem_codes() {
        assert_eq!(
            AppError::from_status(StatusCode::NOT_FOUND).code(),
            "not_found"
        );
        assert_eq!(
            AppError::from_status(StatusCode::METHOD_NOT_ALLOWED).code(),
            "method_not_allowed"
        );
        assert_eq!(
            AppError::from_status(StatusCode::IM_A_TEAPOT).code(),
            "bad_request"
        );
    }
}
