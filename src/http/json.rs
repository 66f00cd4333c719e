//! `JsonBody<T>`: the request-body extractor every JSON endpoint uses.
//!
//! It replaces actix's `web::Json` to answer each failure the way docs/errors.md promises:
//! wrong content type → 415, body over the configured limit → 413, broken JSON → 400, and JSON
//! of the wrong shape (missing fields, wrong types, unknown enum values, unknown fields) → 422
//! naming every such field by its path (`workers[0].id_number`), with a message in the caller's
//! language — never serde's own words (`http::shape`).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};
pub use crate::http::limits::BodyLimit;
use crate::http::shape;
use crate::msg;

/// A JSON request body of type `T`, read as described in the module documentation.
///
/// Reading never fails the extraction: the outcome is kept and handed over by
/// [`JsonBody::into_inner`]. Why: actix polls a handler's extractors together, so a body that
/// failed to parse used to race the caller's authentication — a revoked session or a wrong role
/// sending a malformed body got 400/422 about half the time instead of 401/403. Handlers take
/// the body only after the caller has been authenticated and authorized, so the order promised
/// in `docs/errors.md` (401 → 403 → body) holds on every endpoint.
#[derive(Debug)]
pub struct JsonBody<T> {
    parsed: Result<T, AppError>,
    /// The request had no body at all (no bytes).
    absent: bool,
}

impl<T> JsonBody<T> {
    /// The body, or the error reading it: 415, 413, 400 or 422.
    pub fn into_inner(self) -> Result<T, AppError> {
        self.parsed
    }

    /// For endpoints whose body is optional: `None` only when no body was sent at all. A body
    /// that was sent must be valid, whatever it says — a malformed one is refused, not ignored.
    pub fn into_optional(self) -> Result<Option<T>, AppError> {
        if self.absent {
            Ok(None)
        } else {
            self.parsed.map(Some)
        }
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

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
            if declared_length.is_some_and(|length| length > limit) {
                return Ok(Self {
                    parsed: Err(AppError::PayloadTooLarge { limit }),
                    absent: false,
                });
            }
            let body = match read_limited(&mut payload, limit).await {
                Ok(body) => body,
                Err(error) => {
                    return Ok(Self {
                        parsed: Err(error),
                        absent: false,
                    })
                }
            };
            let parsed = if content_type_ok {
                parse_json(&body)
            } else {
                Err(AppError::UnsupportedMediaType(msg!(
                    "detail.unsupported_media_type.json"
                )))
            };
            Ok(Self {
                parsed,
                absent: body.is_empty(),
            })
        })
    }
}

async fn read_limited(payload: &mut Payload, limit: usize) -> Result<web::BytesMut, AppError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            tracing::debug!(%error, "the request body could not be read");
            AppError::BadRequest {
                code: "unreadable_body",
                detail: msg!("detail.unreadable_body"),
            }
        })?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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

/// Parses `bytes` as `T`, telling syntax errors (400) from shape errors (422, every field at
/// once), and refusing (422, per field) any string that carries a character no text may carry
/// (`domain::text`): NUL and other control characters, bidirectional overrides.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // Syntax first: a truncated body is malformed (400) even if its first key is also unknown.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| malformed(&e, bytes))?;
    let integral = integral_numbers(bytes);
    let bytes: &[u8] = &integral;
    let mut errors = Vec::new();
    if may_carry_refused_characters(bytes) {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| malformed(&e, bytes))?;
        refused_strings(&value, &mut String::new(), &mut errors);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Ok(value) if errors.is_empty() => Ok(value),
        Ok(_) => Err(AppError::Validation(errors)),
        Err(error) if error.inner().classify() != serde_json::error::Category::Data => {
            Err(malformed(error.inner(), bytes))
        }
        Err(error) => {
            let value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|e| malformed(&e, bytes))?;
            // The search reads the parsed value, whose keys are in sorted order; its first failure
            // must come from the same order, or a field that fails earlier in that order would
            // look like the repair of a later one.
            let first = match serde_path_to_error::deserialize::<_, T>(&value) {
                Err(in_value_order) => shape::Failure::new(&in_value_order),
                Ok(_) => shape::Failure::new(&error),
            };
            for found in shape::json_errors::<T>(value, first, shape::budget(bytes.len())) {
                if !errors.iter().any(|e| e.field == found.field) {
                    errors.push(found);
                }
            }
            Err(AppError::Validation(errors))
        }
    }
}

/// The 400 for a body that is not JSON, saying where it breaks (serde's words stay out).
fn malformed(error: &serde_json::Error, bytes: &[u8]) -> AppError {
    use serde_json::error::Category;
    let message = if bytes.iter().all(u8::is_ascii_whitespace) {
        msg!("detail.malformed_json.empty")
    } else if error.classify() == Category::Eof {
        msg!(
            "detail.malformed_json.truncated",
            line = error.line(),
            column = error.column()
        )
    } else {
        msg!(
            "detail.malformed_json.syntax",
            line = error.line(),
            column = error.column()
        )
    };
    AppError::MalformedJson(message)
}

