//! Timeouts, retention, limits and tuning of the store.
use crate::StartupError;
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
    /// Active sessions an account may have at once; at the limit, a
    /// sign-in waits for its person to choose one to end (default: none).
    pub max_sessions_per_account: Option<u32>,
    /// Audit events are deleted this long after they happened (default 1 year).
    pub audit_retention: Duration,
    /// Pending activity is written at most this often (default 5 s).
    pub activity_flush_interval: Duration,
    /// How long a successful authentication is reused without a database
    /// read (default 30 s; zero disables). Ends through this store, and on
    /// PostgreSQL ends heard from other servers, drop it at once.
    pub auth_cache_ttl: Duration,
    /// The same, while this server cannot hear the others (PostgreSQL,
    /// listener down): it bounds how late a missed end is noticed
    /// (default 1 s).
    pub auth_cache_ttl_unlistened: Duration,
    /// Terminating sessions needs the password again unless this session
    /// proved it within this long (default 10 minutes).
    pub reauth_window: Duration,
    /// Password-attempt limits.
    pub throttle: ThrottleConfig,
    /// Argon2id cost and how much of it may run at once.
    pub hashing: HashingConfig,
    /// Live-update streams allowed at once.
    pub streams: StreamLimits,
    /// Email: whether it is sent, alert window, link lifetime, retries.
    pub mail: crate::mail::MailConfig,
}

const DAY: u64 = 24 * 60 * 60;

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(14 * DAY),
            max_age: Duration::from_secs(30 * DAY),
            history_retention: Duration::from_secs(90 * DAY),
            audit_retention: Duration::from_secs(365 * DAY),
            max_sessions_per_account: None,
            activity_flush_interval: Duration::from_secs(5),
            auth_cache_ttl: Duration::from_secs(30),
            auth_cache_ttl_unlistened: Duration::from_secs(1),
            reauth_window: Duration::from_secs(10 * 60),
            throttle: ThrottleConfig::default(),
            hashing: HashingConfig::default(),
            streams: StreamLimits::default(),
            mail: crate::mail::MailConfig::default(),
        }
    }
}

impl StoreConfig {
    /// Refuses settings that make no sense, with what is wrong.
    pub fn validate(&self) -> Result<(), StartupError> {
        let bad = |what: &str| Err(StartupError::InvalidConfig(what.to_owned()));
        let t = &self.throttle;
        if self.idle_timeout.is_zero() || self.max_age.is_zero() {
            return bad("SESSION_IDLE_TIMEOUT and SESSION_MAX_AGE must be longer than zero");
        }
        if self.idle_timeout > self.max_age {
            return bad("SESSION_IDLE_TIMEOUT is longer than SESSION_MAX_AGE");
        }
        if self.activity_flush_interval.is_zero() {
            return bad("ACTIVITY_FLUSH_INTERVAL must be longer than zero");
        }
        if self.activity_flush_interval >= self.idle_timeout {
            return bad("ACTIVITY_FLUSH_INTERVAL must be shorter than SESSION_IDLE_TIMEOUT");
        }
        if !self.auth_cache_ttl.is_zero() && self.auth_cache_ttl_unlistened > self.auth_cache_ttl {
            return bad("AUTH_CACHE_TTL_WITHOUT_LISTENER is longer than AUTH_CACHE_TTL");
        }
        if self.history_retention.is_zero() {
            return bad("HISTORY_RETENTION must be longer than zero");
        }
        if self.audit_retention.is_zero() {
            return bad("AUDIT_RETENTION must be longer than zero");
        }
        if t.window.is_zero() || t.registration_window.is_zero() {
            return bad("LOGIN_LOCKOUT and REGISTER_WINDOW must be longer than zero");
        }
        if t.max_failures_per_account_network == 0
            || t.max_failures_per_account == 0
            || t.max_failures_per_ip == 0
            || t.max_registrations_per_ip == 0
        {
            return bad("login and registration limits must be at least 1");
        }
        if t.max_failures_per_account < t.max_failures_per_account_network {
            return bad("LOGIN_MAX_FAILURES_PER_ACCOUNT is lower than LOGIN_MAX_FAILURES");
        }
        if self.hashing.permits == 0 {
            return bad("PASSWORD_HASHING_PERMITS must be at least 1");
        }
        if self.streams.per_session == 0 || self.streams.per_user < self.streams.per_session {
            return bad(
                "LIVE_STREAMS_PER_SESSION must be at least 1 and at most LIVE_STREAMS_PER_USER",
            );
        }
        Ok(())
    }
}

/// Limits on password attempts.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleConfig {
    /// Failed attempts allowed per (account, client network) within `window`.
    pub max_failures_per_account_network: u32,
    /// Failed attempts allowed per account from all networks within `window`.
    pub max_failures_per_account: u32,
    /// Failed attempts allowed per client network within `window`.
    pub max_failures_per_ip: u32,
    /// Length of the counting window, and of the lock-out.
    pub window: Duration,
    /// Accounts created per client network within `registration_window`.
    pub max_registrations_per_ip: u32,
    /// Window of the registration limit.
    pub registration_window: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            max_failures_per_account_network: 5,
            max_failures_per_account: 100,
            max_failures_per_ip: 20,
            window: Duration::from_secs(15 * 60),
            max_registrations_per_ip: 10,
            registration_window: Duration::from_secs(60 * 60),
        }
    }
}

/// Password hashing: its cost and its bound.
#[derive(Debug, Clone, Copy)]
pub struct HashingConfig {
    /// Argon2id memory in KiB (default 19 MiB, OWASP's minimum).
    pub memory_kib: u32,
    /// Argon2id passes (default 2).
    pub iterations: u32,
    /// Hashes that may run at once (default: one per core).
    pub permits: usize,
    /// How long an attempt waits for a permit before the answer is "busy,
    /// retry" (default 250 ms).
    pub max_wait: Duration,
}

impl Default for HashingConfig {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            permits: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_wait: Duration::from_millis(250),
        }
    }
}

/// Live-update streams allowed at once.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    /// Per session (default 5: a few tabs).
    pub per_session: usize,
    /// Per account (default 50).
    pub per_user: usize,
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self {
            per_session: 5,
            per_user: 50,
        }
    }
}

/// A duration in milliseconds, saturating far below `i64::MAX` so that
/// sums of timestamps and durations never overflow.
pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_nonsense_is_named() {
        StoreConfig::default().validate().unwrap();
        let refused = |c: StoreConfig| c.validate().unwrap_err().to_string();
        let d = StoreConfig::default();
        assert!(
            refused(StoreConfig {
                activity_flush_interval: Duration::ZERO,
                ..d
            })
            .contains("ACTIVITY_FLUSH_INTERVAL")
        );
        assert!(
            refused(StoreConfig {
                idle_timeout: Duration::from_secs(40 * DAY),
                ..d
            })
            .contains("longer than SESSION_MAX_AGE")
        );
        let no_permits = HashingConfig {
            permits: 0,
            ..d.hashing
        };
        assert!(
            refused(StoreConfig {
                hashing: no_permits,
                ..d
            })
            .contains("PASSWORD_HASHING_PERMITS")
        );
    }
}
