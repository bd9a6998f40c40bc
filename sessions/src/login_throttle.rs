//! Limits on attempts (passwords, codes, registrations, renames), counted
//! in the database: every server of a deployment shares the counts, and a
//! restart keeps them.
//!
//! Each attempt is *reserved* before its password or code is checked, in
//! one conditional statement per counter, so that parallel guesses (on one
//! server or several) cannot all slip past a check made before any of them
//! failed; a success gives its reservation back. Three counters apply to an
//! attempt on an existing account:
//! - per (account, client network): the configured limit, so that a
//!   stranger's guesses lock out only the stranger's network;
//! - per account across all networks: a much higher limit;
//! - per client network, whatever the account (unknown usernames too).
//!
//! IPv6 clients are counted by their /64. Account counters are keyed by
//! account id and so exist only for real accounts. Windows are judged on
//! the store clock; rows whose window is over are pruned with the history.
//! Hand-written rather than with `governor`: the rule counts attempts that
//! fail and gives successes back, and it must hold across servers.
use crate::config::ms;
use crate::sql::Params;
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::ConnectionTrait;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// A client network: an IPv4 address, or the /64 of an IPv6 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Network(u128);

/// Marks IPv6 networks, so that none equals an IPv4 address.
const V6: u128 = 1 << 32;

impl From<IpAddr> for Network {
    fn from(ip: IpAddr) -> Self {
        match crate::client_ip::canonical(ip) {
            IpAddr::V4(v4) => Network(u128::from(u32::from(v4))),
            IpAddr::V6(v6) => Network((u128::from(v6) & !((1u128 << 64) - 1)) | V6),
        }
    }
}

/// As people read it: `192.0.2.7`, or `2001:db8:1:2::/64`.
impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >> 64 == 0 {
            write!(f, "{}", std::net::Ipv4Addr::from(self.0 as u32))
        } else {
            let prefix = std::net::Ipv6Addr::from(self.0 & !((1u128 << 64) - 1));
            write!(f, "{prefix}/64")
        }
    }
}

/// What one counter counts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counter {
    /// Failed attempts from a network, whatever the account.
    Network(Network),
    /// Failed attempts on an account from all networks.
    Account(i64),
    /// Failed attempts on an account from one network.
    AccountNetwork(i64, Network),
    /// Accounts created from a network.
    Registration(Network),
    /// Session names set by an account.
    Rename(i64),
    /// Password-reset requests from a network.
    ResetNetwork(Network),
    /// Password-reset links sent for an account.
    ResetAccount(i64),
}

/// Session renames allowed per account per hour.
const RENAMES_PER_HOUR: u32 = 30;
/// Password-reset requests per network per hour.
const RESETS_PER_NETWORK_HOUR: u32 = 10;
/// Password-reset links per account per hour.
const RESETS_PER_ACCOUNT_HOUR: u32 = 3;

impl Counter {
    fn key(self) -> String {
        match self {
            Counter::Network(n) => format!("n:{:x}", n.0),
            Counter::Account(a) => format!("a:{a}"),
            Counter::AccountNetwork(a, n) => format!("an:{a}:{:x}", n.0),
            Counter::Registration(n) => format!("r:{:x}", n.0),
            Counter::Rename(a) => format!("rn:{a}"),
            Counter::ResetNetwork(n) => format!("pr:{:x}", n.0),
            Counter::ResetAccount(a) => format!("pa:{a}"),
        }
    }

    fn limit(self, c: &crate::config::ThrottleConfig) -> (u32, Duration) {
        match self {
            Counter::Network(_) => (c.max_failures_per_ip, c.window),
            Counter::Account(_) => (c.max_failures_per_account, c.window),
            Counter::AccountNetwork(..) => (c.max_failures_per_account_network, c.window),
            Counter::Registration(_) => (c.max_registrations_per_ip, c.registration_window),
            Counter::Rename(_) => (RENAMES_PER_HOUR, Duration::from_secs(3600)),
            Counter::ResetNetwork(_) => (RESETS_PER_NETWORK_HOUR, Duration::from_secs(3600)),
            Counter::ResetAccount(_) => (RESETS_PER_ACCOUNT_HOUR, Duration::from_secs(3600)),
        }
    }
}

/// A refusal from a counter, with the seconds until its window ends.
pub(crate) fn limited(retry_after_secs: u64) -> StoreError {
    StoreError::RateLimited { retry_after_secs }
}

