//! Timeouts, retention, limits and tuning of the store.
use std::time::Duration;

/// Timeouts, retention and tuning of the store.
#[derive(Debug, Clone, Copy)]
pub struct StoreConfig {
    /// A session unused for this long is over (default 14 days).
    pub idle_timeout: Duration,
    /// A session older than this is over, however active (default 30 days).
    pub max_age: Duration,
    /// Ended sessions are deleted this long after ending (default 90 days).
    pub history_retention: Duration,
    /// Pending activity is written at most this often (default 5 s).
    pub activity_flush_interval: Duration,
    /// How long a successful authentication is reused without a database
    /// read (default 1 s; zero disables). Sessions ended through this store
    /// are dropped from it at once; the TTL only bounds how late another
    /// server sharing the database notices an end.
    pub auth_cache_ttl: Duration,
    /// Failed-login limits.
    pub throttle: ThrottleConfig,
}

const DAY: u64 = 24 * 60 * 60;

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(14 * DAY),
            max_age: Duration::from_secs(30 * DAY),
            history_retention: Duration::from_secs(90 * DAY),
            activity_flush_interval: Duration::from_secs(5),
            auth_cache_ttl: Duration::from_secs(1),
            throttle: ThrottleConfig::default(),
        }
    }
}

/// Limits on failed logins.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleConfig {
    /// Failures allowed per account within `window`.
    pub max_failures_per_account: u32,
    /// Failures allowed per client IP within `window`.
    pub max_failures_per_ip: u32,
    /// Length of the counting window, and of the lock-out.
    pub window: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            max_failures_per_account: 5,
            max_failures_per_ip: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// A duration in milliseconds, saturating far below `i64::MAX` so that
/// sums of timestamps and durations never overflow.
pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}
