//! `Query<T>`: the query-string extractor every list uses, in place of actix's `web::Query`.
//!
//! A query that does not fit `T` is a 400 `invalid_query` whose detail names every parameter
//! that does not fit and what it must be (`kind: `temple` is not allowed, must be one of:
//! union, judicial, …`), in the caller's language — never serde's words
//! ("Query deserialize error: unknown variant …").
//!
//! A handler often reads one query string through two extractors (`PageQuery` and its
//! filter). actix builds every extractor of a handler before it awaits the first, so each
//! `Query` records the parameters it refuses on the request as it is built, and the first to
//! fail, once awaited, answers with all of them.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};
use crate::http::shape;
use crate::i18n::Clauses;
use crate::msg;

/// The query string of a request, read as `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The parameters refused so far by the `Query` extractors of a request.
#[derive(Clone, Default)]
struct Refused(Vec<FieldError>);

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = shape::parse_pairs::<T>(request.query_string().as_bytes(), "query");
        if let Err(errors) = &parsed {
            let mut extensions = request.extensions_mut();
            if extensions.get::<Refused>().is_none() {
                extensions.insert(Refused::default());
            }
            if let Some(refused) = extensions.get_mut::<Refused>() {
                for error in errors {
                    if !refused.0.iter().any(|e| e.field == error.field) {
                        refused.0.push(error.clone());
                    }
                }
            }
        }
        let request = request.clone();
        Box::pin(async move {
            match parsed {
                Ok(value) => Ok(Query(value)),
                Err(errors) => {
                    let all = request.extensions().get::<Refused>().cloned();
                    Err(invalid_query(all.map_or(errors, |refused| refused.0)))
                }
            }
        })
    }
}

/// Parses a query string as `T`, or the 400 naming every parameter that does not fit.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    shape::parse_pairs(query.as_bytes(), "query").map_err(invalid_query)
}

/// The 400 `invalid_query` listing `errors` by parameter.
pub fn invalid_query(errors: Vec<FieldError>) -> AppError {
    AppError::BadRequest {
        code: "invalid_query",
        detail: msg!(
            "detail.invalid_query",
            parameters = Clauses(
                errors
                    .into_iter()
                    .map(|e| msg!(
                        "problem.parameter_item",
                        name = e.field,
                        message = e.message
                    ))
                    .collect()
            )
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Filter {
        active: Option<bool>,
        limit: Option<i64>,
    }

    #[test]
    fn every_bad_parameter_is_named_in_one_detail() {
        let error = parse_query::<Filter>("active=maybe&limit=ten").unwrap_err();
        assert_eq!(error.code(), "invalid_query");
        let english = error.detail().render(Lang::English);
        assert!(
            english.contains("`active` must be true or false"),
            "{english}"
        );
        assert!(
            english.contains("`limit` must be a whole number"),
            "{english}"
        );
        assert!(!english.contains("invalid digit"), "{english}");
        let chinese = error.detail().render(Lang::Zh);
        assert!(
            chinese.contains("`active`") && chinese.contains("`limit`"),
            "{chinese}"
        );
        assert!(parse_query::<Filter>("active=true&limit=5&other=1").is_ok());
    }
}
