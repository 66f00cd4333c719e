//! Versions as ETags, and `If-Match` for optimistic locking: a client edits the version it
//! read, and a stale one is refused with 412 instead of silently overwriting someone's change.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::error::AppError;

/// The strong ETag of a resource version: `"3"`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version an entity tag names: `"7"` or `W/"7"` as RFC 9110 writes them, or a bare `7`
/// (clients and tools that drop the quotes), one to nine digits — exactly what the OpenAPI
/// document's `If-Match` pattern allows (`openapi::inputs`), so the service neither refuses a
/// header the document allows nor accepts one it calls invalid.
fn version_of(tag: &str) -> Option<i32> {
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let digits = match tag.strip_prefix('"') {
        Some(quoted) => quoted.strip_suffix('"')?,
        None => tag,
    };
    let well_formed = (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| digits.parse().ok()).flatten()
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
    version_of(text)
        .map(Some)
        .ok_or_else(|| AppError::BadRequest {
            code: "invalid_if_match",
            detail: crate::msg!("detail.invalid_if_match"),
        })
}

#[cfg(test)]
mod tests {
    use super::version_of;

    #[test]
    fn entity_tags_of_one_to_nine_digits_name_a_version_quoted_or_bare() {
        assert_eq!(version_of("\"7\""), Some(7));
        assert_eq!(version_of("W/\"12\""), Some(12));
        assert_eq!(version_of("7"), Some(7));
        assert_eq!(version_of("W/7"), Some(7));
        assert_eq!(version_of("\"999999999\""), Some(999_999_999));
        for bad in [
            "\"7",
            "7\"",
            "\"\"",
            "",
            "\"1000000000\"",
            "1000000000",
            "\"+7\"",
            "-1",
            "\" 7\"",
        ] {
            assert_eq!(version_of(bad), None, "{bad}");
        }
    }
}
