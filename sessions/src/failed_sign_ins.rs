//! Failed sign-ins the owner can see: for each client network, day and the
//! step that failed (the password, or the code after a right password),
//! how many, from which device and country, and whether that network is
//! locked out now. Only attempts on an existing account are kept, and
//! nothing that was typed (no password, no username). A right password
//! followed by a wrong code also mails the owner, at most once per network
//! per alert window. Rows older than [`SHOWN_DAYS`] are pruned.
use crate::Result;
use crate::clock::from_ms;
use crate::entity::user;
use crate::geo::Location;
use crate::login_throttle::{Counter, Network};
use crate::mail::{MailKind, SignInFacts, once_per_window, verified_address};
use crate::model::{DeviceType, RequestFacts};
use crate::sql::Params;
use crate::store::SessionStore;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveEnum, ConnectionTrait, TransactionTrait};
use std::net::IpAddr;

/// Days of failed sign-ins the sessions page shows (and the store keeps).
pub const SHOWN_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

/// The step of a sign-in that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedStep {
    /// A wrong password.
    Password,
    /// The right password, then a wrong second-factor code.
    Code,
}

impl FailedStep {
    fn as_str(self) -> &'static str {
        match self {
            FailedStep::Password => "password",
            FailedStep::Code => "code",
        }
    }
}

/// Failed sign-ins of one day from one network at one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedSignIn {
    /// The client network: an IPv4 address or an IPv6 /64.
    pub network: String,
    /// Which step failed.
    pub step: FailedStep,
    /// How many times that day.
    pub count: u32,
    /// The first of them.
    pub first_at: DateTime<Utc>,
    /// The latest of them.
    pub last_at: DateTime<Utc>,
    /// The client IP of the latest.
    pub ip: String,
    /// Where it is.
    pub location: Location,
    /// The device of the latest.
    pub device_type: DeviceType,
    /// Its platform.
    pub platform: String,
    /// Its browser.
    pub browser_name: String,
    /// Until when this network may not try the account's password again.
    pub locked_until: Option<DateTime<Utc>>,
}

impl SessionStore {
    /// Records a failed sign-in on `owner`'s account (in one transaction
    /// with the alert a wrong code raises).
    pub(crate) async fn record_failed_sign_in(
        &self,
        owner: &user::Model,
        facts: &RequestFacts,
        step: FailedStep,
    ) -> Result<()> {
        let ua = crate::agent::truncate_user_agent(&facts.user_agent);
        let info = self.inner.agents.classify(ua).await;
        let ip = crate::client_ip::canonical(facts.ip);
        let country = self.country_of(ip);
        let network = Network::from(ip).to_string();
        let now = self.now_ms();
        let txn = self.inner.db.begin().await?;
        let mut p = Params::new(txn.get_database_backend());
        let values = [
            p.push(owner.id),
            p.push(now.div_euclid(DAY_MS)),
            p.push(network.clone()),
            p.push(step.as_str()),
            p.push(now),
            p.push(ip.to_string()),
            p.push(country.clone()),
            p.push(info.device_type.to_value()),
            p.push(info.platform.clone()),
            p.push(info.browser_name.clone()),
        ];
        let [user, day, net, step_p, at, last_ip, cc, dt, pf, br] = &values;
        let sql = format!(
            "INSERT INTO failed_sign_ins (user_id, day, network, step, count, first_at, last_at, \
               last_ip, country_code, device_type, platform, browser_name) \
             VALUES ({user}, {day}, {net}, {step_p}, 1, {at}, {at}, {last_ip}, {cc}, {dt}, {pf}, {br}) \
             ON CONFLICT (user_id, day, network, step) DO UPDATE SET \
               count = failed_sign_ins.count + 1, last_at = excluded.last_at, \
               last_ip = excluded.last_ip, country_code = excluded.country_code, \
               device_type = excluded.device_type, platform = excluded.platform, \
               browser_name = excluded.browser_name"
        );
        txn.execute_raw(p.statement(sql)).await?;
        let mut p = Params::new(txn.get_database_backend());
        let sql = format!(
            "UPDATE users SET failed_sign_in_at = {} WHERE id = {}",
            p.push(now),
            p.push(owner.id)
        );
        txn.execute_raw(p.statement(sql)).await?;
        let config = &self.inner.config.mail;
        let mut mailed = false;
        if let (FailedStep::Code, true, Some(to)) = (step, config.enabled, verified_address(owner))
        {
            let facts = SignInFacts {
                username: owner.username.clone(),
                device_type: info.device_type,
                platform: info.platform.clone(),
                browser: info.browser_name.clone(),
                ip: ip.to_string(),
                country_code: country,
                at_ms: now,
                new_device: false,
                new_location: false,
                recovery_code: false,
                app: None,
            };
            let key = format!("failed_code:{network}");
            let kind = MailKind::FailedCode(facts);
            mailed = once_per_window(&txn, config, owner.id, to, &kind, key, now).await?;
        }
        txn.commit().await?;
        self.mail_queued_now(mailed);
        self.publish(crate::events::SessionEvent::FailedSignIn { user_id: owner.id });
        Ok(())
    }

