//! Sessions: one row per sign-in (or per machine-client token). Access tokens name their
//! session, and a request is let in only while that session is live — so logout, deactivation
//! and client revocation work at once, not when a token happens to expire.
//!
//! Refresh tokens rotate on every use; the spent one is remembered, and presenting a spent
//! token again (a sign that it was stolen) revokes the whole session.
//!
//! Requests read live sessions through `auth::session_cache`; so every function here that ends
//! a session, and [`user_changed`], announces the change in the same transaction
//! ([`session_cache::announce`]), which evicts it at once on this node and on the others.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::session_cache::{self, Target};
use super::tokens::{random_token, token_hash};
use crate::db::DbConnection;
use crate::domain::new_id;
use crate::offices::OfficeKind;
use crate::schema::{office_clients, offices, sessions, spent_refresh_tokens, users};
use crate::users::Role;

/// Starts a user's session; returns its id and its first refresh token.
pub fn start_for_user(
    connection: &mut DbConnection,
    user_id: &str,
    now: NaiveDateTime,
    refresh_ttl: chrono::Duration,
) -> QueryResult<(String, String)> {
    let id = new_id();
    let refresh_token = random_token("mtr_");
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&id),
            sessions::user_id.eq(user_id),
            sessions::refresh_token_hash.eq(token_hash(&refresh_token)),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + refresh_ttl),
        ))
        .execute(connection)?;
    Ok((id, refresh_token))
}

/// Starts a machine client's session, which lives exactly as long as its one access token.
pub fn start_for_client(
    connection: &mut DbConnection,
    client_id: &str,
    now: NaiveDateTime,
    access_ttl: chrono::Duration,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&id),
            sessions::client_id.eq(client_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + access_ttl),
        ))
        .execute(connection)?;
    Ok(id)
}

/// What presenting a refresh token led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Refresh {
    /// A new refresh token replaced the presented one.
    Rotated {
        session_id: String,
        user_id: String,
        refresh_token: String,
    },
    /// The token had already been used: the session is now revoked.
    Reused,
    /// Unknown, expired, or of a revoked session.
    Invalid,
}

/// Rotates `presented`; call inside a write transaction and commit even on `Reused`, so the
/// revocation sticks.
pub fn refresh(
    connection: &mut DbConnection,
    presented: &str,
    now: NaiveDateTime,
    refresh_ttl: chrono::Duration,
) -> QueryResult<Refresh> {
    let hash = token_hash(presented);
    let current: Option<(String, Option<String>, NaiveDateTime, Option<NaiveDateTime>)> =
        sessions::table
            .filter(sessions::refresh_token_hash.eq(&hash))
            .select((
                sessions::id,
                sessions::user_id,
                sessions::expires_at,
                sessions::revoked_at,
            ))
            .first(connection)
            .optional()?;
    let Some((session_id, user_id, expires_at, revoked_at)) = current else {
        let spent_in: Option<String> = spent_refresh_tokens::table
            .find(&hash)
            .select(spent_refresh_tokens::session_id)
            .first(connection)
            .optional()?;
        return match spent_in {
            Some(session_id) => {
                revoke(connection, &session_id, "refresh token reused", now)?;
                Ok(Refresh::Reused)
            }
            None => Ok(Refresh::Invalid),
        };
    };
    let Some(user_id) = user_id else {
        return Ok(Refresh::Invalid);
    };
    if revoked_at.is_some() || expires_at <= now {
        return Ok(Refresh::Invalid);
    }
    let refresh_token = random_token("mtr_");
    let rotated = diesel::update(
        sessions::table
            .find(&session_id)
            .filter(sessions::refresh_token_hash.eq(&hash)),
    )
    .set((
        sessions::refresh_token_hash.eq(token_hash(&refresh_token)),
        sessions::expires_at.eq(now + refresh_ttl),
    ))
    .execute(connection)?;
    if rotated == 0 {
        return Ok(Refresh::Invalid);
    }
    diesel::insert_into(spent_refresh_tokens::table)
        .values((
            spent_refresh_tokens::token_hash.eq(&hash),
            spent_refresh_tokens::session_id.eq(&session_id),
            spent_refresh_tokens::spent_at.eq(now),
        ))
        .execute(connection)?;
    Ok(Refresh::Rotated {
        session_id,
        user_id,
        refresh_token,
    })
}

