//! Limits on password attempts (logins, password checks, registrations),
//! on the store clock.
//!
//! Each attempt is *reserved* before its password is checked, atomically
//! per counter, so that parallel guesses cannot all slip past a check made
//! before any of them failed; a success gives its reservation back. Three
//! counters apply to an attempt on an existing account:
//! - per (account, client network): the configured limit, so that a
//!   stranger's guesses lock out only the stranger's network;
//! - per account across all networks: a much higher limit;
//! - per client network, whatever the account (unknown usernames too).
//!
//! IPv6 clients are counted by their /64. The three live in separate caches,
//! so flooding one (say, from many addresses) cannot evict another's counts;
//! account counters are keyed by account id and so exist only for real
//! accounts. Hand-written over moka rather than with `governor`: the rule
//! counts attempts that fail, and gives successes back.
use crate::config::{ThrottleConfig, ms};
use moka::ops::compute::Op;
use moka::sync::Cache;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::Duration;

/// A client network: an IPv4 address, or the /64 of an IPv6 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Network(u128);

impl From<IpAddr> for Network {
    fn from(ip: IpAddr) -> Self {
        match crate::client_ip::canonical(ip) {
            IpAddr::V4(v4) => Network(u128::from(u32::from(v4))),
            // The /64, marked so that no IPv6 network equals an IPv4 address.
            IpAddr::V6(v6) => Network((u128::from(v6) & !((1u128 << 64) - 1)) | (1 << 32)),
        }
    }
}

#[derive(Clone, Copy)]
struct Window {
    count: u32,
    started_ms: i64,
}

/// Attempts within a window, by key.
struct Counter<K> {
    limit: u32,
    window_ms: i64,
    windows: Cache<K, Window>,
}

impl<K: Hash + Eq + Send + Sync + Clone + 'static> Counter<K> {
    fn new(limit: u32, window: Duration, capacity: u64) -> Self {
        Self {
            limit,
            window_ms: ms(window),
            // The TTL only bounds memory; windows are judged on the store clock.
            windows: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(window)
                .build(),
        }
    }

    /// Counts one attempt unless the limit is reached (then the seconds
    /// until the window ends).
    fn reserve(&self, key: K, now_ms: i64) -> Result<(), u64> {
        let mut verdict = Ok(());
        self.windows.entry(key).and_compute_with(|entry| {
            let open = entry
                .map(|e| e.into_value())
                .filter(|w| now_ms - w.started_ms < self.window_ms);
            match open {
                Some(w) if w.count >= self.limit => {
                    let left = self.window_ms - (now_ms - w.started_ms);
                    verdict = Err((left as u64).div_ceil(1000).max(1));
                    Op::Nop
                }
                Some(w) => Op::Put(Window {
                    count: w.count + 1,
                    ..w
                }),
                None => Op::Put(Window {
                    count: 1,
                    started_ms: now_ms,
                }),
            }
        });
        verdict
    }

    /// Gives one reservation back.
    fn refund(&self, key: K) {
        self.windows
            .entry(key)
            .and_compute_with(|entry| match entry {
                Some(e) if e.value().count > 1 => Op::Put(Window {
                    count: e.value().count - 1,
                    ..*e.value()
                }),
                Some(_) => Op::Remove,
                None => Op::Nop,
            });
    }
}

/// Bounds on the counters' memory: the network tables take the floods.
const NETWORK_CAPACITY: u64 = 100_000;
const ACCOUNT_CAPACITY: u64 = 1_000_000;

pub(crate) struct LoginThrottle {
    by_network: Counter<Network>,
    by_account: Counter<i64>,
    by_account_network: Counter<(i64, Network)>,
    registrations: Counter<Network>,
}

impl LoginThrottle {
    pub fn new(c: ThrottleConfig) -> Self {
        Self::with_capacity(c, NETWORK_CAPACITY)
    }

    fn with_capacity(c: ThrottleConfig, network_capacity: u64) -> Self {
        Self {
            by_network: Counter::new(c.max_failures_per_ip, c.window, network_capacity),
            by_account: Counter::new(c.max_failures_per_account, c.window, ACCOUNT_CAPACITY),
            by_account_network: Counter::new(
                c.max_failures_per_account_network,
                c.window,
                network_capacity,
            ),
            registrations: Counter::new(
                c.max_registrations_per_ip,
                c.registration_window,
                network_capacity,
            ),
        }
    }

    /// Reserves an attempt from `ip` (any account, known or not).
    pub fn reserve_network(&self, ip: IpAddr, now_ms: i64) -> Result<(), u64> {
        self.by_network.reserve(ip.into(), now_ms)
    }

    /// Reserves an attempt on `account` from `ip`, after
    /// [`reserve_network`](Self::reserve_network).
    pub fn reserve_account(&self, account: i64, ip: IpAddr, now_ms: i64) -> Result<(), u64> {
        self.by_account_network
            .reserve((account, ip.into()), now_ms)?;
        self.by_account.reserve(account, now_ms).inspect_err(|_| {
            self.by_account_network.refund((account, ip.into()));
        })
    }

