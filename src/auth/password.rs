//! Passwords: the acceptance policy, and Argon2id hashing with the OWASP parameters
//! (argon2's defaults: m=19456 KiB, t=2, p=1).
//!
//! Hashing costs ~15 ms of CPU, so callers run it on the blocking pool. A sign-in for an unknown
//! email verifies against [`dummy_hash`] so it costs the same time as a wrong password, and the
//! response time reveals nothing about which emails exist.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

/// Shortest acceptable password, in characters.
pub const MIN_LENGTH: usize = 12;
/// Longest accepted password: bounds the hashing work an attacker can ask for.
pub const MAX_LENGTH: usize = 256;

/// Passwords that meet the length rule yet are among the first any attacker tries.
const COMMON: &str = include_str!("common_passwords.txt");

/// Checks a new password against the policy; the message says what to change.
pub fn check_policy(password: &str, email: Option<&str>) -> Result<(), crate::i18n::Message> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(crate::msg!("field.password.too_short", min = MIN_LENGTH));
    }
    if length > MAX_LENGTH {
        return Err(crate::msg!("field.too_long", max = MAX_LENGTH));
    }
    let lowered = password.to_lowercase();
    if COMMON.lines().any(|common| common.trim() == lowered) {
        return Err(crate::msg!("field.password.common"));
    }
    let mut chars = lowered.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(crate::msg!("field.password.repeated"));
    }
    if let Some(email) = email {
        let email = email.to_lowercase();
        let local = email.split('@').next().unwrap_or("");
        if lowered == email || (local.len() >= 4 && lowered.contains(local)) {
            return Err(crate::msg!("field.password.contains_email"));
        }
    }
    Ok(())
}

/// An Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// True when `password` matches the stored PHC string.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored_hash)
        .is_ok()
}

/// A real hash of a random password, verified against when the email is unknown.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(&uuid::Uuid::new_v4().to_string()).expect("hashing works"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify_only_the_right_password() {
        let stored = hash("correct horse battery").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn the_policy_refuses_short_common_and_repetitive_passwords() {
        let refusal = |password: &str| {
            check_policy(password, None)
                .unwrap_err()
                .render(crate::i18n::Lang::English)
        };
        assert!(refusal("short").contains("12"));
        assert!(refusal("password1234").contains("common"));
        assert!(refusal("Password1234").contains("common"));
        assert!(check_policy("aaaaaaaaaaaaaa", None).is_err());
        assert!(check_policy("liming.union-2026", Some("liming.union@gd.cn")).is_err());
        assert!(check_policy("工会调解员的长密码很安全啊", None).is_ok());
        assert!(check_policy("tea-kettle-harbour-9", Some("li@gd.cn")).is_ok());
        assert!(check_policy(&"x1".repeat(200), None).is_err());
    }
}
