//! Secrets as types: a session token and a password hash are never
//! `Serialize`, and their `Debug` output is redacted.
use crate::{Result, StoreError};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash as PhcString, PasswordHasher, PasswordVerifier, SaltString,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use sea_orm::DeriveValueType;
use sha2::{Digest, Sha256};
use std::fmt;

/// Bytes of entropy in a session token (256 bits).
pub const TOKEN_BYTES: usize = 32;
/// Length of an encoded token: URL-safe base64 of 32 bytes, no padding.
pub const TOKEN_LEN: usize = 43;

/// The bearer secret of a session, as held in the cookie. The database only
/// ever sees its [`TokenHash`].
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// A fresh token: 256 bits from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .expect("the operating system's random number generator failed");
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Wraps a value read from a cookie; `None` unless it has a token's shape,
    /// so malformed input never reaches the database.
    pub fn parse(value: &str) -> Option<Self> {
        Self::well_formed(value).then(|| Self(value.to_owned()))
    }

    fn well_formed(value: &str) -> bool {
        value.len() == TOKEN_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// The hash of a cookie value that has a token's shape, without keeping
    /// a copy of the token.
    pub fn hash_of(value: &str) -> Option<TokenHash> {
        Self::digest_of(value).map(TokenHash::from)
    }

    /// The raw SHA-256 of a cookie value that has a token's shape: the
    /// per-request path, which needs no hex text unless it asks the database.
    pub fn digest_of(value: &str) -> Option<TokenDigest> {
        Self::well_formed(value).then(|| Self::digest_unchecked(value))
    }

    /// The raw SHA-256 of any value, shape unchecked: for cache lookups,
    /// which can only find well-formed tokens.
    pub(crate) fn digest_unchecked(value: &str) -> TokenDigest {
        TokenDigest(Sha256::digest(value.as_bytes()).into())
    }

    /// The token text, for the `Set-Cookie` header and nothing else.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the token: what the database stores and looks up.
    pub fn hash(&self) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// Raw SHA-256 of a [`SessionToken`]: the key of the in-memory caches.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenDigest([u8; 32]);

impl std::hash::Hash for TokenDigest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Already a cryptographic hash: eight of its bytes are plenty.
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(head));
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenDigest(<redacted>)")
    }
}

impl From<TokenDigest> for TokenHash {
    fn from(d: TokenDigest) -> Self {
        TokenHash(hex::encode(d.0))
    }
}

/// Hex SHA-256 of a [`SessionToken`].
#[derive(Clone, PartialEq, Eq, Hash, DeriveValueType)]
pub struct TokenHash(String);

impl TokenHash {
    /// The raw digest again, for the caches (`None` only for a malformed
    /// value, which the database never holds).
    pub fn digest(&self) -> Option<TokenDigest> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(&self.0, &mut out).ok()?;
        Some(TokenDigest(out))
    }

    #[cfg(test)]
    pub(crate) fn as_db_value(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

/// An Argon2id password hash in PHC string format.
#[derive(Clone, PartialEq, Eq, DeriveValueType)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Hashes `password` with Argon2id and a random salt. Slow on purpose:
    /// call it from a blocking thread.
    pub fn create(password: &str) -> Result<Self> {
        let mut salt_bytes = [0u8; 16];
        rand::rngs::OsRng
            .try_fill_bytes(&mut salt_bytes)
            .map_err(|_| StoreError::PasswordHashing)?;
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| StoreError::PasswordHashing)?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| Self(h.to_string()))
            .map_err(|_| StoreError::PasswordHashing)
    }

    /// Whether `password` matches. Constant-time in the password.
    pub fn verify(&self, password: &str) -> bool {
        PhcString::new(&self.0)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    pub(crate) fn as_db_value(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A random public session id: 128 bits, URL-safe, unrelated to the token.
pub(crate) fn new_public_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_has_256_bits_and_url_safe_shape() {
        let t = SessionToken::generate();
        assert_eq!(t.expose_secret().len(), TOKEN_LEN);
        let raw = URL_SAFE_NO_PAD.decode(t.expose_secret()).unwrap();
        assert_eq!(raw.len(), 32);
        assert!(SessionToken::parse(t.expose_secret()).is_some());
    }

    #[test]
    fn parse_rejects_malformed() {
        assert!(SessionToken::parse("").is_none());
        assert!(SessionToken::parse("short").is_none());
        assert!(SessionToken::parse(&"a".repeat(44)).is_none());
        assert!(SessionToken::parse(&format!("{}=", "a".repeat(42))).is_none());
        assert!(SessionToken::parse(&"a".repeat(43)).is_some());
    }

    #[test]
    fn hash_is_sha256_hex_and_differs_from_token() {
        let t = SessionToken::generate();
        let h = t.hash();
        assert_eq!(h.as_db_value().len(), 64);
        assert_ne!(h.as_db_value(), t.expose_secret());
        assert_eq!(h, SessionToken::parse(t.expose_secret()).unwrap().hash());
        assert_eq!(Some(h.clone()), SessionToken::hash_of(t.expose_secret()));
        assert_eq!(SessionToken::hash_of("short"), None);
        let d = SessionToken::digest_of(t.expose_secret()).unwrap();
        assert_eq!(TokenHash::from(d), h);
        assert_eq!(h.digest(), Some(d));
    }

    #[test]
    fn debug_is_redacted() {
        let t = SessionToken::generate();
        let dbg = format!("{t:?} {:?}", t.hash());
        assert!(!dbg.contains(t.expose_secret()));
        assert!(!dbg.contains(t.hash().as_db_value()));
        let p = PasswordHash::create("correct horse").unwrap();
        assert_eq!(format!("{p:?}"), "PasswordHash(<redacted>)");
    }

    #[test]
    fn password_hash_is_argon2id_and_verifies() {
        let p = PasswordHash::create("correct horse").unwrap();
        assert!(p.as_db_value().starts_with("$argon2id$"));
        assert!(p.verify("correct horse"));
        assert!(!p.verify("wrong horse"));
    }

    #[test]
    fn public_ids_are_distinct_from_tokens() {
        let id = new_public_id();
        assert_eq!(id.len(), 22);
        assert!(SessionToken::parse(&id).is_none());
    }
}
