//! Signing in and out, and the caller's own account, as functions any front door calls: the
//! REST handlers answer with a JSON token pair, and the web console will set a cookie from the
//! same [`SessionTokens`]. Each takes plain values (its input, the clock's `now`, the
//! [`AuthSettings`] and the [`TokenSigner`] it needs), owns its transactions and returns plain
//! values; HTTP (content types, HTTP Basic, headers, the JSON shape of a token pair) stays in
//! `auth::handlers`. How sign-in, sessions, passwords and the lockout behave: docs/security.md.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::{Caller, Principal};
use super::sessions::{self, Refresh};
use super::tokens::TokenSigner;
use super::{clients, password, throttle};
use crate::config::AuthSettings;
use crate::db::{write_transaction, DbConnection};
use crate::error::AppError;
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

/// The only OAuth 2 grant type the token endpoint serves (RFC 6749 §4.4).
pub const CLIENT_CREDENTIALS: &str = "client_credentials";

/// The OAuth2 client-credentials request (RFC 6749 §4.4), as a form or as JSON. The client may
/// authenticate in the body or with HTTP Basic.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientCredentialsRequest {
    /// Must be `client_credentials`.
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// `PUT /me/password` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// A session just started or renewed, with its tokens: what each front door hands over its own
/// way (the API as a JSON token pair, a console as cookies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTokens {
    /// The user id, or the machine client id.
    pub subject: String,
    pub session_id: String,
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Works once, to renew the session; `None` for machine clients, whose session ends with
    /// its one access token.
    pub refresh_token: Option<String>,
}

fn session_tokens(
    signer: &TokenSigner,
    subject: String,
    session_id: String,
    refresh_token: Option<String>,
    now: DateTime<Utc>,
) -> Result<SessionTokens, AppError> {
    Ok(SessionTokens {
        access_token: signer.issue(&subject, &session_id, now)?,
        expires_in: signer.ttl_seconds(),
        subject,
        session_id,
        refresh_token,
    })
}

fn invalid_credentials() -> AppError {
    AppError::Unauthenticated(crate::msg!("detail.unauthenticated.credentials"))
}

fn locked(remaining: chrono::Duration) -> AppError {
    let minutes = (remaining.num_seconds() + 59) / 60;
    AppError::TooManyRequests {
        code: "account_locked",
        detail: crate::msg!("detail.account_locked", minutes = minutes),
        retry_after_seconds: remaining.num_seconds().max(1) as u64,
    }
}

/// Counts a password attempt for `email` before the password is checked, in a transaction of
/// its own that commits before the (slow) check — so a burst of guesses cannot all pass the
/// "is it locked?" test before any is counted (`throttle`). 429 while locked; otherwise whether
/// a failure of this attempt locks the email.
fn reserve_attempt(
    connection: &mut DbConnection,
    email: &str,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let attempt = write_transaction(connection, |connection| {
        throttle::reserve_attempt(
            connection,
            email,
            now.naive_utc(),
            settings.max_failed_logins,
            settings.lockout,
        )
    })?;
    match attempt {
        throttle::Attempt::Locked(remaining) => Err(locked(remaining)),
        throttle::Attempt::Allowed { locks_on_failure } => Ok(locks_on_failure),
    }
}

/// Signs a person in with email and password and starts their session.
///
/// Unknown emails are checked against a dummy hash and counted like wrong passwords, and a
/// deactivated user's right password gets the same 401, so neither answers nor timing tell
/// which emails have accounts.
pub fn sign_in(
    connection: &mut DbConnection,
    signer: &TokenSigner,
    settings: &AuthSettings,
    input: LoginRequest,
    now: DateTime<Utc>,
) -> Result<SessionTokens, AppError> {
    let LoginRequest { email, password } = input;
    let email = email.trim().to_lowercase();
    let locks_on_failure = reserve_attempt(connection, &email, settings, now)?;
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
                    now.naive_utc(),
                    settings.refresh_token_ttl,
                )
            })?;
            session_tokens(signer, user.id.into(), session, Some(refresh), now)
        }
        _ if locks_on_failure => Err(locked(settings.lockout)),
        _ => Err(invalid_credentials()),
    }
}

/// Exchanges a refresh token for new tokens of the same session. Each refresh token works once;
/// presenting a spent one again revokes the whole session, and that revocation is committed
/// although the answer is 401.
pub fn refresh_session(
    connection: &mut DbConnection,
    signer: &TokenSigner,
    settings: &AuthSettings,
    input: RefreshRequest,
    now: DateTime<Utc>,
) -> Result<SessionTokens, AppError> {
    let outcome = write_transaction(connection, |connection| {
        sessions::refresh(
            connection,
            &input.refresh_token,
            now.naive_utc(),
            settings.refresh_token_ttl,
        )
    })?;
    match outcome {
        Refresh::Rotated {
            session_id,
            user_id,
            refresh_token,
        } => session_tokens(signer, user_id, session_id, Some(refresh_token), now),
        Refresh::Reused => Err(AppError::Unauthenticated(crate::msg!(
            "detail.unauthenticated.refresh_reused"
        ))),
        Refresh::Invalid => Err(AppError::Unauthenticated(crate::msg!(
            "detail.unauthenticated.refresh_invalid"
        ))),
    }
}

