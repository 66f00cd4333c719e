//! Signing in and out of the console, and the extractor that makes a handler's signature say
//! "a signed-in person": [`ConsoleUser`].
//!
//! Signing in calls `auth::sign_in`, the use case behind `POST /auth/login`, so the console
//! session is an ordinary session row: the same lockout counts the attempts, and logout,
//! deactivation and a password change end it at once ([`crate::auth::browser_session`]). The
//! browser holds it in a cookie that scripts cannot read (`HttpOnly`), that no other site's page
//! sends (`SameSite=Strict`), `Secure` over HTTPS; every form also carries the session's form
//! token, checked before anything is done ([`checked_form`]). The sign-in form, which has no
//! session yet, is protected by a random token in a cookie of its own that the form repeats.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use futures_util::future::LocalBoxFuture;

use super::layout::{self, failure, page, see_other, Chrome, ConsoleUser};
use crate::app::AppState;
use crate::auth::browser_session;
use crate::auth::tokens::random_token;
use crate::auth::use_cases::LoginRequest;
use crate::error::AppError;
use crate::http::client::served_over_https;
use crate::http::language;
use crate::i18n::{Lang, Message};
use crate::pages::forms::Values;
use crate::pages::layout::texts;

/// The cookie holding the sealed session id.
pub const SESSION_COOKIE: &str = "mt_console";
/// The cookie holding the sign-in form's token, before there is a session.
pub const SIGN_IN_COOKIE: &str = "mt_sign_in";
/// The name of the form token's field in every console form.
pub const CSRF_FIELD: &str = "csrf";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, on `path`, for `max_age` seconds (0
/// removes it), `Secure` when the browser came over HTTPS.
fn set_cookie(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

fn https(state: &AppState, request: &HttpRequest) -> bool {
    state.config.public.base_url.starts_with("https://")
        || served_over_https(request, &state.config.public.trusted_proxies)
}

/// Why a console request got no [`ConsoleUser`].
#[derive(Debug)]
pub enum Rejected {
    /// No session, or one that has ended: sign in, then come back to `next`.
    SignIn { next: String },
    /// The session could not be checked (the database is down, a bug): the status and what to
    /// say, the cause already logged.
    Failed(StatusCode, Message),
}

impl Rejected {
    fn failed(error: AppError) -> Self {
        layout::log(&error);
        Self::Failed(error.status_code(), error.detail())
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn { .. } => f.write_str("sign in to the console"),
            Self::Failed(status, _) => write!(f, "console session check failed: {status}"),
        }
    }
}

impl ResponseError for Rejected {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::Failed(status, _) => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn { next } => {
                let query: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", next)
                    .finish();
                see_other(&format!("/console/login?{query}"))
            }
            Self::Failed(status, detail) => {
                layout::status_page(language::current(), None, *status, detail)
            }
        }
    }
}

/// Where a signed-out visitor of `request` is sent back to after signing in: the console page
/// they asked for (a GET), else the console's start.
fn next_of(request: &HttpRequest) -> String {
    if request.method() == actix_web::http::Method::GET {
        request.uri().to_string()
    } else {
        "/console".to_owned()
    }
}

/// Only a console path of this origin may be a `next`: anything else (`//evil.example`,
/// `https://…`, a path outside the console) lands on the console's start.
pub fn safe_next(next: &str) -> &str {
    let inside =
        next == "/console" || next.starts_with("/console/") || next.starts_with("/console?");
    if inside && !next.contains("//") && !next.contains('\\') {
        next
    } else {
        "/console"
    }
}

impl FromRequest for ConsoleUser {
    type Error = Rejected;
    type Future = LocalBoxFuture<'static, Result<Self, Rejected>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let sign_in = || Rejected::SignIn {
                next: next_of(&request),
            };
            let state = request
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| Rejected::failed(AppError::Internal(anyhow::anyhow!("no state"))))?;
            let session_id = cookie(&request, SESSION_COOKIE)
                .and_then(|value| state.browser_sessions.open(&value))
                .ok_or_else(sign_in)?;
            let now = state.clock.now();
            let csrf = state.browser_sessions.csrf_token(&session_id);
            let found = state
                .db
                .run(move |connection| browser_session::confirm(connection, &session_id, now))
                .await;
            match found {
                Ok((caller, name)) => Ok(ConsoleUser { caller, name, csrf }),
                Err(AppError::Unauthenticated(_)) => Err(sign_in()),
                Err(error) => Err(Rejected::failed(error)),
            }
        })
    }
}

/// The fields of a posted console form, once its form token is checked: a form without the
/// session's token (another site's page posting into the console) is refused with 403 and
/// does nothing.
pub fn checked_form(state: &AppState, user: &ConsoleUser, body: &[u8]) -> Result<Values, AppError> {
    let values = Values::read(body);
    if state
        .browser_sessions
        .csrf_matches(&user.caller.session_id, values.get(CSRF_FIELD))
    {
        Ok(values)
    } else {
        Err(AppError::Forbidden(crate::msg!("console.csrf_refused")))
    }
}

/// The answer to a posted console form: `work` with its fields once [`checked_form`] has
/// passed them, else the failure page (403). Every form handler goes through here, so none can
/// act before the token is checked or answer a refusal differently.
pub async fn posted(
    state: &AppState,
    user: &ConsoleUser,
    body: &[u8],
    work: impl AsyncFnOnce(Values) -> HttpResponse,
) -> HttpResponse {
    match checked_form(state, user, body) {
        Ok(values) => work(values).await,
        Err(refused) => failure(lang(), Some(user), refused),
    }
}

