//! Digests of sessions ended lately.
//!
//! An authentication that read the row just before the session ended must
//! not put it into the cache after the end dropped it from there: the
//! cache asks this guard, under its own lock, before inserting.
use crate::per_thread::KeyHasher;
use crate::secret::TokenDigest;
use moka::sync::Cache;
use std::hash::BuildHasherDefault;
use std::time::Duration;

pub(crate) struct RecentlyEnded(Cache<TokenDigest, (), BuildHasherDefault<KeyHasher>>);

impl RecentlyEnded {
    /// Remembers ends for long enough to outlive any authentication that
    /// was reading the database when they happened.
    pub fn new(auth_cache_ttl: Duration) -> Self {
        Self(
            Cache::builder()
                .max_capacity(100_000)
                .time_to_live(auth_cache_ttl * 2 + Duration::from_secs(1))
                .build_with_hasher(BuildHasherDefault::default()),
        )
    }

    pub fn record(&self, digest: TokenDigest) {
        self.0.insert(digest, ());
    }

    pub fn contains(&self, digest: &TokenDigest) -> bool {
        self.0.contains_key(digest)
    }
}
