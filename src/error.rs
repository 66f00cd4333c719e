//! What a use case can fail with, as plain values: no HTTP in here, so that every front door
//! (the REST API, the pages, the command line) reads the same outcome and renders it its own
//! way. The REST API maps each variant to an RFC 9457 problem document in `http::error`.
//!
//! Policy: every failure a caller can cause has its own variant and stable `code` (documented in
//! `docs/errors.md`); partner systems branch on `code`, never on the message. Internal failures
//! keep their whole cause chain for the log and are shown to nobody.

use serde::Serialize;
use utoipa::ToSchema;

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

/// Everything a use case or a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
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

impl AppError {
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
}

fn describe_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<diesel::result::Error> for AppError {
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

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::DatabaseUnavailable(format!("no database connection: {error}"))
    }
}
