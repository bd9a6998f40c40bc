//! The server's secret key: encrypts TOTP secrets (XChaCha20-Poly1305,
//! bound to the account) and keys the hashes of recovery codes, so that a
//! copy of the database alone gives neither away.
use crate::secret::random;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// 256 bits from configuration (`SECRET_KEY`). Never logged: `Debug` is
/// redacted and nothing serializes it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self(random())
    }

    /// The key from its text form (URL-safe base64, 43 characters).
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// Its text form, for writing the key file and nothing else.
    pub fn expose_secret(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// `plain` encrypted for account `user_id`: nonce and ciphertext, base64.
    pub(crate) fn seal(&self, user_id: i64, plain: &[u8]) -> String {
        let nonce: [u8; 24] = random();
        let aad = user_id.to_be_bytes();
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption does not fail on small inputs");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// What [`seal`](Self::seal) sealed for the same account; `None` for
    /// anything else (another key, another account, tampering).
    pub(crate) fn open(&self, user_id: i64, sealed: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ct) = bytes.split_at(24);
        let aad = user_id.to_be_bytes();
        self.cipher()
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .ok()
    }

    /// HMAC-SHA-256 of `text` under the key, hex.
    pub(crate) fn keyed_hash(&self, text: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(text.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_for_their_account_and_key() {
        let key = SecretKey::generate();
        let sealed = key.seal(7, b"totp secret bytes");
        assert_eq!(key.open(7, &sealed).unwrap(), b"totp secret bytes");
        assert!(key.open(8, &sealed).is_none(), "another account");
        assert!(
            SecretKey::generate().open(7, &sealed).is_none(),
            "another key"
        );
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(
            key.open(7, std::str::from_utf8(&tampered).unwrap())
                .is_none()
        );
        assert_ne!(
            key.seal(7, b"x"),
            key.seal(7, b"x"),
            "fresh nonce each time"
        );
    }

    #[test]
    fn text_form_round_trips_and_debug_is_redacted() {
        let key = SecretKey::generate();
        let text = key.expose_secret();
        assert_eq!(text.len(), 43);
        let back = SecretKey::parse(&text).unwrap();
        assert_eq!(back.keyed_hash("a"), key.keyed_hash("a"));
        assert!(SecretKey::parse("short").is_none());
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
        assert_ne!(key.keyed_hash("a"), SecretKey::generate().keyed_hash("a"));
    }
}
