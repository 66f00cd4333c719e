//! Versions as ETags, and `If-Match` for optimistic locking: a client edits the version it
//! read, and a stale one is refused with 412 instead of silently overwriting someone's change.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::http::error::ApiError;

/// The strong ETag of a resource version: `"3"`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match`, if the header is present. `*` means any version.
pub fn if_match(request: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i32>()
        .map(Some)
        .map_err(|_| ApiError::BadRequest {
            code: "invalid_if_match",
            detail: "If-Match must be an ETag this API issued, such as \"3\"".into(),
        })
}

/// Refuses with 412 when the client's expected version is not the current one.
pub fn check_version(expected: Option<i32>, current: i32) -> Result<(), ApiError> {
    match expected {
        Some(expected) if expected != current => Err(ApiError::PreconditionFailed(format!(
            "the resource changed: you sent version {expected}, the current version is {current}; \
             read it again and re-apply your change"
        ))),
        _ => Ok(()),
    }
}
