//! The server's secret key and the keys derived from it (HKDF-SHA-256, one
//! per purpose, so that no use of one can be turned against another):
//! sealing second-factor secrets (XChaCha20-Poly1305, bound to the
//! account), keying recovery-code hashes, signing the events servers send
//! each other, and hashing what logs must not show in clear. A copy of the
//! database alone gives none of them away.
//!
//! Each key has an id (a keyed hash of it, safe to show), written in front
//! of what it seals, so that after a rotation (`SECRET_KEY` new, the old
//! one among the previous keys) older secrets still open and a secret
//! sealed with an unknown key is named as such. Secrets sealed before key
//! ids existed were sealed with the key itself; they still open.
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
pub struct SecretKey {
    master: [u8; 32],
    seal: [u8; 32],
    recovery: [u8; 32],
    events: [u8; 32],
    logs: [u8; 32],
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(id {}, <redacted>)", self.id())
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl SecretKey {
    fn from_master(master: [u8; 32]) -> Self {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"sessionboard"), &master);
        let derive = |info: &[u8]| {
            let mut out = [0u8; 32];
            hk.expand(info, &mut out)
                .expect("32 bytes is a valid length");
            out
        };
        Self {
            master,
            seal: derive(b"seal second-factor secrets"),
            recovery: derive(b"recovery-code hashes"),
            events: derive(b"events between servers"),
            logs: derive(b"log pseudonyms"),
        }
    }

    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self::from_master(random())
    }

    /// The key from its text form (URL-safe base64, 43 characters).
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        Some(Self::from_master(bytes.try_into().ok()?))
    }

    /// Its text form, for writing the key file and nothing else.
    pub fn expose_secret(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.master)
    }

    /// Names the key without revealing it (eight hex digits).
    pub fn id(&self) -> String {
        hex(&hmac(&self.master, &[b"key id"])[..4])
    }

    fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(key.into())
    }

    /// `plain` encrypted for account `user_id`: `k<id>.` then nonce and
    /// ciphertext in base64.
    pub(crate) fn seal(&self, user_id: i64, plain: &[u8]) -> String {
        let nonce: [u8; 24] = random();
        let aad = user_id.to_be_bytes();
        let sealed = Self::cipher(&self.seal)
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
        format!("k{}.{}", self.id(), URL_SAFE_NO_PAD.encode(out))
    }

    /// The key id a sealed value names (`None`: sealed before key ids).
    pub(crate) fn id_of(sealed: &str) -> Option<&str> {
        sealed.strip_prefix('k')?.split_once('.').map(|(id, _)| id)
    }

    /// What [`seal`](Self::seal) sealed for the same account with this
    /// key; `None` for anything else (another key, another account,
    /// tampering).
    pub(crate) fn open(&self, user_id: i64, sealed: &str) -> Option<Vec<u8>> {
        let (key, body) = match Self::id_of(sealed) {
            Some(id) if id == self.id() => (&self.seal, sealed.split_once('.')?.1),
            Some(_) => return None,
            None => (&self.master, sealed),
        };
        let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ct) = bytes.split_at(24);
        let aad = user_id.to_be_bytes();
        Self::cipher(key)
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .ok()
    }

    /// The keyed hash a recovery code is stored as, and the one it was
    /// stored as before key ids (keyed with the key itself).
    pub(crate) fn recovery_hashes(&self, text: &str) -> [String; 2] {
        [
            hex(&hmac(&self.recovery, &[text.as_bytes()])),
            hex(&hmac(&self.master, &[text.as_bytes()])),
        ]
    }

    /// A keyed hash for naming things without revealing them, hex.
    pub(crate) fn keyed_hash(&self, text: &str) -> String {
        hex(&hmac(&self.recovery, &[b"name:", text.as_bytes()]))
    }

    /// The signature of an event payload between servers.
    pub(crate) fn sign_event(&self, payload: &str) -> String {
        hex(&hmac(&self.events, &[payload.as_bytes()])[..16])
    }

    /// A short pseudonym of something typed (a username that matched no
    /// account, say), for logs: the same text gives the same pseudonym on
    /// every server with this key, and the text cannot be read back.
    pub(crate) fn log_pseudonym(&self, text: &str) -> String {
        hex(&hmac(&self.logs, &[text.as_bytes()])[..6])
    }
}

/// The current key and the ones it replaced (still opening what they sealed).
#[derive(Clone, Debug)]
pub(crate) struct Keyring {
    pub current: SecretKey,
    pub previous: Vec<SecretKey>,
}

impl Keyring {
    /// Every key, the current one first.
    pub fn all(&self) -> impl Iterator<Item = &SecretKey> {
        std::iter::once(&self.current).chain(&self.previous)
    }

    /// Opens a value sealed with any key of the ring.
    pub fn open(&self, user_id: i64, sealed: &str) -> Option<Vec<u8>> {
        self.all().find_map(|k| k.open(user_id, sealed))
    }

    /// Every hash a recovery code may be stored as.
    pub fn recovery_hashes(&self, text: &str) -> Vec<String> {
        self.all().flat_map(|k| k.recovery_hashes(text)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_for_their_account_and_key() {
        let key = SecretKey::generate();
        let sealed = key.seal(7, b"totp secret bytes");
        assert!(sealed.starts_with(&format!("k{}.", key.id())));
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
    fn derived_keys_differ_and_rotation_keeps_old_secrets_open() {
        let old = SecretKey::generate();
        let new = SecretKey::generate();
        let sealed = old.seal(1, b"s");
        let ring = Keyring {
            current: new.clone(),
            previous: vec![old.clone()],
        };
        assert_eq!(ring.open(1, &sealed).unwrap(), b"s");
        assert!(new.open(1, &sealed).is_none());
        assert_eq!(SecretKey::id_of(&sealed), Some(old.id().as_str()));
        // One purpose's key never equals another's.
        let k = &new;
        let keys = [k.master, k.seal, k.recovery, k.events, k.logs];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(ring.recovery_hashes("x").len(), 4);
    }

    #[test]
    fn secrets_sealed_before_key_ids_still_open() {
        let key = SecretKey::generate();
        // The former format: nonce and ciphertext under the key itself.
        let nonce = [7u8; 24];
        let ct = SecretKey::cipher(&key.master)
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: b"old",
                    aad: &9i64.to_be_bytes(),
                },
            )
            .unwrap();
        let legacy = URL_SAFE_NO_PAD.encode([nonce.to_vec(), ct].concat());
        assert_eq!(key.open(9, &legacy).unwrap(), b"old");
    }

    #[test]
    fn text_form_round_trips_and_debug_is_redacted() {
        let key = SecretKey::generate();
        let text = key.expose_secret();
        assert_eq!(text.len(), 43);
        let back = SecretKey::parse(&text).unwrap();
        assert_eq!(back.keyed_hash("a"), key.keyed_hash("a"));
        assert_eq!(back.id(), key.id());
        assert!(SecretKey::parse("short").is_none());
        assert!(!format!("{key:?}").contains(&text));
        assert!(format!("{key:?}").contains("redacted"));
        assert_ne!(key.keyed_hash("a"), SecretKey::generate().keyed_hash("a"));
        assert_eq!(key.log_pseudonym("alice"), back.log_pseudonym("alice"));
        assert_eq!(key.log_pseudonym("alice").len(), 12);
    }
}
