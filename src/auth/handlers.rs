//! `/auth/login`, `/auth/refresh`, `/auth/logout`, `/auth/token` and `/me`: the HTTP side of
//! `auth::use_cases` — reading the request (content types, HTTP Basic) and answering tokens as
//! JSON.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::Caller;
use super::use_cases::{
    ChangePassword, ClientCredentialsRequest, LoginRequest, Me, RefreshRequest, SessionTokens,
};
use crate::app::AppState;
use crate::auth;
use crate::http::error::{AppError, Problem};
use crate::http::json::{parse_json, JsonBody};

/// A signed-in session's tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque; works once, for `POST /auth/refresh`. Absent for machine clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl From<SessionTokens> for TokenPair {
    fn from(tokens: SessionTokens) -> Self {
        Self {
            access_token: tokens.access_token,
            token_type: "Bearer",
            expires_in: tokens.expires_in,
            refresh_token: tokens.refresh_token,
        }
    }
}

/// Signs in with email and password.
///
/// Unknown emails cost the same time as wrong passwords, and lock out the same way, so neither
/// answers nor timing tell which emails have accounts.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "Wrong email or password", body = Problem),
        (status = 429, description = "Locked after too many failures", body = Problem),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let app = state.clone();
    let tokens = state
        .db
        .run(move |connection| auth::sign_in(connection, &app.tokens, &app.config.auth, input, now))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(TokenPair::from(tokens)))
}

/// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a used
/// one again revokes the whole session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenPair),
        (status = 401, description = "Invalid, expired or reused refresh token", body = Problem),
    ))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner()?;
    let now = state.clock.now();
    let app = state.clone();
    let tokens = state
        .db
        .run(move |connection| {
            auth::refresh_session(connection, &app.tokens, &app.config.auth, input, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TokenPair::from(tokens)))
}

/// Ends the caller's session: its access and refresh tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, description = "Not signed in", body = Problem)))]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    state
        .db
        .run(move |connection| auth::sign_out(connection, &caller, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Issues an access token to a partner office's own system.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth",
    request_body(content(
        (ClientCredentialsRequest = "application/x-www-form-urlencoded"),
        (ClientCredentialsRequest = "application/json"),
    )),
    responses(
        (status = 200, description = "An access token", body = TokenPair),
        (status = 400, description = "Unsupported grant type", body = Problem),
        (status = 401, description = "Unknown or revoked client, or wrong secret", body = Problem),
    ))]
pub async fn client_token(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = token_request(&request, &body)?;
    let basic = basic_credentials(&request);
    let now = state.clock.now();
    let app = state.clone();
    let tokens = state
        .db
        .run(move |connection| {
            let settings = &app.config.auth;
            auth::sign_in_client(connection, &app.tokens, settings, form, basic, now)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(TokenPair::from(tokens)))
}

/// The token request as the RFC's form or as JSON; any other content type is 415.
fn token_request(request: &HttpRequest, body: &[u8]) -> Result<ClientCredentialsRequest, AppError> {
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match content_type.as_str() {
        "application/x-www-form-urlencoded" => {
            crate::http::shape::parse_pairs(body, "body").map_err(AppError::Validation)
        }
        "application/json" => parse_json(&known_members(body)),
        _ => Err(AppError::UnsupportedMediaType(crate::msg!(
            "detail.unsupported_media_type.token_request"
        ))),
    }
}

/// The members of a JSON token request this server reads. RFC 6749 §3.2: "The authorization
/// server MUST ignore unrecognized request parameters", so an extension's member is neither
/// screened nor refused, whatever it carries. A body that is not a JSON object is passed on
/// whole, for `parse_json` to explain.
fn known_members(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    const KNOWN: [&str; 3] = ["grant_type", "client_id", "client_secret"];
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body) {
        Ok(mut members) => {
            members.retain(|name, _| KNOWN.contains(&name.as_str()));
            serde_json::to_vec(&members).map_or(body.into(), Into::into)
        }
        Err(_) => body.into(),
    }
}

fn basic_credentials(request: &HttpRequest) -> Option<(String, String)> {
    use base64::Engine;
    let value = request.headers().get("authorization")?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (id, secret) = String::from_utf8(decoded)
        .ok()?
        .split_once(':')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))?;
    Some((id, secret))
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = Me), (status = 401, description = "Not signed in", body = Problem)))]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let me = state
        .db
        .run(move |connection| auth::who_am_i(connection, &caller))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

/// Changes the caller's password; every other session of theirs ends.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "Machine clients have no password", body = Problem),
        (status = 422, description = "Wrong current password, or a weak new one", body = Problem),
    ))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ChangePassword>,
) -> Result<HttpResponse, AppError> {
    // Machine clients are refused (403) before their body is read.
    auth::password_owner(&caller)?;
    let input = body.into_inner()?;
    let now = state.clock.now();
    let settings = state.config.auth.clone();
    state
        .db
        .run(move |connection| auth::change_password(connection, &caller, &settings, input, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