/// The body with every number that is a whole number written as one: `5.0` and `5e0` become `5`.
/// JSON Schema counts `5.0` as an integer, so a client (or a generated one, from a language
/// without integers) may send it for an integer field; serde would refuse it as a float. A
/// number with a fraction, or beyond `i64`, is left as it is. Bodies without `.`, `e` or `E`
/// (most) are passed on untouched, without a parse.
fn integral_numbers(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use serde_json::Value;
    fn rewrite(value: &mut Value) -> bool {
        match value {
            Value::Number(number) if number.is_f64() => match number.as_f64() {
                Some(float) if float.fract() == 0.0 && float.abs() < 9.007_199_254_740_992e15 => {
                    *value = Value::from(float as i64);
                    true
                }
                _ => false,
            },
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| rewrite(v) | changed),
            Value::Object(members) => members
                .values_mut()
                .fold(false, |changed, v| rewrite(v) | changed),
            _ => false,
        }
    }
    if !bytes.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return bytes.into();
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(bytes) else {
        return bytes.into();
    };
    if !rewrite(&mut value) {
        return bytes.into();
    }
    serde_json::to_vec(&value).map_or(bytes.into(), Into::into)
}

/// A cheap first look: a refused character can only arrive escaped (`\u0000`; raw control
/// bytes are a JSON syntax error) or as the UTF-8 of a C1 control (`C2 80`–`C2 9F`) or a bidi
/// control (`E2 80 AA`–`AE`, `E2 81 A6`–`A9`). Most bodies have none, and skip the walk.
fn may_carry_refused_characters(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\\u")
        || bytes
            .windows(2)
            .any(|w| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]))
        || bytes.windows(3).any(|w| {
            w[0] == 0xE2
                && ((w[1] == 0x80 && (0xAA..=0xAE).contains(&w[2]))
                    || (w[1] == 0x81 && (0xA6..=0xA9).contains(&w[2])))
        })
}

/// Collects a field error for every string in `value` (keys included) that carries a refused
/// character. Free text may keep newlines and tabs here; single-line fields refuse those in
/// their own validation (`domain::validation::text`).
fn refused_strings(value: &serde_json::Value, path: &mut String, errors: &mut Vec<FieldError>) {
    use serde_json::Value;
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        Value::String(text) => {
            if let Some(refusal) = crate::domain::text::refusal(text, true) {
                errors.push(FieldError::new(field(path), refusal.message()));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                refused_strings(item, path, errors);
                path.truncate(length);
            }
        }
        Value::Object(members) => {
            for (key, member) in members {
                let length = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if let Some(refusal) = crate::domain::text::refusal(key, false) {
                    errors.push(FieldError::new(field(path), refusal.message()));
                } else {
                    refused_strings(member, path, errors);
                }
                path.truncate(length);
            }
        }
        _ => {}
    }
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

    #[test]
    fn a_whole_number_written_as_a_float_is_an_integer_and_a_fraction_is_not() {
        let intake: Intake =
            parse_json(br#"{"summary": "x.y", "workers": [{"name": "e", "age": 4.0e1}]}"#).unwrap();
        assert_eq!(intake.workers[0].age, 40);
        assert_eq!(intake.summary, "x.y", "strings are untouched");
        let refused = parse_json::<Worker>(br#"{"name": "e", "age": 40.5}"#).unwrap_err();
        assert_eq!(field_of(refused), "age");
    }

    fn field_of(error: AppError) -> String {
        match error {
            AppError::Validation(errors) => errors[0].field.clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_nul_or_bidi_override_anywhere_is_refused_with_its_field() {
        let body = br#"{"summary":"a\u0000b","workers":[{"name":"x","age":1}]}"#;
        assert_eq!(field_of(parse_json::<Intake>(body).unwrap_err()), "summary");
        let body = "{\"summary\":\"s\",\"workers\":[{\"name\":\"\u{202e}gpj\",\"age\":1}]}";
        assert_eq!(
            field_of(parse_json::<Intake>(body.as_bytes()).unwrap_err()),
            "workers[0].name"
        );
        let body = br#"{"summary":"line one\nline two\u00e9","workers":[]}"#;
        assert!(parse_json::<Intake>(body).is_ok());
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

    #[test]
    fn a_malformed_body_is_described_without_serde_s_words() {
        use crate::i18n::Lang;
        let detail = |body: &[u8]| match parse_json::<Intake>(body).unwrap_err() {
            AppError::MalformedJson(message) => message.render(Lang::English),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            detail(b""),
            "the request body is empty; send a JSON document"
        );
        assert!(detail(b"{\"summary\": ").contains("ends too early"));
        let syntax = detail(b"{\"summary\": x}");
        assert!(syntax.contains("line 1, column 13"), "{syntax}");
        assert!(!syntax.contains("expected value"), "{syntax}");
    }

    #[test]
    fn refused_characters_and_shape_errors_are_reported_together() {
        let body = br#"{"summary":"a\u0000b","workers":[{"name":"x"}]}"#;
        match parse_json::<Intake>(body).unwrap_err() {
            AppError::Validation(errors) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["summary", "workers[0].age"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_mistyped_field_sent_before_a_bad_enum_that_sorts_first_is_named_for_its_type() {
        crate::text_enum! {
            pub enum Shade { Light = "light", Dark = "dark" }
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Order {
            zeta_amount: i64,
            alpha_shade: Shade,
        }
        let Err(AppError::Validation(errors)) =
            parse_json::<Order>(br#"{"zeta_amount": 3000.5, "alpha_shade": "grey"}"#)
        else {
            panic!("expected a 422");
        };
        let amount = errors.iter().find(|e| e.field == "zeta_amount").unwrap();
        assert_eq!(
            amount.message.render(crate::i18n::Lang::English),
            "must be a whole number"
        );
        assert!(errors.iter().any(|e| e.field == "alpha_shade"));
    }
}