impl SessionStore {
    /// Counts one attempt on `counter` unless its limit is reached within
    /// its window ([`StoreError::RateLimited`] then). One statement: the
    /// check and the count cannot be separated by a parallel attempt.
    pub(crate) async fn reserve(&self, counter: Counter, now: i64) -> Result<()> {
        let (limit, window) = counter.limit(&self.inner.config.throttle);
        let db = &self.inner.db;
        let mut p = Params::new(db.get_database_backend());
        let (key, now_p) = (p.push(counter.key()), p.push(now));
        let (stale, limit_p) = (p.push(now - ms(window)), p.push(i64::from(limit)));
        let sql = format!(
            "INSERT INTO throttle_counters (key, count, window_start) VALUES ({key}, 1, {now_p}) \
             ON CONFLICT (key) DO UPDATE SET \
               count = CASE WHEN throttle_counters.window_start <= {stale} THEN 1 \
                            ELSE throttle_counters.count + 1 END, \
               window_start = CASE WHEN throttle_counters.window_start <= {stale} THEN {now_p} \
                                   ELSE throttle_counters.window_start END \
             WHERE throttle_counters.window_start <= {stale} OR throttle_counters.count < {limit_p} \
             RETURNING count"
        );
        if db.query_one_raw(p.statement(sql)).await?.is_some() {
            return Ok(());
        }
        let mut p = Params::new(db.get_database_backend());
        let sql = format!(
            "SELECT window_start FROM throttle_counters WHERE key = {}",
            p.push(counter.key())
        );
        let started: i64 = match db.query_one_raw(p.statement(sql)).await? {
            Some(row) => row.try_get_by_index(0)?,
            None => now,
        };
        let left = (started + ms(window) - now).max(1);
        Err(limited((left as u64).div_ceil(1000)))
    }

    /// Gives one reservation of `counter` back (a success, or an attempt
    /// that never reached a check). A failure here only leaves the count
    /// higher, so it is logged, not returned.
    pub(crate) async fn refund(&self, counter: Counter) {
        let db = &self.inner.db;
        let mut p = Params::new(db.get_database_backend());
        let sql = format!(
            "UPDATE throttle_counters SET count = count - 1 WHERE key = {} AND count > 0",
            p.push(counter.key())
        );
        if let Err(e) = db.execute_raw(p.statement(sql)).await {
            tracing::warn!(error = %e, "could not give an attempt back");
        }
    }

