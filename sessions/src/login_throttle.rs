//! Failed-login limits per account and per client IP, on the store clock.
//!
//! Hand-written over a moka cache rather than with `governor`: the rule is
//! "count failures only, and check before verifying", while a GCRA limiter
//! spends a cell on every check, successful logins included.
use crate::config::{ThrottleConfig, ms};
use moka::sync::Cache;
use std::net::IpAddr;

#[derive(Clone, Copy)]
struct Window {
    failures: u32,
    started_ms: i64,
}

/// Counts failed logins; refuses further attempts once a limit is reached.
pub(crate) struct LoginThrottle {
    config: ThrottleConfig,
    window_ms: i64,
    failures: Cache<String, Window>,
}

impl LoginThrottle {
    pub fn new(config: ThrottleConfig) -> Self {
        Self {
            config,
            window_ms: ms(config.window),
            // The TTL only bounds memory; windows are judged on the store clock.
            failures: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(config.window)
                .build(),
        }
    }

    fn keys(&self, username_key: &str, ip: IpAddr) -> [(String, u32); 2] {
        [
            (
                format!("u:{username_key}"),
                self.config.max_failures_per_account,
            ),
            (format!("ip:{ip}"), self.config.max_failures_per_ip),
        ]
    }

    /// `Err(seconds to wait)` when the account or the IP is locked out.
    pub fn check(&self, username_key: &str, ip: IpAddr, now_ms: i64) -> Result<(), u64> {
        let mut wait_ms = 0;
        for (key, limit) in self.keys(username_key, ip) {
            if let Some(w) = self.failures.get(&key) {
                let elapsed = now_ms - w.started_ms;
                if elapsed < self.window_ms && w.failures >= limit {
                    wait_ms = wait_ms.max(self.window_ms - elapsed);
                }
            }
        }
        match wait_ms {
            0 => Ok(()),
            w => Err((w as u64).div_ceil(1000)),
        }
    }

    /// Counts one failed attempt against the account and the IP.
    pub fn record_failure(&self, username_key: &str, ip: IpAddr, now_ms: i64) {
        for (key, _) in self.keys(username_key, ip) {
            self.failures.entry(key).and_upsert_with(|old| match old {
                Some(e) if now_ms - e.value().started_ms < self.window_ms => Window {
                    failures: e.value().failures + 1,
                    started_ms: e.value().started_ms,
                },
                _ => Window {
                    failures: 1,
                    started_ms: now_ms,
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
    use std::time::Duration;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn throttle(per_account: u32, per_ip: u32) -> LoginThrottle {
        LoginThrottle::new(ThrottleConfig {
            max_failures_per_account: per_account,
            max_failures_per_ip: per_ip,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn account_locks_after_limit_and_other_accounts_do_not() {
        let t = throttle(3, 100);
        for _ in 0..2 {
            t.record_failure("alice", ip("1.1.1.1"), 0);
            assert!(t.check("alice", ip("1.1.1.1"), 0).is_ok());
        }
        t.record_failure("alice", ip("1.1.1.1"), 0);
        assert_eq!(t.check("alice", ip("2.2.2.2"), 1_000), Err(59));
        assert!(t.check("bob", ip("1.1.1.1"), 0).is_ok());
        t.record_success("alice");
        assert!(t.check("alice", ip("1.1.1.1"), 0).is_ok());
    }

    #[test]
    fn ip_locks_across_accounts() {
        let t = throttle(100, 4);
        for i in 0..4 {
            t.record_failure(&format!("user{i}"), ip("9.9.9.9"), 0);
        }
        assert!(t.check("someone-else", ip("9.9.9.9"), 0).is_err());
        assert!(t.check("someone-else", ip("8.8.8.8"), 0).is_ok());
    }

    #[test]
    fn window_expires_on_the_store_clock() {
        let t = throttle(1, 100);
        t.record_failure("alice", ip("1.1.1.1"), 0);
        assert_eq!(t.check("alice", ip("1.1.1.1"), 59_999), Err(1));
        assert!(t.check("alice", ip("1.1.1.1"), 60_000).is_ok());
        // A failure after the window starts a new one.
        t.record_failure("alice", ip("1.1.1.1"), 60_000);
        assert!(t.check("alice", ip("1.1.1.1"), 60_001).is_err());
    }
}
