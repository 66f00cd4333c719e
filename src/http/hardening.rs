//! What every request is screened for before routing, and what every answer carries after.
//!
//! Before: a request target or header section larger than the service reads is refused with a
//! problem document (414/431) instead of reaching a handler; a path or query parameter carrying
//! a character no text may carry (`domain::text`: NUL, control characters, bidi overrides) is
//! refused the same on both databases — a path as 404 (no such resource can exist), a query
//! parameter as 400 `invalid_query` naming it. Before this, `?q=%00` matched every case on
//! SQLite and was a 500 on PostgreSQL.
//!
//! After: `X-Content-Type-Options: nosniff` on every answer, `Cache-Control: no-store` on
//! every answer to a signed-in request that did not choose its own caching — so no proxy or
//! browser cache keeps a case it was shown — and a Content-Security-Policy on `/docs`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};

use crate::domain::text;
use crate::error::AppError;
use crate::http::guard;
use crate::http::limits::{MAX_HEADER_BYTES, MAX_URI_BYTES};

/// The Content-Security-Policy of the bundled Swagger UI (`/docs`): its scripts and styles come
/// from the binary itself (no CDN), it sets inline styles and draws icons from `data:` URLs, and
/// it fetches the OpenAPI document from this origin. No page may frame it.
pub const DOCS_CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The Content-Security-Policy of pages the service renders itself (the printable dossier): no
/// script at all, inline styles only, never framed.
pub const PAGE_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The middleware; see the module documentation.
pub async fn harden(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if let Err(error) = screen(&request) {
        let response = error.error_response();
        return Ok(request.into_response(response).map_into_right_body());
    }
    let signed_in = request.headers().contains_key(header::AUTHORIZATION);
    let is_docs = request.path() == "/docs" || request.path().starts_with("/docs/");
    let mut response = next.call(request).await?.map_into_left_body();
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_docs {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        );
    }
    if signed_in && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

fn screen(request: &ServiceRequest) -> Result<(), AppError> {
    // Stand-ins for heads too large to parse at all (`http::guard`).
    match request.path() {
        guard::URI_TOO_LONG_PATH => {
            return Err(AppError::UriTooLong {
                limit: MAX_URI_BYTES,
            })
        }
        guard::HEADERS_TOO_LARGE_PATH => {
            return Err(AppError::HeadersTooLarge {
                limit: MAX_HEADER_BYTES,
            })
        }
        _ => {}
    }
    let uri = request.uri();
    let target_length = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target_length > MAX_URI_BYTES {
        return Err(AppError::UriTooLong {
            limit: MAX_URI_BYTES,
        });
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Err(AppError::HeadersTooLarge {
            limit: MAX_HEADER_BYTES,
        });
    }
    if text::refusal(&percent_decoded(uri.path()), false).is_some() {
        return Err(AppError::NotFound);
    }
    if let Some(query) = uri.query() {
        screen_query(query)?;
    }
    Ok(())
}

/// 400 `invalid_query` for the first parameter whose name or value carries a refused character.
fn screen_query(query: &str) -> Result<(), AppError> {
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decoded(&name.replace('+', " "));
        let value = percent_decoded(&value.replace('+', " "));
        if let Some(refusal) = text::refusal(&name, false).or(text::refusal(&value, false)) {
            return Err(crate::http::query::invalid_query(vec![
                crate::error::FieldError::new(printable(&name), refusal.message()),
            ]));
        }
    }
    Ok(())
}

/// Percent-decodes `raw` as UTF-8, replacing invalid sequences (which then match nothing).
fn percent_decoded(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                index += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// A parameter name safe to quote in a message: refused characters shown as `?`.
fn printable(name: &str) -> String {
    name.chars()
        .map(|c| {
            if text::refusal(&c.to_string(), false).is_some() {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_finds_nul_and_bidi_characters() {
        assert_eq!(percent_decoded("a%00b"), "a\u{0}b");
        assert_eq!(percent_decoded("%E2%80%AEx"), "\u{202e}x");
        assert_eq!(percent_decoded("%E9%B9%A4%E5%B1%B1"), "鹤山");
        assert_eq!(percent_decoded("100%"), "100%");
    }

    #[test]
    fn a_query_with_a_nul_is_refused_naming_the_parameter() {
        match screen_query("limit=5&q=%00") {
            Err(error @ AppError::BadRequest { .. }) => {
                assert_eq!(error.code(), "invalid_query");
                let detail = error.to_string();
                assert!(detail.contains("`q`"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        assert!(screen_query("q=%E9%B9%A4%E5%B1%B1+%E6%B2%99%E5%9D%AA&status=intake").is_ok());
    }
}
