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
use std::time::{Duration, Instant};
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
    cached_at: Instant,
}

type Shard = HashMap<TokenDigest, Entry, DigestHashing>;

/// More than this per thread and expired entries are swept (then all).
const MAX_PER_THREAD: usize = 50_000;

pub(crate) struct AuthCache {
    ttl: Duration,
    shards: ThreadLocal<Mutex<Shard>>,
}

impl AuthCache {
    pub fn new(ttl: Duration) -> Self {
        AuthCache {
            ttl,
            shards: ThreadLocal::new(),
        }
    }

    fn own(&self) -> MutexGuard<'_, Shard> {
        let shard = self.shards.get_or(|| Mutex::new(Shard::default()));
        // Nothing here can panic half-way through an update.
        shard.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The entry for `digest` if it is younger than the time to live.
    pub fn get(&self, digest: &TokenDigest) -> Option<CachedAuth> {
        let mut shard = self.own();
        let entry = shard.get(digest)?;
        if entry.cached_at.elapsed() < self.ttl {
            return Some(entry.auth.clone());
        }
        shard.remove(digest);
        None
    }

    /// Caches `auth` unless `ended()` says the session has ended meanwhile.
    /// That check runs under this thread's lock, which [`invalidate`]
    /// (Self::invalidate) takes too: an end either sees the new entry and
    /// removes it, or has been recorded before the check.
    pub fn insert(&self, digest: TokenDigest, auth: CachedAuth, ended: impl FnOnce() -> bool) {
        let mut shard = self.own();
        if ended() {
            return;
        }
        if shard.len() >= MAX_PER_THREAD {
            let ttl = self.ttl;
            shard.retain(|_, e| e.cached_at.elapsed() < ttl);
            if shard.len() >= MAX_PER_THREAD {
                shard.clear();
            }
        }
        shard.insert(
            digest,
            Entry {
                auth,
                cached_at: Instant::now(),
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