/// Ends one session. Runs in a transaction of its own (a savepoint inside the caller's), so
/// the revocation and its announcement commit together.
pub fn revoke(
    connection: &mut DbConnection,
    session_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    connection.transaction(|connection| {
        let revoked = diesel::update(
            sessions::table
                .find(session_id)
                .filter(sessions::revoked_at.is_null()),
        )
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(connection)?;
        session_cache::announce(connection, Target::Session(session_id.to_owned()), now)?;
        Ok(revoked)
    })
}

/// Ends every session of a user, except `keep` (the caller's own, on a password change).
/// Call inside the transaction that makes the change.
pub fn revoke_for_user(
    connection: &mut DbConnection,
    user_id: &str,
    keep: Option<&str>,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut query = diesel::update(sessions::table)
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .into_boxed();
    if let Some(keep) = keep {
        query = query.filter(sessions::id.ne(keep));
    }
    let revoked = query
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(connection)?;
    // The kept session is evicted too; its next request reads it again.
    session_cache::announce(connection, Target::User(user_id.to_owned()), now)?;
    Ok(revoked)
}

/// Records that a user's role, office, name or active flag changed, so that every node reads
/// their sessions again; call inside the transaction that makes the change.
pub fn user_changed(
    connection: &mut DbConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    session_cache::announce(connection, Target::User(user_id.to_owned()), now)
}

/// Ends every session of a machine client. Call inside the transaction that revokes it.
pub fn revoke_for_client(
    connection: &mut DbConnection,
    client_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let revoked = diesel::update(sessions::table)
        .filter(sessions::client_id.eq(client_id))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq("client revoked"),
        ))
        .execute(connection)?;
    session_cache::announce(connection, Target::Client(client_id.to_owned()), now)?;
    Ok(revoked)
}

/// Who stands behind a live session, read in one query with their office.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub session_id: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub office_id: Option<String>,
    pub office_kind: Option<OfficeKind>,
    pub client_revoked_at: Option<NaiveDateTime>,
    /// The user's name, for front doors that greet the person (the console's title bar).
    pub user_name: Option<String>,
    /// When the session ends unless refreshed (a cached copy is not used past it).
    pub expires_at: NaiveDateTime,
}

type LiveRow = (
    String,
    Option<String>,
    Option<String>,
    Option<Role>,
    Option<bool>,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
    Option<OfficeKind>,
    Option<OfficeKind>,
    Option<String>,
    NaiveDateTime,
);

/// The session `session_id` if it is live (not revoked, not expired, its user active or its
/// client not revoked).
///
/// Requests read it through `auth::session_cache`, which runs this on a miss. It is written with
/// the query builder rather than as SQL text: diesel then keeps it as a prepared statement per
/// connection, and the database parses and plans it once, not on every read.
pub fn live(
    connection: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<LiveSession>> {
    let row: Option<LiveRow> = sessions::table
        .left_join(users::table)
        .left_join(office_clients::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select((
            sessions::id,
            sessions::user_id,
            sessions::client_id,
            users::role.nullable(),
            users::active.nullable(),
            users::office_id.nullable(),
            office_clients::office_id.nullable(),
            office_clients::revoked_at.nullable(),
            offices::table
                .filter(offices::id.nullable().eq(users::office_id.nullable()))
                .select(offices::kind)
                .single_value(),
            offices::table
                .filter(
                    offices::id
                        .nullable()
                        .eq(office_clients::office_id.nullable()),
                )
                .select(offices::kind)
                .single_value(),
            users::name.nullable(),
            sessions::expires_at,
        ))
        .first(connection)
        .optional()?;
    let found = row.map(
        |(
            session_id,
            user_id,
            client_id,
            role,
            active,
            user_office,
            client_office,
            client_revoked_at,
            user_office_kind,
            client_office_kind,
            user_name,
            expires_at,
        )| LiveSession {
            session_id,
            user_id,
            client_id,
            role,
            active,
            office_id: user_office.or(client_office),
            office_kind: user_office_kind.or(client_office_kind),
            client_revoked_at,
            user_name,
            expires_at,
        },
    );
    Ok(found.filter(|s| match (&s.user_id, &s.client_id) {
        (Some(_), _) => s.active == Some(true),
        (None, Some(_)) => s.client_revoked_at.is_none(),
        (None, None) => false,
    }))
}
