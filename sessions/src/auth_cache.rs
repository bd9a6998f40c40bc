//! The authentication cache: recent successful authentications by token
//! digest, kept per thread.
//!
//! Hand-written over `thread_local::ThreadLocal` instead of a shared moka
//! cache because every request reads it: in a shared cache each read also
//! writes memory that all threads share (read log, access time, reference
//! counts), and on a busy server those writes cost more than the lookup.
//! Here a hit touches only the calling thread's own map; the rare end of a
//! session visits every thread's map.
use crate::secret::TokenDigest;
use crate::store::CurrentSession;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use thread_local::ThreadLocal;

/// Hashes keys that are already SHA-256 digests (their first eight bytes
/// are a hash nobody can steer, so a SipHash pass buys nothing) and our own
/// row ids (one multiplication spreads sequential numbers).
#[derive(Default)]
pub(crate) struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not used by `TokenDigest`; any other key still hashes sensibly.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }
}

/// Builds [`DigestHasher`]s.
pub(crate) type DigestHashing = BuildHasherDefault<DigestHasher>;

/// A recent successful authentication.
#[derive(Clone)]
pub(crate) struct CachedAuth {
    pub current: Arc<CurrentSession>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

struct Entry {
    auth: CachedAuth,
    cached_at_ms: i64,
}

type Shard = HashMap<TokenDigest, Entry, DigestHashing>;

/// More than this per thread and expired entries are swept (then all).
const MAX_PER_THREAD: usize = 50_000;

/// Times are the store clock's milliseconds (read once per request by the
/// caller), so tests can move them.
pub(crate) struct AuthCache {
    ttl_ms: i64,
    shards: ThreadLocal<Mutex<Shard>>,
}

impl AuthCache {
    pub fn new(ttl: Duration) -> Self {
        AuthCache {
            ttl_ms: i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX),
            shards: ThreadLocal::new(),
        }
    }

    fn fresh(&self, e: &Entry, now_ms: i64) -> bool {
        (0..self.ttl_ms).contains(&(now_ms - e.cached_at_ms))
    }

    fn own(&self) -> MutexGuard<'_, Shard> {
        let shard = self.shards.get_or(|| Mutex::new(Shard::default()));
        // Nothing here can panic half-way through an update.
        shard.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The entry for `digest` if it is younger than the time to live.
    pub fn get(&self, digest: &TokenDigest, now_ms: i64) -> Option<CachedAuth> {
        let mut shard = self.own();
        let entry = shard.get(digest)?;
        if self.fresh(entry, now_ms) {
            return Some(entry.auth.clone());
        }
        shard.remove(digest);
        None
    }

    /// Caches `auth` unless `ended()` says the session has ended meanwhile.
    /// That check runs under this thread's lock, which [`invalidate`]
    /// (Self::invalidate) takes too: an end either sees the new entry and
    /// removes it, or has been recorded before the check.
    pub fn insert(
        &self,
        digest: TokenDigest,
        auth: CachedAuth,
        now_ms: i64,
        ended: impl FnOnce() -> bool,
    ) {
        let mut shard = self.own();
        if ended() {
            return;
        }
        if shard.len() >= MAX_PER_THREAD {
            shard.retain(|_, e| self.fresh(e, now_ms));
            if shard.len() >= MAX_PER_THREAD {
                shard.clear();
            }
        }
        shard.insert(
            digest,
            Entry {
                auth,
                cached_at_ms: now_ms,
            },
        );
    }

    /// Forgets `digest` on every thread.
    pub fn invalidate(&self, digest: &TokenDigest) {
        for shard in self.shards.iter() {
            shard
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(digest);
        }
    }
}
