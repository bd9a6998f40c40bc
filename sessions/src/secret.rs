//! Secrets as types: a session token, its digest and a password hash are
//! never `Serialize`, and their `Debug` output is redacted.
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

/// `N` bytes from the operating system's CSPRNG.
pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    bytes
}

/// The bearer secret of a session, as held in the cookie. The database only
/// ever sees its [`TokenDigest`].
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

/// The bytes of base64url, as a table: checked for every cookie on every
/// request.
const BASE64URL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
        b += 1;
    }
    t
};

impl SessionToken {
    /// A fresh token: 256 bits from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self(URL_SAFE_NO_PAD.encode(random::<TOKEN_BYTES>()))
    }

    /// Whether a cookie value has a token's exact shape (bytes: a cookie's
    /// value need not be text, and only ASCII can pass).
    pub fn is_well_formed(value: impl AsRef<[u8]>) -> bool {
        let value = value.as_ref();
        value.len() == TOKEN_LEN && value.iter().all(|&b| BASE64URL[usize::from(b)])
    }

    /// The token text, for the `Set-Cookie` header and nothing else.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the token: what the database stores and looks up.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest::of_unchecked(&self.0)
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// SHA-256 of a [`SessionToken`]: the key of the in-memory caches and, as
/// lower-case hex (its one encoding), the `token_hash` column.
#[derive(Clone, Copy, PartialEq, Eq, DeriveValueType)]
#[sea_orm(
    value_type = "String",
    from_str = "TokenDigest::from_hex",
    to_str = "TokenDigest::hex_text"
)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    /// The digest of a cookie value that has a token's shape: malformed
    /// input never reaches the database.
    pub fn of_cookie(value: impl AsRef<[u8]>) -> Option<Self> {
        let value = value.as_ref();
        SessionToken::is_well_formed(value).then(|| Self::of_unchecked(value))
    }

    /// The digest of any value, shape unchecked: for cache lookups, which
    /// can only find well-formed tokens.
    pub(crate) fn of_unchecked(value: impl AsRef<[u8]>) -> Self {
        Self(Sha256::digest(value.as_ref()).into())
    }

    fn hex_text(&self) -> String {
        hex::encode(self.0)
    }

    fn from_hex(s: &str) -> std::result::Result<Self, hex::FromHexError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out)?;
        Ok(Self(out))
    }
}

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

/// An Argon2id password hash in PHC string format.
#[derive(Clone, PartialEq, Eq, DeriveValueType)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Hashes `password` with `argon2` (Argon2id) and a random salt. Slow
    /// on purpose: call it from a blocking thread.
    pub fn create_with(argon2: &Argon2<'_>, password: &str) -> Result<Self> {
        let salt =
            SaltString::encode_b64(&random::<16>()).map_err(|_| StoreError::PasswordHashing)?;
        argon2
            .hash_password(password.as_bytes(), &salt)
            .map(|h| Self(h.to_string()))
            .map_err(|_| StoreError::PasswordHashing)
    }

    /// Whether `password` matches (with the cost the hash was made with).
    /// Constant-time in the password.
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
    URL_SAFE_NO_PAD.encode(random::<16>())
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
        assert!(SessionToken::is_well_formed(t.expose_secret()));
    }

    #[test]
    fn malformed_cookies_have_no_digest() {
        for bad in [
            "".to_owned(),
            "short".to_owned(),
            "a".repeat(44),
            format!("{}=", "a".repeat(42)),
            format!("{}é", "a".repeat(41)),
        ] {
            assert!(TokenDigest::of_cookie(&bad).is_none(), "{bad}");
        }
        assert!(TokenDigest::of_cookie("a".repeat(43)).is_some());
    }

    #[test]
    fn digest_is_sha256_and_hex_round_trips() {
        let t = SessionToken::generate();
        let d = t.digest();
        assert_eq!(TokenDigest::of_cookie(t.expose_secret()), Some(d));
        let hex = d.hex_text();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex, hex::encode(Sha256::digest(t.expose_secret())));
        assert_eq!(TokenDigest::from_hex(&hex).unwrap(), d);
        assert!(TokenDigest::from_hex("zz").is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let t = SessionToken::generate();
        let dbg = format!("{t:?} {:?}", t.digest());
        assert!(!dbg.contains(t.expose_secret()));
        assert!(!dbg.contains(&t.digest().hex_text()));
        let p = PasswordHash::create_with(&Argon2::default(), "correct horse").unwrap();
        assert_eq!(format!("{p:?}"), "PasswordHash(<redacted>)");
    }

    #[test]
    fn password_hash_is_argon2id_and_verifies() {
        let p = PasswordHash::create_with(&Argon2::default(), "correct horse").unwrap();
        assert!(p.as_db_value().starts_with("$argon2id$"));
        assert!(p.verify("correct horse"));
        assert!(!p.verify("wrong horse"));
    }

    #[test]
    fn public_ids_are_distinct_from_tokens() {
        let id = new_public_id();
        assert_eq!(id.len(), 22);
        assert!(!SessionToken::is_well_formed(&id));
    }
}
