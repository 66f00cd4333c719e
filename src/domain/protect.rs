//! Personal information (个人信息保护法 Art. 28, 51): ID numbers and phone numbers are sensitive.
//! They are stored encrypted (ChaCha20-Poly1305, random nonce per value), shown masked, and an
//! exact ID number stays searchable through a keyed hash (HMAC-SHA256) that reveals nothing
//! without the key. Encryption and search use separate keys derived from the one data key.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const FORMAT: &str = "v1:";

/// Encrypts, decrypts and search-hashes personal data with the service's data key.
#[derive(Clone)]
pub struct PersonalData {
    cipher: ChaCha20Poly1305,
    search_key: [u8; 32],
}

impl std::fmt::Debug for PersonalData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonalData { .. }")
    }
}

impl PersonalData {
    /// Builds from a base64 key of at least 32 bytes (`MEDIATION_DATA_KEY`).
    pub fn from_base64_key(key: &str) -> anyhow::Result<Self> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .map_err(|_| anyhow::anyhow!("the data key must be base64"))?;
        if raw.len() < 32 {
            anyhow::bail!("the data key must decode to at least 32 bytes");
        }
        Ok(Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&derive(
                &raw,
                b"mediation-tracker/encrypt",
            ))),
            search_key: derive(&raw, b"mediation-tracker/search"),
        })
    }

    /// `v1:` + base64(nonce ‖ ciphertext ‖ tag).
    pub fn encrypt(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("encryption into memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!(
            "{FORMAT}{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    /// The plaintext of a value [`PersonalData::encrypt`] produced with the same key.
    pub fn decrypt(&self, stored: &str) -> anyhow::Result<String> {
        let encoded = stored
            .strip_prefix(FORMAT)
            .ok_or_else(|| anyhow::anyhow!("unknown format"))?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded)?;
        if bytes.len() < 12 {
            anyhow::bail!("truncated ciphertext");
        }
        let (nonce, sealed) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| anyhow::anyhow!("the value does not decrypt with this key"))?;
        Ok(String::from_utf8(plain)?)
    }

    /// A stable keyed hash for exact-match search (hex).
    pub fn search_hash(&self, normalized: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.search_key).expect("any key length");
        mac.update(normalized.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

fn derive(key: &[u8], purpose: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protector() -> PersonalData {
        PersonalData::from_base64_key("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap()
    }

    #[test]
    fn values_round_trip_and_never_appear_in_plain() {
        let p = protector();
        let stored = p.encrypt("11010519491231002X");
        assert!(stored.starts_with("v1:") && !stored.contains("1101051949"));
        assert_ne!(
            stored,
            p.encrypt("11010519491231002X"),
            "a fresh nonce every time"
        );
        assert_eq!(p.decrypt(&stored).unwrap(), "11010519491231002X");
    }

    #[test]
    fn tampered_or_foreign_ciphertexts_do_not_decrypt() {
        let p = protector();
        // A character in the middle always carries six bits of the ciphertext (the last one may
        // carry only padding bits), and it is changed to a different one.
        let stored = p.encrypt("13812345678");
        let middle = stored.len() / 2;
        let replacement = if &stored[middle..=middle] == "A" {
            "B"
        } else {
            "A"
        };
        let tampered = format!(
            "{}{replacement}{}",
            &stored[..middle],
            &stored[middle + 1..]
        );
        assert!(p.decrypt(&tampered).is_err());
        let other =
            PersonalData::from_base64_key("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=").unwrap();
        assert!(other.decrypt(&p.encrypt("x")).is_err());
    }

    #[test]
    fn search_hashes_are_stable_per_key() {
        let p = protector();
        assert_eq!(
            p.search_hash("11010519491231002X"),
            p.search_hash("11010519491231002X")
        );
        let other =
            PersonalData::from_base64_key("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=").unwrap();
        assert_ne!(p.search_hash("x"), other.search_hash("x"));
        assert!(PersonalData::from_base64_key("c2hvcnQ=").is_err());
    }
}
