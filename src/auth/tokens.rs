//! Access tokens (short-lived JWTs) and refresh tokens (opaque, stored only as hashes).
//!
//! An access token is HS256-signed with a pinned algorithm and carries `iss`, `aud`, `exp`,
//! `iat`, `sub`, `jti` and `sid` (the session). Verifying the signature is not enough to be
//! let in: the session must still be live in the database, which is what makes logout,
//! deactivation and client revocation take effect immediately.

use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;

pub const ISSUER: &str = "mediation-tracker";
pub const AUDIENCE: &str = "mediation-tracker-api";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id, or the machine client id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The session this token belongs to.
    pub sid: String,
}

/// Signs and verifies access tokens with the service's secret.
pub struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: chrono::Duration,
}

impl TokenSigner {
    pub fn new(secret: &str, ttl: chrono::Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            ttl,
        }
    }

    /// Lifetime of the tokens this signer issues, in seconds (`expires_in`).
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl.num_seconds()
    }

    /// Issues an access token for `subject` in `session`, valid from `now` for the TTL.
    pub fn issue(
        &self,
        subject: &str,
        session: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: subject.into(),
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
            sid: session.into(),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Checks signature, algorithm, issuer, audience and expiry — against the wall clock (by
    /// the library) and against the service clock `now` — and returns the claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, AppError> {
        // Fixed wording: the library's own messages ("missing field `sid`",
        // "InvalidSignature") describe our token format to whoever is probing it.
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            AppError::Unauthenticated(match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    crate::msg!("detail.unauthenticated.token_expired")
                }
                _ => crate::msg!("detail.unauthenticated.token_invalid"),
            })
        })?;
        if data.claims.exp + self.validation.leeway as i64 <= now.timestamp() {
            return Err(AppError::Unauthenticated(crate::msg!(
                "detail.unauthenticated.token_expired"
            )));
        }
        Ok(data.claims)
    }
}

/// A new opaque secret token (refresh tokens, client secrets): 256 random bits, URL-safe.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a random token: SHA-256, hex. A 256-bit random secret needs no slow
/// hash (there is nothing to guess), and a fast one keeps every refresh cheap.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header};

    const SECRET: &str = "unit-test-secret-unit-test-secret-0000";

    fn signer() -> TokenSigner {
        TokenSigner::new(SECRET, chrono::Duration::minutes(15))
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let now = Utc::now();
        let token = signer().issue("user-1", "session-1", now).unwrap();
        let claims = signer().verify(&token, now).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.sid.as_str()),
            ("user-1", "session-1")
        );
        assert_eq!(claims.exp - claims.iat, 15 * 60);
        assert_eq!(
            (claims.iss.as_str(), claims.aud.as_str()),
            (ISSUER, AUDIENCE)
        );
    }

    #[test]
    fn a_token_is_expired_once_the_service_clock_passes_its_expiry() {
        let now = Utc::now();
        let token = signer().issue("u", "s", now).unwrap();
        assert!(signer()
            .verify(&token, now + chrono::Duration::minutes(16))
            .is_err());
    }

    fn forged(header: Header, claims: &Claims, secret: &str) -> String {
        encode(
            &header,
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn claims(now: DateTime<Utc>) -> Claims {
        Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: "u".into(),
            exp: (now + chrono::Duration::minutes(5)).timestamp(),
            iat: now.timestamp(),
            jti: "j".into(),
            sid: "s".into(),
        }
    }

    #[test]
    fn tokens_with_another_algorithm_secret_or_audience_are_refused() {
        let now = Utc::now();
        let good = claims(now);
        assert!(signer()
            .verify(&forged(Header::new(Algorithm::HS384), &good, SECRET), now)
            .is_err());
        assert!(signer()
            .verify(
                &forged(Header::default(), &good, "another-secret-another-secret"),
                now
            )
            .is_err());
        let wrong_audience = Claims {
            aud: "someone-else".into(),
            ..good.clone()
        };
        assert!(signer()
            .verify(&forged(Header::default(), &wrong_audience, SECRET), now)
            .is_err());
        let expired = Claims {
            exp: (now - chrono::Duration::minutes(5)).timestamp(),
            ..good
        };
        assert!(signer()
            .verify(&forged(Header::default(), &expired, SECRET), now)
            .is_err());
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        let now = Utc::now();
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = engine.encode(serde_json::to_vec(&claims(now)).unwrap());
        assert!(signer()
            .verify(&format!("{header}.{payload}."), now)
            .is_err());
    }

    #[test]
    fn random_tokens_are_unique_and_hashes_stable() {
        let a = random_token("mtr_");
        assert!(a.starts_with("mtr_") && a.len() > 40);
        assert_ne!(a, random_token("mtr_"));
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_eq!(token_hash(&a).len(), 64);
    }
}
