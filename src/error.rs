//! What a use case can fail with, as plain values: no HTTP in here, so that every front door
//! (the REST API, the pages, the command line) reads the same outcome and renders it its own
//! way. The REST API maps each variant to an RFC 9457 problem document in `http::error`.
//!
//! Policy: every failure a caller can cause has its own variant and stable `code` (documented in
//! `docs/errors.md`); partner systems branch on `code`, never on the message. Internal failures
//! keep their whole cause chain for the log and are shown to nobody.

use std::fmt;

use crate::i18n::{Clauses, Lang, Message};
use crate::msg;

/// One invalid field of a request, for 422 answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the request, e.g. `employer.credit_code` or `workers[0].id_number`.
    pub field: String,
    /// What is wrong with it, in words a person can act on, in no language yet.
    pub message: Message,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Message) -> Self {
        Self {
            field: field.into(),
            message,
        }
    }
}

/// Everything a use case or a request can fail with. Every text is a [`Message`], rendered in
/// the caller's language by the front door; `Display` renders it in English (logs, the command
/// line).
#[derive(Debug)]
pub enum AppError {
    /// The body is not valid JSON (400).
    MalformedJson(Message),
    /// A query string or header the API cannot interpret (400).
    BadRequest { code: &'static str, detail: Message },
    /// No credentials, or credentials that are invalid, expired or revoked (401).
    Unauthenticated(Message),
    /// Signed in, but the role may not do this (403).
    Forbidden(Message),
    /// Does not exist, or is invisible to the caller: both answer the same (404).
    NotFound,
    /// The path exists but not with this method (405).
    MethodNotAllowed,
    /// The change conflicts with the resource's state, e.g. an illegal transition (409).
    Conflict { code: &'static str, detail: Message },
    /// `If-Match` names a version that is no longer current (412).
    PreconditionFailed(Message),
    /// The body exceeds the configured limit (413).
    PayloadTooLarge { limit: usize },
    /// The request target (path and query) is longer than the service reads (414).
    UriTooLong { limit: usize },
    /// The request's header section is larger than the service reads (431).
    HeadersTooLarge { limit: usize },
    /// The body's content type is not one this endpoint reads (415); the message says which.
    UnsupportedMediaType(Message),
    /// One or more fields are invalid (422).
    Validation(Vec<FieldError>),
    /// Too many attempts; retry later (429).
    TooManyRequests {
        code: &'static str,
        detail: Message,
        retry_after_seconds: u64,
    },
    /// The database cannot serve right now: unreachable, restarting, locked or full (503, with
    /// `Retry-After`). The reason is logged, never shown: it may name hosts or paths.
    DatabaseUnavailable(String),
    /// Another dependency (the document store) cannot be reached right now (503). The reason is
    /// logged, never shown.
    Unavailable(String),
    /// A bug or an unexpected failure: logged in full, answered opaquely (500).
    Internal(anyhow::Error),
}

impl AppError {
    /// A failure of a helper that returns `anyhow` (writing an outbox row): a database error
    /// keeps its meaning (an outage answers 503, not 500); anything else is internal.
    pub fn from_write(error: anyhow::Error) -> Self {
        match error.downcast::<diesel::result::Error>() {
            Ok(database) => Self::from(database),
            Err(other) => Self::Internal(other),
        }
    }

    /// A 422 for a single field.
    pub fn invalid(field: impl Into<String>, message: Message) -> Self {
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
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::Validation(_) => "validation_failed",
            Self::TooManyRequests { code, .. } => code,
            Self::DatabaseUnavailable(_) => "database_unavailable",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// What went wrong, for a person: the `detail` of a problem document. Internal failures
    /// and unavailable dependencies get fixed wording; their causes are for the log only.
    pub fn detail(&self) -> Message {
        match self {
            Self::MalformedJson(detail)
            | Self::BadRequest { detail, .. }
            | Self::Unauthenticated(detail)
            | Self::Forbidden(detail)
            | Self::Conflict { detail, .. }
            | Self::PreconditionFailed(detail)
            | Self::UnsupportedMediaType(detail)
            | Self::TooManyRequests { detail, .. } => detail.clone(),
            Self::NotFound => msg!("detail.not_found"),
            Self::MethodNotAllowed => msg!("detail.method_not_allowed"),
            Self::PayloadTooLarge { limit } => msg!("detail.payload_too_large", limit = limit),
            Self::UriTooLong { limit } => msg!("detail.uri_too_long", limit = limit),
            Self::HeadersTooLarge { limit } => msg!("detail.headers_too_large", limit = limit),
            Self::Validation(errors) => msg!(
                "detail.validation_failed",
                fields = Clauses(
                    errors
                        .iter()
                        .map(|e| msg!(
                            "problem.field_item",
                            field = &e.field,
                            message = e.message.clone()
                        ))
                        .collect()
                )
            ),
            Self::DatabaseUnavailable(_) => msg!("detail.database_unavailable"),
            Self::Unavailable(_) => msg!("detail.service_unavailable"),
            Self::Internal(_) => msg!("detail.internal_error"),
        }
    }
}

/// English, for logs and the command line; an internal error shows its cause (never sent).
impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Internal(error) => fmt::Display::fmt(error, f),
            other => f.write_str(&other.detail().render(Lang::English)),
        }
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Internal(error) => error.source(),
            _ => None,
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
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
