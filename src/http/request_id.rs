//! Request ids: taken from a sane incoming `x-request-id` (so a partner system can correlate)
//! or generated, echoed in the response header, attached to every log line through the request
//! span, and readable anywhere in the request's task — so a problem document can carry it.

use actix_web::http::header::HeaderValue;

/// The response (and accepted request) header carrying the id.
pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being served on this task, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Runs `future` with `id` as the current request id.
pub async fn scope<F: std::future::Future>(id: String, future: F) -> F::Output {
    CURRENT.scope(id, future).await
}

/// Runs `f` synchronously with `id` as the current request id.
pub fn scope_sync<R>(id: &str, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(id.to_owned(), f)
}

/// Accepts a caller's id only when it is short and made of safe characters; otherwise makes one.
pub fn from_header(value: Option<&HeaderValue>) -> String {
    value
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_safe_incoming_id_is_kept_and_an_unsafe_one_replaced() {
        let kept = from_header(Some(&HeaderValue::from_static("partner-42.abc")));
        assert_eq!(kept, "partner-42.abc");
        let replaced = from_header(Some(&HeaderValue::from_static("bad id\twith tabs")));
        assert_eq!(replaced.len(), 32);
        assert_eq!(from_header(None).len(), 32);
    }
}
