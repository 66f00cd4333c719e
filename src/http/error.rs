//! The one error type of the HTTP API and its explicit mapping to RFC 9457 problem documents.
//!
//! Policy: every failure a client can cause has its own variant, status and stable `code`
//! (documented in `docs/errors.md`); partner systems branch on `code`, never on `title` or
//! `detail`. Internal failures are logged with their whole cause chain and answered with an
//! opaque 500 that carries only the request id, so nothing internal leaks into a body.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::request_id;

/// One invalid field of a request, for 422 answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's path in the request, e.g. `employer.credit_code` or `workers[0].id_number`.
    pub field: String,
    /// What is wrong with it, in words a person can act on.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

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

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON (400).
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// A query string or header the API cannot interpret (400).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// No credentials, or credentials that are invalid, expired or revoked (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but the role may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// Does not exist, or is invisible to the caller: both answer the same (404).
    #[error("the requested resource does not exist")]
    NotFound,
    /// The path exists but not with this method (405).
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    /// The change conflicts with the resource's state, e.g. an illegal transition (409).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// `If-Match` names a version that is no longer current (412).
    #[error("{0}")]
    PreconditionFailed(String),
    /// The body exceeds the configured limit (413).
    #[error("the request body exceeds the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The request target (path and query) is longer than the service reads (414).
    #[error("the request URI is longer than {limit} bytes")]
    UriTooLong { limit: usize },
    /// The request's header section is larger than the service reads (431).
    #[error("the request headers are too many or too large (at most {limit} bytes)")]
    HeadersTooLarge { limit: usize },
    /// The body's content type is not one this endpoint reads (415).
    #[error("the content type must be {expected}")]
    UnsupportedMediaType { expected: &'static str },
    /// One or more fields are invalid (422).
    #[error("invalid fields: {}", describe_fields(.0))]
    Validation(Vec<FieldError>),
    /// Too many attempts; retry later (429).
    #[error("{detail}")]
    TooManyRequests {
        code: &'static str,
        detail: String,
        retry_after_seconds: u64,
    },
    /// The database cannot serve right now: unreachable, restarting, locked or full (503, with
    /// `Retry-After`). The reason is logged, never shown: it may name hosts or paths.
    #[error("the database is unavailable right now; retry shortly")]
    DatabaseUnavailable(String),
    /// Another dependency (the document store) cannot be reached right now (503). The reason is
    /// logged, never shown.
    #[error("the document store is unavailable right now; retry shortly")]
    Unavailable(String),
    /// A bug or an unexpected failure: logged in full, answered opaquely (500).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 for a single field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson(_) => "malformed_json",
            Self::BadRequest { code, .. } => code,
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict { code, .. } => code,
            Self::PreconditionFailed(_) => "version_conflict",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UriTooLong { .. } => "uri_too_long",
            Self::HeadersTooLarge { .. } => "headers_too_large",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::Validation(_) => "validation_failed",
            Self::TooManyRequests { code, .. } => code,
            Self::DatabaseUnavailable(_) => "database_unavailable",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

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

fn describe_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ResponseError for ApiError {
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

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => Self::NotFound,
            other if crate::db::availability::is_unavailable(&other) => {
                Self::DatabaseUnavailable(other.to_string())
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::DatabaseUnavailable(format!("no database connection: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause_in_the_body() {
        let error = ApiError::Internal(anyhow::anyhow!("password=hunter2 in connection string"));
        let problem = error.to_problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("hunter2"));
        assert_eq!(problem.code, "internal_error");
    }

    #[test]
    fn validation_problem_lists_each_field() {
        let error = ApiError::Validation(vec![
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
            ApiError::from_status(StatusCode::NOT_FOUND).code(),
            "not_found"
        );
        assert_eq!(
            ApiError::from_status(StatusCode::METHOD_NOT_ALLOWED).code(),
            "method_not_allowed"
        );
        assert_eq!(
            ApiError::from_status(StatusCode::IM_A_TEAPOT).code(),
            "bad_request"
        );
    }
}