    /// When `counter` lets attempts in again, if its limit is reached now.
    pub(crate) async fn counter_blocked_until(
        &self,
        counter: Counter,
        now: i64,
    ) -> Result<Option<i64>> {
        let (limit, window) = counter.limit(&self.inner.config.throttle);
        let db = &self.inner.db;
        let mut p = Params::new(db.get_database_backend());
        let sql = format!(
            "SELECT count, window_start FROM throttle_counters WHERE key = {}",
            p.push(counter.key())
        );
        let Some(row) = db.query_one_raw(p.statement(sql)).await? else {
            return Ok(None);
        };
        let (count, start): (i32, i64) = (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        let until = start + ms(window);
        Ok((count >= limit as i32 && until > now).then_some(until))
    }

    /// Reserves an attempt from `ip` (any account, known or not).
    pub(crate) async fn reserve_network(&self, ip: IpAddr, now: i64) -> Result<()> {
        self.reserve(Counter::Network(ip.into()), now).await
    }

    /// Reserves an attempt on `account` from `ip`, after
    /// [`reserve_network`](Self::reserve_network).
    pub(crate) async fn reserve_account(&self, account: i64, ip: IpAddr, now: i64) -> Result<()> {
        let pair = Counter::AccountNetwork(account, ip.into());
        self.reserve(pair, now).await?;
        let total = self.reserve(Counter::Account(account), now).await;
        if total.is_err() {
            self.refund(pair).await;
        }
        total
    }

    /// The attempt never reached a check, or succeeded: give it all back.
    /// Earlier failures stay counted (forgiving them would hand guesses
    /// racing beside a right password a fresh allowance).
    pub(crate) async fn give_back(&self, account: Option<i64>, ip: IpAddr) {
        self.refund(Counter::Network(ip.into())).await;
        if let Some(account) = account {
            self.refund(Counter::Account(account)).await;
            self.refund(Counter::AccountNetwork(account, ip.into()))
                .await;
        }
    }

    /// Deletes counters whose window is over.
    pub(crate) async fn prune_counters(&self) -> Result<u64> {
        let t = &self.inner.config.throttle;
        let longest = t
            .window
            .max(t.registration_window)
            .max(Duration::from_secs(3600));
        let db = &self.inner.db;
        let mut p = Params::new(db.get_database_backend());
        let sql = format!(
            "DELETE FROM throttle_counters WHERE window_start < {}",
            p.push(self.now_ms() - ms(longest))
        );
        Ok(db.execute_raw(p.statement(sql)).await?.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ThrottleConfig;
    use crate::store::testing::sqlite_store_with;

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
    async fn fail(s: &SessionStore, account: i64, from: &str, now: i64) -> Result<()> {
        s.reserve_network(ip(from), now).await?;
        let r = s.reserve_account(account, ip(from), now).await;
        if r.is_err() {
            s.give_back(None, ip(from)).await;
        }
        r
    }

    fn wait(r: Result<()>) -> Option<u64> {
        match r {
            Err(StoreError::RateLimited { retry_after_secs }) => Some(retry_after_secs),
            _ => None,
        }
    }

    #[tokio::test]
    async fn a_network_locks_only_itself_out_of_an_account() {
        let (s, _, _dir) = sqlite_store_with(config()).await;
        for _ in 0..3 {
            fail(&s, 1, "1.1.1.1", 0).await.unwrap();
        }
        assert_eq!(wait(fail(&s, 1, "1.1.1.1", 1_000).await), Some(59));
        // The owner elsewhere, and other accounts, are not affected.
        assert!(s.reserve_account(1, ip("2.2.2.2"), 1_000).await.is_ok());
        s.give_back(Some(1), ip("2.2.2.2")).await;
        assert!(fail(&s, 2, "1.1.1.1", 1_000).await.is_ok());
        // The window ends on the store clock.
        assert!(fail(&s, 1, "1.1.1.1", 60_000).await.is_ok());
    }

    #[tokio::test]
    async fn the_account_total_holds_across_networks() {
        let (s, _, _dir) = sqlite_store_with(config()).await;
        for n in 0..6 {
            fail(&s, 1, &format!("10.0.0.{n}"), 0).await.unwrap();
        }
        assert!(fail(&s, 1, "10.0.1.1", 0).await.is_err());
        // Refused by the total: the network's own count was given back.
        assert!(fail(&s, 2, "10.0.1.1", 0).await.is_ok());
    }

    #[tokio::test]
    async fn ipv6_counts_by_64() {
        let (s, _, _dir) = sqlite_store_with(config()).await;
        for n in 1..=3 {
            fail(&s, 1, &format!("2001:db8:1:2::{n}"), 0).await.unwrap();
        }
        assert!(fail(&s, 1, "2001:db8:1:2:ffff::9", 0).await.is_err());
        assert!(fail(&s, 1, "2001:db8:1:3::1", 0).await.is_ok());
        assert_ne!(Network::from(ip("0.0.0.1")), Network::from(ip("::1")));
        assert_eq!(Network::from(ip("192.0.2.7")).to_string(), "192.0.2.7");
        assert_eq!(
            Network::from(ip("2001:db8:1:2:3:4:5:6")).to_string(),
            "2001:db8:1:2::/64"
        );
    }

    #[tokio::test]
    async fn success_and_cancel_give_reservations_back() {
        let (s, clock, _dir) = sqlite_store_with(config()).await;
        for _ in 0..10 {
            s.reserve_network(ip("1.1.1.1"), 0).await.unwrap();
            s.reserve_account(1, ip("1.1.1.1"), 0).await.unwrap();
            s.give_back(Some(1), ip("1.1.1.1")).await;
        }
        for _ in 0..3 {
            fail(&s, 1, "1.1.1.1", 0).await.unwrap();
        }
        assert!(fail(&s, 1, "1.1.1.1", 0).await.is_err());
        // Windows that are over are pruned.
        clock.set(crate::clock::from_ms(7_200_000));
        assert!(s.prune_counters().await.unwrap() > 0);
    }

    #[tokio::test]
    async fn registrations_per_network() {
        let (s, _, _dir) = sqlite_store_with(ThrottleConfig {
            max_registrations_per_ip: 2,
            ..config()
        })
        .await;
        let r = |from: &'static str| {
            let s = s.clone();
            async move { s.reserve(Counter::Registration(ip(from).into()), 0).await }
        };
        r("1.1.1.1").await.unwrap();
        r("1.1.1.1").await.unwrap();
        assert!(r("1.1.1.1").await.is_err());
        s.refund(Counter::Registration(ip("1.1.1.1").into())).await;
        assert!(r("1.1.1.1").await.is_ok());
        assert!(r("1.1.1.2").await.is_ok());
    }
}