    /// The attempt never reached a password check: give it all back.
    pub fn cancel(&self, account: Option<i64>, ip: IpAddr) {
        self.by_network.refund(ip.into());
        if let Some(account) = account {
            self.by_account.refund(account);
            self.by_account_network.refund((account, ip.into()));
        }
    }

    /// The password was right: this attempt is given back everywhere.
    /// Earlier failures stay counted (forgiving them would hand guesses
    /// racing beside a right password a fresh allowance).
    pub fn succeeded(&self, account: i64, ip: IpAddr) {
        self.cancel(Some(account), ip);
    }

    /// Reserves one registration from `ip`.
    pub fn reserve_registration(&self, ip: IpAddr, now_ms: i64) -> Result<(), u64> {
        self.registrations.reserve(ip.into(), now_ms)
    }

    /// A registration that failed before creating anything.
    pub fn cancel_registration(&self, ip: IpAddr) {
        self.registrations.refund(ip.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn config() -> ThrottleConfig {
        ThrottleConfig {
            max_failures_per_account_network: 3,
            max_failures_per_account: 6,
            max_failures_per_ip: 100,
            window: Duration::from_secs(60),
            ..ThrottleConfig::default()
        }
    }

    /// A failed attempt on `account` from `from` at `now`: reserved and kept.
    fn fail(t: &LoginThrottle, account: i64, from: &str, now: i64) -> Result<(), u64> {
        t.reserve_network(ip(from), now)?;
        t.reserve_account(account, ip(from), now)
            .inspect_err(|_| t.cancel(None, ip(from)))
    }

    #[test]
    fn a_network_locks_only_itself_out_of_an_account() {
        let t = LoginThrottle::new(config());
        for _ in 0..3 {
            fail(&t, 1, "1.1.1.1", 0).unwrap();
        }
        assert_eq!(fail(&t, 1, "1.1.1.1", 1_000), Err(59));
        // The owner elsewhere, and other accounts, are not affected.
        assert!(t.reserve_account(1, ip("2.2.2.2"), 1_000).is_ok());
        t.succeeded(1, ip("2.2.2.2"));
        assert!(fail(&t, 2, "1.1.1.1", 1_000).is_ok());
        // The window ends on the store clock.
        assert!(fail(&t, 1, "1.1.1.1", 60_000).is_ok());
    }

    #[test]
    fn the_account_total_holds_across_networks() {
        let t = LoginThrottle::new(config());
        for n in 0..6 {
            fail(&t, 1, &format!("10.0.0.{n}"), 0).unwrap();
        }
        assert!(fail(&t, 1, "10.0.1.1", 0).is_err());
        // Refused by the total: the network's own count was given back.
        assert!(fail(&t, 2, "10.0.1.1", 0).is_ok());
    }

    #[test]
    fn ipv6_counts_by_64() {
        let t = LoginThrottle::new(config());
        for n in 1..=3 {
            fail(&t, 1, &format!("2001:db8:1:2::{n}"), 0).unwrap();
        }
        assert!(fail(&t, 1, "2001:db8:1:2:ffff::9", 0).is_err());
        assert!(fail(&t, 1, "2001:db8:1:3::1", 0).is_ok());
        assert_ne!(Network::from(ip("0.0.0.1")), Network::from(ip("::1")));
    }

    #[test]
    fn success_and_cancel_give_reservations_back() {
        let t = LoginThrottle::new(config());
        for _ in 0..10 {
            t.reserve_network(ip("1.1.1.1"), 0).unwrap();
            t.reserve_account(1, ip("1.1.1.1"), 0).unwrap();
            t.succeeded(1, ip("1.1.1.1"));
            t.reserve_network(ip("1.1.1.1"), 0).unwrap();
            t.reserve_account(1, ip("1.1.1.1"), 0).unwrap();
            t.cancel(Some(1), ip("1.1.1.1"));
        }
        for _ in 0..3 {
            fail(&t, 1, "1.1.1.1", 0).unwrap();
        }
        assert!(fail(&t, 1, "1.1.1.1", 0).is_err());
    }

    #[test]
    fn flooding_the_network_table_does_not_evict_account_counts() {
        let t = LoginThrottle::with_capacity(config(), 100);
        for n in 0..6 {
            fail(&t, 1, &format!("10.0.0.{n}"), 0).unwrap();
        }
        for n in 0..5_000u32 {
            let _ = t.reserve_network(IpAddr::from(n.to_be_bytes()), 0);
        }
        t.by_network.windows.run_pending_tasks();
        t.by_account_network.windows.run_pending_tasks();
        assert!(t.by_network.windows.entry_count() <= 100);
        assert!(t.reserve_account(1, ip("10.9.9.9"), 0).is_err());
    }

    #[test]
    fn registrations_per_network() {
        let t = LoginThrottle::new(ThrottleConfig {
            max_registrations_per_ip: 2,
            ..config()
        });
        t.reserve_registration(ip("1.1.1.1"), 0).unwrap();
        t.reserve_registration(ip("1.1.1.1"), 0).unwrap();
        assert!(t.reserve_registration(ip("1.1.1.1"), 0).is_err());
        t.cancel_registration(ip("1.1.1.1"));
        assert!(t.reserve_registration(ip("1.1.1.1"), 0).is_ok());
        assert!(t.reserve_registration(ip("1.1.1.2"), 0).is_ok());
    }
}