    /// The failed sign-ins of `user_id`'s account in the last
    /// [`SHOWN_DAYS`] days, latest first (at most 50 rows).
    pub async fn failed_sign_ins(&self, user_id: i64) -> Result<Vec<FailedSignIn>> {
        let now = self.now_ms();
        let db = &self.inner.db;
        let mut p = Params::new(db.get_database_backend());
        let sql = format!(
            "SELECT network, step, count, first_at, last_at, last_ip, country_code, device_type, \
               platform, browser_name FROM failed_sign_ins \
             WHERE user_id = {} AND last_at > {} ORDER BY last_at DESC LIMIT 50",
            p.push(user_id),
            p.push(now - SHOWN_DAYS * DAY_MS)
        );
        let rows = db.query_all_raw(p.statement(sql)).await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut locks = std::collections::HashMap::new();
        for r in rows {
            let ip: String = r.try_get_by_index(5)?;
            let code: Option<String> = r.try_get_by_index(6)?;
            let step: String = r.try_get_by_index(1)?;
            let network: String = r.try_get_by_index(0)?;
            let locked_until = match locks.get(&network) {
                Some(known) => *known,
                None => {
                    let until = self.locked_until(user_id, &ip, now).await?;
                    locks.insert(network.clone(), until);
                    until
                }
            };
            out.push(FailedSignIn {
                locked_until,
                network,
                step: if step == "code" {
                    FailedStep::Code
                } else {
                    FailedStep::Password
                },
                count: r.try_get_by_index::<i32>(2)?.max(0) as u32,
                first_at: from_ms(r.try_get_by_index(3)?),
                last_at: from_ms(r.try_get_by_index(4)?),
                location: Location::from_parts(ip.parse().ok(), code.as_deref()),
                ip,
                device_type: r.try_get_by_index(7)?,
                platform: r.try_get_by_index(8)?,
                browser_name: r.try_get_by_index(9)?,
            });
        }
        Ok(out)
    }

    /// When the network of `ip` may try `user_id`'s password again, if it
    /// is locked out now.
    async fn locked_until(
        &self,
        user_id: i64,
        ip: &str,
        now: i64,
    ) -> Result<Option<DateTime<Utc>>> {
        let Ok(ip) = ip.parse::<IpAddr>() else {
            return Ok(None);
        };
        let counter = Counter::AccountNetwork(user_id, ip.into());
        Ok(self.counter_blocked_until(counter, now).await?.map(from_ms))
    }

    /// Deletes failed sign-ins older than [`SHOWN_DAYS`].
    pub(crate) async fn prune_failed_sign_ins(&self) -> Result<u64> {
        let db = &self.inner.db;
        let mut p = Params::new(db.get_database_backend());
        let sql = format!(
            "DELETE FROM failed_sign_ins WHERE last_at < {}",
            p.push(self.now_ms() - SHOWN_DAYS * DAY_MS)
        );
        Ok(db.execute_raw(p.statement(sql)).await?.rows_affected())
    }
}
