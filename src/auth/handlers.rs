//! `/auth/login`, `/auth/refresh`, `/auth/logout`, `/auth/token` and `/me`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{Caller, Principal};
use super::sessions::{self, Refresh};
use super::{clients, password, throttle};
use crate::app::AppState;
use crate::db::write_transaction;
use crate::http::error::{AppError, Problem};
use crate::http::json::{parse_json, JsonBody};
use crate::offices::{self, OfficeView};
use crate::users::{self, Role, UserChanges};

/// `POST /auth/login` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// `POST /auth/refresh` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

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

fn invalid_credentials() -> AppError {
    AppError::Unauthenticated("the email or password is not correct".into())
}

fn locked(remaining: chrono::Duration) -> AppError {
    let minutes = (remaining.num_seconds() + 59) / 60;
    AppError::TooManyRequests {
        code: "account_locked",
        detail: format!(
            "too many failed sign-ins for this email: it is locked for {minutes} more minute(s)"
        ),
        retry_after_seconds: remaining.num_seconds().max(1) as u64,
    }
}

/// Counts a password attempt for `email` before the password is checked (`throttle`): 429 while
/// locked; otherwise whether a failure of this attempt locks the email.
fn reserve_attempt(
    connection: &mut crate::db::DbConnection,
    email: &str,
    now: chrono::NaiveDateTime,
    settings: &crate::config::AuthSettings,
) -> Result<bool, AppError> {
    let attempt = write_transaction(connection, |connection| {
        throttle::reserve_attempt(
            connection,
            email,
            now,
            settings.max_failed_logins,
            settings.lockout,
        )
    })?;
    match attempt {
        throttle::Attempt::Locked(remaining) => Err(locked(remaining)),
        throttle::Attempt::Allowed { locks_on_failure } => Ok(locks_on_failure),
    }
}

fn token_pair(
    state: &AppState,
    subject: &str,
    session: &str,
    refresh: Option<String>,
) -> Result<TokenPair, AppError> {
    Ok(TokenPair {
        access_token: state.tokens.issue(subject, session, state.clock.now())?,
        token_type: "Bearer",
        expires_in: state.tokens.ttl_seconds(),
        refresh_token: refresh,
    })
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
    let LoginRequest { email, password } = body.into_inner()?;
    let email = email.trim().to_lowercase();
    let now = state.clock.now().naive_utc();
    let settings = state.config.auth.clone();
    let signed_in = state
        .db
        .run(move |connection| {
            let locks_on_failure = reserve_attempt(connection, &email, now, &settings)?;
            let user = users::find_by_email(connection, &email)?;
            let hash = user
                .as_ref()
                .map_or(password::dummy_hash(), |u| u.password_hash.as_str());
            let password_matches = password::verify(&password, hash);
            match user {
                Some(user) if password_matches && user.active => {
                    let (session, refresh) = write_transaction(connection, |connection| {
                        throttle::clear(connection, &email)?;
                        sessions::start_for_user(
                            connection,
                            &user.id,
                            now,
                            settings.refresh_token_ttl,
                        )
                    })?;
                    Ok((user.id, session, refresh))
                }
                _ if locks_on_failure => Err(locked(settings.lockout)),
                _ => Err(invalid_credentials()),
            }
        })
        .await?;
    let (user_id, session, refresh) = signed_in;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(token_pair(&state, &user_id, &session, Some(refresh))?))
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
    let presented = body.into_inner()?.refresh_token;
    let now = state.clock.now().naive_utc();
    let ttl = state.config.auth.refresh_token_ttl;
    let outcome = state
        .db
        .run(move |connection| {
            write_transaction(connection, |connection| {
                Ok(sessions::refresh(connection, &presented, now, ttl)?)
            })
        })
        .await?;
    match outcome {
        Refresh::Rotated {
            session_id,
            user_id,
            refresh_token,
        } => Ok(HttpResponse::Ok().json(token_pair(
            &state,
            &user_id,
            &session_id,
            Some(refresh_token),
        )?)),
        Refresh::Reused => Err(AppError::Unauthenticated(
            "this refresh token was already used; the session has been revoked, sign in again"
                .into(),
        )),
        Refresh::Invalid => Err(AppError::Unauthenticated(
            "the refresh token is not valid".into(),
        )),
    }
}

