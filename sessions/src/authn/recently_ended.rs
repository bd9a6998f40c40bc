//! Sessions ended lately, by public id (the name other servers use).
//!
//! An authentication that read the row just before the session ended must
//! not put it into the cache after the end dropped it from there: the
//! cache asks this guard, under its own lock, before inserting.
use moka::sync::Cache;
use std::time::Duration;

pub(crate) struct RecentlyEnded(Cache<String, ()>);

impl RecentlyEnded {
    /// Remembers ends for long enough to outlive any authentication that
    /// was reading the database when they happened.
    pub fn new(auth_cache_ttl: Duration) -> Self {
        Self(
            Cache::builder()
                .max_capacity(100_000)
                .time_to_live(auth_cache_ttl * 2 + Duration::from_secs(1))
                .build(),
        )
    }

    pub fn record(&self, public_id: &str) {
        self.0.insert(public_id.to_owned(), ());
    }

    pub fn contains(&self, public_id: &str) -> bool {
        self.0.contains_key(public_id)
    }
}