texts! {
    /// The words of the sign-in page.
    SignInTexts {
        title = "console.sign_in.title",
        intro = "console.sign_in.intro",
        email = "console.sign_in.email",
        password = "console.sign_in.password",
        submit = "console.sign_in.submit",
    }
}

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    title: String,
    t: SignInTexts,
    email: String,
    next: String,
    token: String,
    error: Option<String>,
}

fn sign_in_page(
    state: &AppState,
    request: &HttpRequest,
    status: StatusCode,
    values: &Values,
    error: Option<&AppError>,
) -> HttpResponse {
    let lang = language::current();
    let token = random_token("");
    let t = SignInTexts::new(lang);
    let view = SignInPage {
        chrome: Chrome::signed_out(lang),
        title: t.title.clone(),
        t,
        email: values.get("email").to_owned(),
        next: safe_next(values.get("next")).to_owned(),
        token: token.clone(),
        error: error.map(|e| e.detail().render(lang)),
    };
    let mut response = page(status, lang, view.render().map_err(layout::rendering));
    let cookie = set_cookie(
        SIGN_IN_COOKIE,
        &token,
        "/console/login",
        3600,
        https(state, request),
    );
    if let Ok(value) = header::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    if let Some(AppError::TooManyRequests {
        retry_after_seconds,
        ..
    }) = error
    {
        if let Ok(value) = header::HeaderValue::from_str(&retry_after_seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

/// `GET /console/login`: the sign-in form.
pub async fn sign_in_form(state: web::Data<AppState>, request: HttpRequest) -> HttpResponse {
    let values = Values::read(request.query_string().as_bytes());
    sign_in_page(&state, &request, StatusCode::OK, &values, None)
}

/// `POST /console/login`: signs in with `auth::sign_in` and sets the session cookie; the form
/// again on a wrong password (401) or a locked account (429).
pub async fn sign_in(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let values = Values::read(&body);
    let expected = cookie(&request, SIGN_IN_COOKIE).unwrap_or_default();
    if expected.is_empty() || values.get("token") != expected {
        let refused = AppError::Forbidden(crate::msg!("console.csrf_refused"));
        return sign_in_page(
            &state,
            &request,
            StatusCode::FORBIDDEN,
            &values,
            Some(&refused),
        );
    }
    let input = LoginRequest {
        email: values.get("email").to_owned(),
        password: values.get("password").to_owned(),
    };
    let (app, now) = (state.clone(), state.clock.now());
    let previous = cookie(&request, SESSION_COOKIE);
    let signed_in = state
        .db
        .run(move |c| {
            let tokens = crate::auth::sign_in(c, &app.tokens, &app.config.auth, input, now)?;
            browser_session::end_previous(c, previous.as_deref(), &app.browser_sessions, now)?;
            Ok(tokens)
        })
        .await;
    match signed_in {
        Ok(tokens) => {
            let secure = https(&state, &request);
            let sealed = state.browser_sessions.seal(&tokens.session_id);
            let max_age = state.config.auth.refresh_token_ttl.num_seconds();
            let mut response = see_other(safe_next(values.get("next")));
            for cookie in [
                set_cookie(SESSION_COOKIE, &sealed, "/console", max_age, secure),
                set_cookie(SIGN_IN_COOKIE, "", "/console/login", 0, secure),
            ] {
                if let Ok(value) = header::HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Err(error) => {
            layout::log(&error);
            let status = error.status_code();
            sign_in_page(&state, &request, status, &values, Some(&error))
        }
    }
}

/// `POST /console/logout`: ends the session (the same row `POST /auth/logout` revokes) and
/// removes the cookie.
pub async fn sign_out(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: ConsoleUser,
    body: web::Bytes,
) -> HttpResponse {
    posted(&state, &user, &body, async |_| {
        let (caller, now) = (user.caller.clone(), state.clock.now());
        if let Err(error) = state
            .db
            .run(move |c| crate::auth::sign_out(c, &caller, now))
            .await
        {
            return failure(lang(), Some(&user), error);
        }
        let mut response = see_other("/console/login");
        let cookie = set_cookie(SESSION_COOKIE, "", "/console", 0, https(&state, &request));
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    })
    .await
}

/// The language of a page, for handlers that have no other reason to read it.
pub fn lang() -> Lang {
    language::current()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_paths_of_this_origin_are_followed_after_signing_in() {
        assert_eq!(safe_next("/console/cases/1"), "/console/cases/1");
        assert_eq!(safe_next("/console?page=2"), "/console?page=2");
        assert_eq!(safe_next("//evil.example/console"), "/console");
        assert_eq!(safe_next("https://evil.example/"), "/console");
        assert_eq!(safe_next("/console//evil.example"), "/console");
        assert_eq!(safe_next("/api/v1/cases"), "/console");
        assert_eq!(safe_next("/consolex"), "/console");
        assert_eq!(safe_next(""), "/console");
    }

    #[test]
    fn session_cookies_cannot_be_read_by_scripts_or_sent_by_other_sites() {
        let cookie = set_cookie("mt_console", "v", "/console", 60, true);
        assert_eq!(
            cookie,
            "mt_console=v; Path=/console; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(!set_cookie("a", "b", "/", 0, false).contains("Secure"));
    }
}
