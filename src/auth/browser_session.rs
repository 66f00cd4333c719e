//! A browser's hold on a session: the staff console signs people in with the same use case as
//! `POST /auth/login`, so the session row is the same one — logout, deactivation, a password
//! change and lockout stop a console session exactly as they stop an API session.
//!
//! What the browser keeps is not a token but the session's id with a MAC over it
//! ([`BrowserSessions::seal`]): the cookie cannot be forged or pointed at another session, and
//! it is worth nothing once the session row is revoked or expired, because every request checks
//! the row ([`confirm`]). The form token that defeats cross-site requests is derived from the
//! same session ([`BrowserSessions::csrf_token`]), so it needs no storage and dies with it.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::caller::Caller;
use super::sessions;
use crate::db::DbConnection;
use crate::error::AppError;

type HmacSha256 = Hmac<Sha256>;

/// Seals session ids into cookie values and derives their form tokens, with a key derived
/// from the service's signing secret (so a rotated secret signs every browser out).
#[derive(Clone)]
pub struct BrowserSessions {
    key: [u8; 32],
}

impl std::fmt::Debug for BrowserSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BrowserSessions(..)")
    }
}

impl BrowserSessions {
    pub fn new(signing_secret: &str) -> Self {
        let mut mac = HmacSha256::new_from_slice(signing_secret.as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(b"mediation-tracker browser sessions v1");
        Self {
            key: mac.finalize().into_bytes().into(),
        }
    }

    fn mac(&self, purpose: &[u8], value: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("a 32-byte key");
        mac.update(purpose);
        mac.update(b":");
        mac.update(value.as_bytes());
        mac
    }

    /// The cookie value for `session_id`: the id and a MAC over it.
    pub fn seal(&self, session_id: &str) -> String {
        let tag = self.mac(b"cookie", session_id).finalize().into_bytes();
        format!("{session_id}.{}", hex::encode(tag))
    }

    /// The session id a cookie value names, if its MAC is right (checked in constant time).
    pub fn open(&self, cookie: &str) -> Option<String> {
        let (session_id, tag) = cookie.rsplit_once('.')?;
        let tag = hex::decode(tag).ok()?;
        self.mac(b"cookie", session_id)
            .verify_slice(&tag)
            .ok()
            .map(|()| session_id.to_owned())
    }

    /// The form token of `session_id`: every form a signed-in page draws carries it, and every
    /// form posted must bring it back.
    pub fn csrf_token(&self, session_id: &str) -> String {
        hex::encode(self.mac(b"csrf", session_id).finalize().into_bytes())
    }

    /// Whether `presented` is the form token of `session_id` (constant time).
    pub fn csrf_matches(&self, session_id: &str, presented: &str) -> bool {
        hex::decode(presented.trim())
            .ok()
            .is_some_and(|tag| self.mac(b"csrf", session_id).verify_slice(&tag).is_ok())
    }
}

/// The caller behind a browser's session, with their name: a person's live session (machine
/// clients have no browser), checked like every API request
/// (`auth::extract::PendingCaller::confirm`), in the same one query. 401 when the session is
/// gone.
pub fn confirm(
    connection: &mut DbConnection,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<(Caller, String), AppError> {
    let ended = || AppError::Unauthenticated(crate::msg!("detail.unauthenticated.session_ended"));
    let live = sessions::live(connection, session_id, now.naive_utc())?.ok_or_else(ended)?;
    let subject = live.user_id.clone().ok_or_else(ended)?;
    let name = live.user_name.clone().unwrap_or_default();
    Ok((Caller::from_live_session(live, &subject, now)?, name))
}

/// Ends the session a browser held before signing in again, so that each sign-in in one
/// browser leaves one live session, not one more. Only the sealed cookie's own session is
/// revoked (a forged or foreign cookie opens nothing).
pub fn end_previous(
    connection: &mut DbConnection,
    sealed_cookie: Option<&str>,
    sessions_seal: &BrowserSessions,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if let Some(session_id) = sealed_cookie.and_then(|cookie| sessions_seal.open(cookie)) {
        sessions::revoke(connection, &session_id, "signed_in_again", now.naive_utc())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_session_opens_and_a_tampered_one_does_not() {
        let sessions = BrowserSessions::new("secret");
        let sealed = sessions.seal("0190-session");
        assert_eq!(sessions.open(&sealed).as_deref(), Some("0190-session"));
        let other = sealed.replace("0190-session", "0190-another");
        assert_eq!(sessions.open(&other), None);
        assert_eq!(sessions.open("0190-session"), None);
        assert_eq!(sessions.open(""), None);
        assert_eq!(BrowserSessions::new("other secret").open(&sealed), None);
    }

    #[test]
    fn a_form_token_belongs_to_one_session() {
        let sessions = BrowserSessions::new("secret");
        let token = sessions.csrf_token("s1");
        assert!(sessions.csrf_matches("s1", &token));
        assert!(!sessions.csrf_matches("s2", &token));
        assert!(!sessions.csrf_matches("s1", ""));
        assert!(!sessions.csrf_matches("s1", "not hex"));
        assert_ne!(token, sessions.seal("s1"));
    }
}
