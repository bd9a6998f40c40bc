//! Recent successful authentications by token digest, kept per thread.
use crate::model::CurrentSession;
use crate::per_thread::PerThread;
use crate::secret::TokenDigest;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// A recent successful authentication.
#[derive(Clone)]
pub(crate) struct CachedAuth {
    pub current: Arc<CurrentSession>,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// An API token's own expiry.
    pub expires_at: Option<i64>,
}

struct Entry {
    auth: CachedAuth,
    cached_at_ms: i64,
}

/// More than this per thread and expired entries are swept (then all).
const MAX_PER_THREAD: usize = 50_000;

/// Times are the store clock's milliseconds (read once per request by the
/// caller), so tests can move them.
pub(crate) struct AuthCache {
    /// Switched between the long and the short TTL as this server starts
    /// and stops hearing the others.
    ttl_ms: AtomicI64,
    max_per_thread: usize,
    entries: PerThread<TokenDigest, Entry>,
}

impl AuthCache {
    pub fn new(ttl: Duration) -> Self {
        Self::with_limit(ttl, MAX_PER_THREAD)
    }

    fn with_limit(ttl: Duration, max_per_thread: usize) -> Self {
        AuthCache {
            ttl_ms: AtomicI64::new(crate::config::ms(ttl)),
            max_per_thread,
            entries: PerThread::default(),
        }
    }

    fn fresh(&self, e: &Entry, now_ms: i64) -> bool {
        (0..self.ttl_ms.load(Ordering::Relaxed)).contains(&(now_ms - e.cached_at_ms))
    }

    /// From now on, entries live this long.
    pub fn set_ttl(&self, ttl: Duration) {
        self.ttl_ms.store(crate::config::ms(ttl), Ordering::Relaxed);
    }

    /// The entry for `digest` if it is younger than the time to live.
    pub fn get(&self, digest: &TokenDigest, now_ms: i64) -> Option<CachedAuth> {
        let mut map = self.entries.own();
        let entry = map.get(digest)?;
        if self.fresh(entry, now_ms) {
            return Some(entry.auth.clone());
        }
        map.remove(digest);
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
        let mut map = self.entries.own();
        if ended() {
            return;
        }
        if map.len() >= self.max_per_thread {
            map.retain(|_, e| self.fresh(e, now_ms));
            if map.len() >= self.max_per_thread {
                map.clear();
            }
        }
        let entry = Entry {
            auth,
            cached_at_ms: now_ms,
        };
        map.insert(digest, entry);
    }

    /// Forgets `digest` on every thread.
    pub fn invalidate(&self, digest: &TokenDigest) {
        self.entries.remove_everywhere(digest);
    }

    /// Forgets the sessions with these public ids (ended on another
    /// server, which only names them) on every thread.
    pub fn invalidate_sessions(&self, public_ids: &HashSet<&str>) {
        self.entries.each(|map| {
            map.retain(|_, e| !public_ids.contains(e.auth.current.public_id.as_str()));
        });
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.entries.clear_everywhere();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn auth(n: i64) -> CachedAuth {
        CachedAuth {
            current: Arc::new(CurrentSession {
                row_id: n,
                public_id: format!("p{n}"),
                user_id: 1,
                username: "u".into(),
                created_at: DateTime::default(),
                auth_method: crate::model::AuthMethod::Password,
                scope: None,
            }),
            created_at: 0,
            last_seen_at: 0,
            expires_at: None,
        }
    }

    fn key(n: i64) -> TokenDigest {
        TokenDigest::of_unchecked(n.to_string())
    }

    #[test]
    fn entries_lapse_after_the_ttl_and_ended_sessions_are_refused() {
        let cache = AuthCache::new(Duration::from_millis(100));
        cache.insert(key(1), auth(1), 1_000, || false);
        assert!(cache.get(&key(1), 1_099).is_some());
        assert!(cache.get(&key(1), 1_100).is_none());
        // Gone for good, not just hidden.
        assert!(cache.get(&key(1), 1_000).is_none());
        cache.insert(key(2), auth(2), 1_000, || true);
        assert!(cache.get(&key(2), 1_000).is_none());
        cache.insert(key(3), auth(3), 1_000, || false);
        std::thread::scope(|s| {
            s.spawn(|| cache.invalidate(&key(3)));
        });
        assert!(cache.get(&key(3), 1_000).is_none());
        // By public id, as another server names an end.
        cache.insert(key(4), auth(4), 1_000, || false);
        cache.insert(key(5), auth(5), 1_000, || false);
        cache.invalidate_sessions(&HashSet::from(["p4"]));
        assert!(cache.get(&key(4), 1_000).is_none());
        assert!(cache.get(&key(5), 1_000).is_some());
        // A shorter TTL applies to entries already cached.
        cache.set_ttl(Duration::from_millis(10));
        assert!(cache.get(&key(5), 1_020).is_none());
        cache.insert(key(6), auth(6), 1_000, || false);
        cache.clear();
        assert!(cache.get(&key(6), 1_000).is_none());
    }

    #[test]
    fn a_full_thread_sweeps_expired_entries_then_everything() {
        let cache = AuthCache::with_limit(Duration::from_millis(100), 4);
        cache.insert(key(1), auth(1), 0, || false);
        cache.insert(key(2), auth(2), 0, || false);
        cache.insert(key(3), auth(3), 50, || false);
        cache.insert(key(4), auth(4), 50, || false);
        // Full: the two entries from time 0 have lapsed by 120 and go.
        cache.insert(key(5), auth(5), 120, || false);
        assert_eq!(cache.entries.len(), 3);
        assert!(cache.get(&key(3), 120).is_some());
        assert!(cache.get(&key(5), 120).is_some());
        // Full of fresh entries: cleared, then the new one is kept.
        cache.insert(key(6), auth(6), 121, || false);
        assert_eq!(cache.entries.len(), 4);
        cache.insert(key(7), auth(7), 122, || false);
        assert_eq!(cache.entries.len(), 1);
        assert!(cache.get(&key(7), 122).is_some());
    }
}