/// Ends the caller's session: its access and refresh tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, description = "Not signed in", body = Problem)))]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let now = state.clock.now().naive_utc();
    state
        .db
        .run(move |connection| {
            Ok(sessions::revoke(
                connection,
                &caller.session_id,
                "logout",
                now,
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The OAuth2 client-credentials request (RFC 6749 §4.4), as a form or as JSON. The client may
/// authenticate in the body or with HTTP Basic.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientCredentialsRequest {
    /// Must be `client_credentials`.
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// Issues an access token to a partner office's own system.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth",
    request_body(content = ClientCredentialsRequest, content_type = "application/x-www-form-urlencoded"),
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
    let form: ClientCredentialsRequest = match content_type.as_str() {
        "application/x-www-form-urlencoded" => serde_urlencoded::from_bytes(&body)
            .map_err(|e| AppError::invalid("body", format!("not a valid token request: {e}")))?,
        "application/json" => parse_json(&body)?,
        _ => {
            return Err(AppError::UnsupportedMediaType {
                expected: "application/x-www-form-urlencoded or application/json",
            })
        }
    };
    if form.grant_type != "client_credentials" {
        return Err(AppError::BadRequest {
            code: "unsupported_grant_type",
            detail: "only grant_type=client_credentials is supported here; people use /auth/login"
                .into(),
        });
    }
    let (client_id, secret) = basic_credentials(&request)
        .or_else(|| form.client_id.zip(form.client_secret))
        .ok_or_else(|| {
            AppError::Unauthenticated("client_id and client_secret are required".into())
        })?;
    let now = state.clock.now().naive_utc();
    let ttl = state.config.auth.access_token_ttl;
    let (client_id, session) = state
        .db
        .run(move |connection| {
            let client =
                clients::authenticate(connection, &client_id, &secret)?.ok_or_else(|| {
                    AppError::Unauthenticated("unknown client or wrong secret".into())
                })?;
            let session = sessions::start_for_client(connection, &client.id, now, ttl)?;
            Ok((client.id, session))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(token_pair(&state, &client_id, &session, None)?))
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

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The user id, or the machine client id.
    pub id: String,
    /// `user` or `client`.
    pub kind: &'static str,
    pub email: Option<String>,
    pub name: String,
    pub role: Role,
    pub office: Option<OfficeView>,
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = Me), (status = 401, description = "Not signed in", body = Problem)))]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let me = state
        .db
        .run(move |connection| {
            let office = match &caller.office_id {
                Some(id) => Some(OfficeView::from(offices::find(connection, id)?)),
                None => None,
            };
            Ok(match &caller.principal {
                Principal::User { id } => {
                    let user = users::find(connection, id)?;
                    Me {
                        id: user.id,
                        kind: "user",
                        email: Some(user.email),
                        name: user.name,
                        role: caller.role,
                        office,
                    }
                }
                Principal::Client { id } => {
                    let name = clients::list_for_office(
                        connection,
                        caller.office_id.as_deref().unwrap_or(""),
                    )?
                    .into_iter()
                    .find(|c| &c.id == id)
                    .map(|c| c.name)
                    .unwrap_or_default();
                    Me {
                        id: id.clone(),
                        kind: "client",
                        email: None,
                        name,
                        role: caller.role,
                        office,
                    }
                }
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

/// `PUT /me/password` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
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
    let user_id = caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden("machine clients have no password".into()))?
        .to_owned();
    let ChangePassword {
        current_password,
        new_password,
    } = body.into_inner()?;
    let now = state.clock.now().naive_utc();
    let settings = state.config.auth.clone();
    state
        .db
        .run(move |connection| {
            let user = users::find(connection, &user_id)?;
            // Guesses of the current password (with a stolen token) count like failed sign-ins.
            let locks_on_failure =
                reserve_attempt(connection, &user.email_normalized, now, &settings)?;
            if !password::verify(&current_password, &user.password_hash) {
                return Err(if locks_on_failure {
                    locked(settings.lockout)
                } else {
                    AppError::invalid("current_password", "is not correct")
                });
            }
            throttle::clear(connection, &user.email_normalized)?;
            password::check_policy(&new_password, Some(&user.email))
                .map_err(|m| AppError::invalid("new_password", m))?;
            if new_password == current_password {
                return Err(AppError::invalid(
                    "new_password",
                    "must differ from the current password",
                ));
            }
            let changes = UserChanges {
                password_hash: Some(password::hash(&new_password)?),
                ..Default::default()
            };
            write_transaction(connection, |connection| {
                users::update(connection, &user.id, user.version, &changes, now)?.ok_or_else(
                    || AppError::Conflict {
                        code: "concurrent_change",
                        detail: "the account changed meanwhile; try again".into(),
                    },
                )?;
                sessions::revoke_for_user(
                    connection,
                    &user.id,
                    Some(&caller.session_id),
                    "password changed",
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
