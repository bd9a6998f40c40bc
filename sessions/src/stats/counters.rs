//! The counts the store keeps as it goes (a leaf: the store holds them).
use std::sync::atomic::AtomicU64;

/// Counts kept by the store since it started.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub auth_cache_hits: AtomicU64,
    pub auth_cache_misses: AtomicU64,
}
