//! The language of the request being served, from its `Accept-Language` (Chinese by default),
//! readable anywhere in the request's task — so that a problem document is written in it,
//! wherever the error arose.

use actix_web::http::header::{HeaderMap, ACCEPT_LANGUAGE};

use crate::i18n::Lang;

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the request served on this task; the default (Chinese) outside a request.
pub fn current() -> Lang {
    CURRENT.try_with(|lang| *lang).unwrap_or_default()
}

/// The language `headers` ask for.
pub fn of(headers: &HeaderMap) -> Lang {
    // Several Accept-Language lines are one list (RFC 9110 §5.3).
    let values: Vec<&str> = headers
        .get_all(ACCEPT_LANGUAGE)
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        Lang::default()
    } else {
        Lang::negotiate(Some(&values.join(",")))
    }
}

/// Runs `future` with `lang` as the current language.
pub async fn scope<F: std::future::Future>(lang: Lang, future: F) -> F::Output {
    CURRENT.scope(lang, future).await
}

/// Runs `f` synchronously with `lang` as the current language.
pub fn scope_sync<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(lang, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    #[test]
    fn the_language_is_read_from_every_accept_language_line() {
        let mut headers = HeaderMap::new();
        assert_eq!(of(&headers), Lang::Zh);
        headers.append(ACCEPT_LANGUAGE, HeaderValue::from_static("fr"));
        headers.append(ACCEPT_LANGUAGE, HeaderValue::from_static("en-US;q=0.7"));
        assert_eq!(of(&headers), Lang::English);
        assert_eq!(current(), Lang::Zh, "outside a request");
        assert_eq!(scope_sync(Lang::English, current), Lang::English);
    }
}
