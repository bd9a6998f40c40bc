//! The digest of the session cookie last seen on one connection.
use crate::secret::{TOKEN_LEN, TokenDigest};
use constant_time_eq::constant_time_eq_n;
use std::fmt;
use std::sync::Mutex;

/// Remembers the digest of the last session cookie seen on one connection.
///
/// A browser sends the same cookie with every request on a keep-alive
/// connection, so hashing it once per connection rather than once per
/// request saves SHA-256 on nearly every request. A value is only reused
/// for the identical cookie, compared in constant time: behind a proxy one
/// connection carries many people's requests, and how long a comparison
/// took must not tell the next sender anything about the last one's
/// cookie. Validity is not cached here: the digest still goes through the
/// authentication cache or the database.
#[derive(Default)]
pub struct DigestMemo(Mutex<Option<Remembered>>);

struct Remembered {
    cookie: [u8; TOKEN_LEN],
    digest: TokenDigest,
}

impl DigestMemo {
    /// [`TokenDigest::of_cookie`], hashing only a cookie that differs from
    /// the last one: `None` unless the value has a token's exact shape.
    pub fn of_cookie(&self, value: &[u8]) -> Option<TokenDigest> {
        let cookie: &[u8; TOKEN_LEN] = value.try_into().ok()?;
        // Never waits: a second request at the same moment on the same
        // connection (HTTP/2) hashes for itself.
        let Ok(mut last) = self.0.try_lock() else {
            return TokenDigest::of_cookie(value);
        };
        // The last cookie had a token's shape, so an identical one has.
        if let Some(last) = last.as_ref()
            && constant_time_eq_n(&last.cookie, cookie)
        {
            return Some(last.digest);
        }
        let digest = TokenDigest::of_cookie(value)?;
        *last = Some(Remembered {
            cookie: *cookie,
            digest,
        });
        Some(digest)
    }
}

impl fmt::Debug for DigestMemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DigestMemo(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SessionToken;
    use proptest::prelude::*;

    #[test]
    fn the_same_cookie_again_gets_the_same_digest_and_another_its_own() {
        let memo = DigestMemo::default();
        let (a, b) = (SessionToken::generate(), SessionToken::generate());
        let right =
            |t: &SessionToken| memo.of_cookie(t.expose_secret().as_bytes()) == Some(t.digest());
        for t in [&a, &a, &b, &a] {
            assert!(right(t));
        }
        // A malformed value is no session; the right digests follow it.
        assert_eq!(memo.of_cookie(&a.expose_secret().as_bytes()[1..]), None);
        assert_eq!(memo.of_cookie("!".repeat(TOKEN_LEN).as_bytes()), None);
        assert!(right(&a));
        // Busy (a request at the same moment): still the right digest.
        let held = memo.0.lock().unwrap();
        assert!(right(&b));
        drop(held);
        assert_eq!(format!("{memo:?}"), "DigestMemo(<redacted>)");
    }

    proptest! {
        /// Whatever a connection sends, in whatever order, the memo answers
        /// what hashing each value afresh would.
        #[test]
        fn agrees_with_hashing_every_time(
            picks in proptest::collection::vec((0usize..4, 0usize..TOKEN_LEN, any::<u8>()), 1..40)
        ) {
            let tokens: Vec<String> = (0..4).map(|_| SessionToken::generate().expose_secret().to_owned()).collect();
            let memo = DigestMemo::default();
            for (which, at, byte) in picks {
                let mut value = tokens[which].clone().into_bytes();
                // Now and then one byte changed (to anything, text or not):
                // near misses, malformed or not.
                if byte % 3 == 0 {
                    value[at] = byte;
                }
                prop_assert_eq!(memo.of_cookie(&value), TokenDigest::of_cookie(&value));
            }
        }
    }
}
