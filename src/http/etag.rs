//! Versions as ETags, and `If-Match` for optimistic locking: a client edits the version it
//! read, and a stale one is refused with 412 instead of silently overwriting someone's change.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::error::AppError;

/// The strong ETag of a resource version: `"3"`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version named by `If-Match`, if the header is present. `*` means any version.
pub fn if_match(request: &HttpRequest) -> Result<Option<i32>, AppError> {
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
        .map_err(|_| AppError::BadRequest {
            code: "invalid_if_match",
            detail: crate::msg!("detail.invalid_if_match"),
        })
}
