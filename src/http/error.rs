//! The REST API's rendering of [`AppError`]: an explicit mapping of each variant to a status and
//! an RFC 9457 problem document. Internal failures are logged with their whole cause chain and
//! answered with an opaque 500 that carries only the request id, so nothing internal leaks into
//! a body.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::error::AppError;
use crate::http::{language, request_id};
use crate::i18n::{Lang, Message};
use crate::msg;

/// An RFC 9457 problem document, as every error of this API is answered. `title`, `detail` and
/// each field's `message` are in the request's language (`Content-Language`); `code` is not.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type: `/problems/<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// What kind of failure the status is, in words (`未找到`, `Not Found`).
    pub title: String,
    pub status: u16,
    /// What went wrong in this request, in words a person can act on.
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

/// One invalid field of a request, as a 422 lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's path in the request, e.g. `employer.credit_code` or `workers[0].id_number`.
    pub field: String,
    /// What is wrong with it, in the request's language.
    pub message: String,
}

/// The `title` of a problem with `status`, in `lang`.
pub fn title(status: StatusCode, lang: Lang) -> String {
    let message: Message = match status.as_u16() {
        400 => msg!("title.400"),
        401 => msg!("title.401"),
        403 => msg!("title.403"),
        404 => msg!("title.404"),
        405 => msg!("title.405"),
        409 => msg!("title.409"),
        412 => msg!("title.412"),
        413 => msg!("title.413"),
        414 => msg!("title.414"),
        415 => msg!("title.415"),
        422 => msg!("title.422"),
        429 => msg!("title.429"),
        431 => msg!("title.431"),
        500 => msg!("title.500"),
        503 => msg!("title.503"),
        _ if status.is_client_error() => msg!("title.other_client_error"),
        _ => msg!("title.other_server_error"),
    };
    message.render(lang)
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
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::UnsupportedMediaType(msg!("detail.unsupported_media_type.json"))
            }
            StatusCode::URI_TOO_LONG => Self::UriTooLong {
                limit: crate::http::limits::MAX_URI_BYTES,
            },
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Self::HeadersTooLarge {
                limit: crate::http::limits::MAX_HEADER_BYTES,
            },
            StatusCode::UNAUTHORIZED => Self::Unauthenticated(msg!("detail.unauthenticated")),
            StatusCode::FORBIDDEN => Self::Forbidden(msg!("detail.forbidden")),
            s if s.is_client_error() => Self::BadRequest {
                code: "bad_request",
                detail: msg!("detail.bad_request", status = s.as_u16()),
            },
            _ => Self::Internal(anyhow::anyhow!("unhandled status {status}")),
        }
    }

    /// Builds the problem document of this error in the current request's language, tagged
    /// with the current request id.
    pub fn to_problem(&self) -> Problem {
        self.to_problem_in(language::current())
    }

    /// Builds the problem document of this error in `lang`.
    pub fn to_problem_in(&self, lang: Lang) -> Problem {
        let status = self.status_code();
        Problem {
            type_uri: format!("/problems/{}", self.code()),
            title: title(status, lang),
            status: status.as_u16(),
            detail: self.detail().render(lang),
            code: self.code().to_owned(),
            request_id: request_id::current(),
            errors: match self {
                Self::Validation(errors) => errors
                    .iter()
                    .map(|e| FieldError {
                        field: e.field.clone(),
                        message: e.message.render(lang),
                    })
                    .collect(),
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
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
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
        let lang = language::current();
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        response.insert_header((header::CONTENT_LANGUAGE, lang.tag()));
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
        response.body(serde_json::to_string(&self.to_problem_in(lang)).unwrap_or_default())
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
    use crate::error::FieldError as Invalid;

    #[test]
    fn internal_errors_never_show_their_cause_in_the_body() {
        let error = AppError::Internal(anyhow::anyhow!("password=hunter2 in connection string"));
        for lang in Lang::ALL {
            let problem = error.to_problem_in(lang);
            assert_eq!(problem.status, 500);
            assert!(!problem.detail.contains("hunter2"));
            assert_eq!(problem.code, "internal_error");
        }
    }

    #[test]
    fn validation_problem_lists_each_field_in_the_language_asked_for() {
        let error = AppError::Validation(vec![
            Invalid::new("email", msg!("field.email")),
            Invalid::new("code", msg!("field.empty")),
        ]);
        let english = error.to_problem_in(Lang::English);
        assert_eq!(english.status, 422);
        assert_eq!(english.type_uri, "/problems/validation_failed");
        assert_eq!(english.title, "Unprocessable Entity");
        assert_eq!(english.errors.len(), 2);
        assert_eq!(english.errors[1].message, "must not be empty");
        assert!(
            english.detail.contains("code must not be empty"),
            "{}",
            english.detail
        );
        let chinese = error.to_problem_in(Lang::Zh);
        assert_eq!(chinese.code, "validation_failed");
        assert_eq!(chinese.errors[1].field, "code");
        assert!(
            chinese.errors[1].message.contains("不能为空"),
            "{:?}",
            chinese.errors
        );
        assert!(!chinese.title.is_ascii());
    }

    #[test]
    fn every_status_the_api_answers_has_a_title_in_both_languages() {
        for status in [
            400, 401, 403, 404, 405, 409, 412, 413, 414, 415, 422, 429, 431, 500, 503,
        ] {
            let status = StatusCode::from_u16(status).unwrap();
            for lang in Lang::ALL {
                let title = title(status, lang);
                assert!(!title.starts_with("title."), "{status} {lang:?}");
            }
            assert_ne!(title(status, Lang::Zh), title(status, Lang::English));
        }
    }

    #[test]
    fn every_code_with_fixed_words_has_them_in_both_languages() {
        // The codes whose detail a use case chooses are checked through their keys by
        // `i18n::tests`; these are the ones whose words the error itself carries.
        let errors = [
            AppError::NotFound,
            AppError::MethodNotAllowed,
            AppError::PayloadTooLarge { limit: 1024 },
            AppError::UriTooLong { limit: 8192 },
            AppError::HeadersTooLarge { limit: 32768 },
            AppError::Validation(vec![Invalid::new("name", msg!("field.empty"))]),
            AppError::DatabaseUnavailable("connection refused".into()),
            AppError::Unavailable("bucket missing".into()),
            AppError::Internal(anyhow::anyhow!("boom")),
            AppError::from_status(StatusCode::UNAUTHORIZED),
            AppError::from_status(StatusCode::FORBIDDEN),
            AppError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE),
            AppError::from_status(StatusCode::REQUEST_TIMEOUT),
        ];
        for error in errors {
            let zh = error.to_problem_in(Lang::Zh);
            let en = error.to_problem_in(Lang::English);
            assert_eq!(zh.code, en.code);
            for problem in [&zh, &en] {
                assert!(!problem.detail.contains("detail."), "{problem:?}");
                assert!(!problem.title.starts_with("title."), "{problem:?}");
            }
            assert!(
                !zh.detail.is_ascii(),
                "{} in Chinese: {}",
                zh.code,
                zh.detail
            );
            assert!(
                en.detail.is_ascii(),
                "{} in English: {}",
                en.code,
                en.detail
            );
        }
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
