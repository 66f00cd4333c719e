//! `JsonBody<T>`: the request-body extractor every JSON endpoint uses.
//!
//! It replaces actix's `web::Json` to answer each failure the way API.md promises:
//! wrong content type → 415, body over the configured limit → 413, broken JSON → 400, and JSON
//! of the wrong shape (missing field, wrong type, unknown enum value) → 422 naming the field by
//! its path (`workers[0].id_number`).

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::http::error::{ApiError, FieldError};

/// The largest body the service accepts, in bytes; registered as app data at start.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

static CONFIGURED_LIMIT: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(1024 * 1024);

impl BodyLimit {
    /// Registers the limit, also for problem documents actix produces on its own.
    pub fn new(bytes: usize) -> Self {
        CONFIGURED_LIMIT.store(bytes, std::sync::atomic::Ordering::Relaxed);
        Self(bytes)
    }
}

/// The body limit in force, for messages.
pub fn configured_limit() -> usize {
    CONFIGURED_LIMIT.load(std::sync::atomic::Ordering::Relaxed)
}

/// A JSON request body of type `T`, parsed as described in the module documentation.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = request
            .app_data::<web::Data<BodyLimit>>()
            .map_or(1024 * 1024, |limit| limit.0);
        let content_type_ok = is_json_content_type(request);
        let declared_length = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType {
                    expected: "application/json",
                });
            }
            if declared_length.is_some_and(|length| length > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest {
                    code: "unreadable_body",
                    detail: format!("the request body could not be read: {e}"),
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(JsonBody)
        })
    }
}

fn is_json_content_type(request: &HttpRequest) -> bool {
    let Some(value) = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses `bytes` as `T`, telling syntax errors (400) from shape errors (422 with the field).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first: a truncated body is malformed (400) even if its first key is also unknown.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let field = missing_field_name(&message)
                    .map(|name| {
                        if path == "." {
                            name.to_owned()
                        } else {
                            format!("{path}.{name}")
                        }
                    })
                    .unwrap_or_else(|| if path == "." { "body".to_owned() } else { path });
                ApiError::Validation(vec![FieldError::new(field, message)])
            }
            _ => ApiError::MalformedJson(inner.to_string()),
        }
    })
}

/// serde reports a missing field at its parent's path; the field belongs in the path.
fn missing_field_name(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.strip_suffix('`')
}

fn strip_position(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Worker {
        name: String,
        age: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Intake {
        summary: String,
        workers: Vec<Worker>,
    }

    fn field_of(error: ApiError) -> String {
        match error {
            ApiError::Validation(errors) => errors[0].field.clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn broken_json_is_a_syntax_error() {
        let error = parse_json::<Intake>(b"{\"summary\": ").unwrap_err();
        assert_eq!(error.code(), "malformed_json");
    }

    #[test]
    fn a_truncated_body_is_malformed_even_when_its_first_key_is_unknown() {
        let error = parse_json::<Intake>(b"{\"x\":").unwrap_err();
        assert_eq!(error.code(), "malformed_json");
    }

    #[test]
    fn a_wrong_type_names_the_nested_field() {
        let body = br#"{"summary":"s","workers":[{"name":"a","age":"ten"}]}"#;
        assert_eq!(
            field_of(parse_json::<Intake>(body).unwrap_err()),
            "workers[0].age"
        );
    }

    #[test]
    fn a_missing_field_is_named_with_its_full_path() {
        assert_eq!(
            field_of(parse_json::<Intake>(br#"{"workers":[]}"#).unwrap_err()),
            "summary"
        );
        let body = br#"{"summary":"s","workers":[{"name":"a"}]}"#;
        assert_eq!(
            field_of(parse_json::<Intake>(body).unwrap_err()),
            "workers[0].age"
        );
    }
}
