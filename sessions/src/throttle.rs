//! Failed-login limits per account and per client IP.
//!
//! Hand-written over a moka cache rather than with `governor`: the rule is
//! "count failures only, and check before verifying", while a GCRA limiter
//! spends a cell on every check, successful logins included.
use moka::sync::Cache;
use std::net::IpAddr;
use std::time::{Duration, Instant};

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

#[derive(Clone, Copy)]
struct Window {
    failures: u32,
    started: Instant,
}

/// Counts failed logins; refuses further attempts once a limit is reached.
pub struct LoginThrottle {
    config: ThrottleConfig,
    failures: Cache<String, Window>,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("config", &self.config)
            .finish()
    }
}

impl LoginThrottle {
    /// A throttle with `config`.
    pub fn new(config: ThrottleConfig) -> Self {
        Self {
            config,
            failures: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(config.window)
                .build(),
        }
    }

    fn keys(username_key: &str, ip: IpAddr) -> [(String, u32); 2] {
        [(format!("u:{username_key}"), 0), (format!("ip:{ip}"), 1)]
    }

    fn limit(&self, kind: u32) -> u32 {
        if kind == 0 {
            self.config.max_failures_per_account
        } else {
            self.config.max_failures_per_ip
        }
    }

    /// `Err(seconds to wait)` when the account or the IP is locked out.
    pub fn check(&self, username_key: &str, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut wait = None::<Duration>;
        for (key, kind) in Self::keys(username_key, ip) {
            if let Some(w) = self.failures.get(&key) {
                let elapsed = now.duration_since(w.started);
                if elapsed < self.config.window && w.failures >= self.limit(kind) {
                    let left = self.config.window - elapsed;
                    wait = Some(wait.map_or(left, |x| x.max(left)));
                }
            }
        }
        match wait {
            Some(d) => Err(d.as_secs().max(1)),
            None => Ok(()),
        }
    }

    /// Counts one failed attempt against the account and the IP.
    pub fn record_failure(&self, username_key: &str, ip: IpAddr) {
        let now = Instant::now();
        let window = self.config.window;
        for (key, _) in Self::keys(username_key, ip) {
            self.failures.entry(key).and_upsert_with(|old| match old {
                Some(e) if now.duration_since(e.value().started) < window => Window {
                    failures: e.value().failures + 1,
                    started: e.value().started,
                },
                _ => Window {
                    failures: 1,
                    started: now,
                },
            });
        }
    }

    /// Clears the account's counter after a successful login.
    pub fn record_success(&self, username_key: &str) {
        self.failures.invalidate(&format!("u:{username_key}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn account_locks_after_limit_and_other_accounts_do_not() {
        let t = LoginThrottle::new(ThrottleConfig {
            max_failures_per_account: 3,
            max_failures_per_ip: 100,
            window: Duration::from_secs(60),
        });
        for _ in 0..2 {
            t.record_failure("alice", ip("1.1.1.1"));
            assert!(t.check("alice", ip("1.1.1.1")).is_ok());
        }
        t.record_failure("alice", ip("1.1.1.1"));
        let wait = t.check("alice", ip("2.2.2.2")).unwrap_err();
        assert!(wait > 0 && wait <= 60);
        assert!(t.check("bob", ip("1.1.1.1")).is_ok());
    }

    #[test]
    fn ip_locks_across_accounts() {
        let t = LoginThrottle::new(ThrottleConfig {
            max_failures_per_account: 100,
            max_failures_per_ip: 4,
            window: Duration::from_secs(60),
        });
        for i in 0..4 {
            t.record_failure(&format!("user{i}"), ip("9.9.9.9"));
        }
        assert!(t.check("someone-else", ip("9.9.9.9")).is_err());
        assert!(t.check("someone-else", ip("8.8.8.8")).is_ok());
    }

    #[test]
    fn window_expires() {
        let t = LoginThrottle::new(ThrottleConfig {
            max_failures_per_account: 1,
            max_failures_per_ip: 100,
            window: Duration::from_millis(50),
        });
        t.record_failure("alice", ip("1.1.1.1"));
        assert!(t.check("alice", ip("1.1.1.1")).is_err());
        std::thread::sleep(Duration::from_millis(80));
        assert!(t.check("alice", ip("1.1.1.1")).is_ok());
    }
}