/// Ends the caller's session: its access and refresh tokens stop working at once, on every
/// node (`sessions::revoke` announces it); their other sessions go on.
pub fn sign_out(
    connection: &mut DbConnection,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sessions::revoke(connection, &caller.session_id, "logout", now.naive_utc())?;
    Ok(())
}

/// Signs a partner office's own system in with client credentials and starts a session that
/// lives as long as its one access token. `basic` holds the credentials of HTTP Basic, which
/// take precedence over those in the request body.
pub fn sign_in_client(
    connection: &mut DbConnection,
    signer: &TokenSigner,
    settings: &AuthSettings,
    request: ClientCredentialsRequest,
    basic: Option<(String, String)>,
    now: DateTime<Utc>,
) -> Result<SessionTokens, AppError> {
    if request.grant_type != CLIENT_CREDENTIALS {
        return Err(AppError::BadRequest {
            code: "unsupported_grant_type",
            detail: crate::msg!("detail.unsupported_grant_type"),
        });
    }
    let (client_id, secret) = basic
        .or_else(|| request.client_id.zip(request.client_secret))
        .ok_or_else(|| {
            AppError::Unauthenticated(crate::msg!("detail.unauthenticated.client_missing"))
        })?;
    let client = clients::authenticate(connection, &client_id, &secret)?.ok_or_else(|| {
        AppError::Unauthenticated(crate::msg!("detail.unauthenticated.client_wrong"))
    })?;
    let session = sessions::start_for_client(
        connection,
        &client.id,
        now.naive_utc(),
        settings.access_token_ttl,
    )?;
    session_tokens(signer, client.id, session, None, now)
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

/// The caller as `GET /me` shows them: a person with their email, or a machine client with the
/// name its admin gave it; with the role and office the session check found.
pub fn who_am_i(connection: &mut DbConnection, caller: &Caller) -> Result<Me, AppError> {
    let office = match &caller.office_id {
        Some(id) => Some(OfficeView::from(offices::find(connection, id)?)),
        None => None,
    };
    Ok(match &caller.principal {
        Principal::User { id } => {
            let user = users::find(connection, id)?;
            Me {
                id: user.id.into(),
                kind: "user",
                email: Some(user.email),
                name: user.name,
                role: caller.role,
                office,
            }
        }
        Principal::Client { id } => {
            let name =
                clients::list_for_office(connection, caller.office_id.as_deref().unwrap_or(""))?
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
}

/// The user whose password the caller may change: their own; machine clients have none (403).
/// A front door checks this before it reads the request body.
pub fn password_owner(caller: &Caller) -> Result<&str, AppError> {
    caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden(crate::msg!("detail.forbidden.client_password")))
}

/// Changes the caller's password. Guesses of the current one (with a stolen token) are counted
/// like failed sign-ins; the change and the end of every *other* session of theirs commit
/// together.
pub fn change_password(
    connection: &mut DbConnection,
    caller: &Caller,
    settings: &AuthSettings,
    input: ChangePassword,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let user_id = password_owner(caller)?;
    let ChangePassword {
        current_password,
        new_password,
    } = input;
    let user = users::find(connection, &user_id.into())?;
    let locks_on_failure = reserve_attempt(connection, &user.email_normalized, settings, now)?;
    if !password::verify(&current_password, &user.password_hash) {
        return Err(if locks_on_failure {
            locked(settings.lockout)
        } else {
            AppError::invalid("current_password", crate::msg!("field.password.wrong"))
        });
    }
    throttle::clear(connection, &user.email_normalized)?;
    password::check_policy(&new_password, Some(&user.email))
        .map_err(|m| AppError::invalid("new_password", m))?;
    if new_password == current_password {
        return Err(AppError::invalid(
            "new_password",
            crate::msg!("field.password.unchanged"),
        ));
    }
    let changes = UserChanges {
        password_hash: Some(password::hash(&new_password)?),
        ..Default::default()
    };
    let now = now.naive_utc();
    write_transaction(connection, |connection| {
        users::update(connection, &user.id, user.version, &changes, now)?.ok_or_else(|| {
            AppError::Conflict {
                code: "concurrent_change",
                detail: crate::msg!("detail.concurrent_change"),
            }
        })?;
        sessions::revoke_for_user(
            connection,
            &user.id,
            Some(&caller.session_id),
            "password changed",
            now,
        )?;
        Ok(())
    })
}
