//! The [`SessionStore`] handle: what it holds, how it is built, and the
//! background work it runs. Each product action lives in the module of its
//! concept (accounts, login, authn, activity, history, ending, retention).
use crate::activity::buffer::ActivityBuffer;
use crate::agent::UserAgents;
use crate::authn::cache::AuthCache;
use crate::authn::recently_ended::RecentlyEnded;
use crate::authn::usernames::Usernames;
use crate::clock::{Clock, SystemClock};
use crate::cluster::link::Link;
use crate::config::StoreConfig;
use crate::events::UserEvents;
use crate::events::hub::EventHub;
use crate::geo::{GeoIp, Location, is_local};
use crate::hashing::PasswordWork;
use crate::model::CurrentSession;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct Inner {
    pub db: DatabaseConnection,
    pub config: StoreConfig,
    pub clock: Arc<dyn Clock>,
    pub geo: Arc<GeoIp>,
    pub agents: &'static UserAgents,
    pub events: EventHub,
    /// Account pages shared by an account's open boards.
    pub pages: crate::sessions_page::page::PageCache,
    pub activity: ActivityBuffer,
    /// Held shared by whoever reads a row and adds pending activity to it,
    /// exclusively by the flush while a batch is out of memory and not yet
    /// committed: a reader never sees the batch in neither place.
    pub flush_lock: tokio::sync::RwLock<()>,
    pub passwords: PasswordWork,
    pub auth_cache: Option<AuthCache>,
    pub recently_ended: RecentlyEnded,
    pub usernames: Usernames,
    pub link: Link,
    /// Verified addresses passed to apps (forward authentication), kept
    /// briefly: changes through this server drop them at once, through
    /// another within the time to live.
    pub emails: moka::sync::Cache<i64, Option<Arc<str>>>,
    /// Protected apps are configured: pages read which apps sessions used.
    pub forward_auth: std::sync::atomic::AtomicBool,
    /// Woken when this store queues an email.
    pub mail_waiting: tokio::sync::Notify,
    /// Seals second-factor secrets and keys recovery-code hashes.
    pub secret_key: std::sync::OnceLock<crate::two_factor::key::Keyring>,
    /// Audit events captured from the log, written with the activity.
    pub audit: std::sync::OnceLock<crate::audit::AuditQueue>,
    /// Counts for the operator's metrics.
    pub counters: crate::stats::counters::Counters,
}

/// The session store. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct SessionStore {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionStore")
            .field("config", &self.inner.config)
            .field("geo", &self.inner.geo)
            .finish()
    }
}

impl SessionStore {
    /// A store over `db` (already migrated) with the system clock. The GeoIP
    /// database may be shared (`Arc<GeoIp>`) between stores.
    pub fn new(db: DatabaseConnection, config: StoreConfig, geo: impl Into<Arc<GeoIp>>) -> Self {
        Self::with_clock(db, config, geo, Arc::new(SystemClock))
    }

    /// A store with an injected clock (tests, benchmarks, demo data).
    pub fn with_clock(
        db: DatabaseConnection,
        config: StoreConfig,
        geo: impl Into<Arc<GeoIp>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        // Alone on SQLite, ends are all heard at once: the long TTL. With
        // others on PostgreSQL, the short one until the listener is up.
        let shared = db.get_database_backend() == sea_orm::DbBackend::Postgres;
        let ttl = if shared {
            config.auth_cache_ttl_unlistened
        } else {
            config.auth_cache_ttl
        };
        let auth_cache = (!config.auth_cache_ttl.is_zero()).then(|| AuthCache::new(ttl));
        Self {
            inner: Arc::new(Inner {
                db,
                passwords: PasswordWork::new(config.hashing),
                config,
                clock,
                geo: geo.into(),
                agents: UserAgents::global(),
                events: EventHub::default(),
                pages: crate::sessions_page::page::page_cache(),
                activity: ActivityBuffer::default(),
                flush_lock: tokio::sync::RwLock::new(()),
                auth_cache,
                recently_ended: RecentlyEnded::new(config.auth_cache_ttl),
                usernames: Usernames::new(),
                link: Link::new(shared),
                forward_auth: std::sync::atomic::AtomicBool::new(false),
                emails: moka::sync::Cache::builder()
                    .max_capacity(100_000)
                    .time_to_live(std::time::Duration::from_secs(30))
                    .build(),
                mail_waiting: tokio::sync::Notify::new(),
                secret_key: std::sync::OnceLock::new(),
                audit: std::sync::OnceLock::new(),
                counters: crate::stats::counters::Counters::default(),
            }),
        }
    }

    /// The database connection.
    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// The configuration.
    pub fn config(&self) -> &StoreConfig {
        &self.inner.config
    }

    /// Resolves when this store has queued an email (one waiter is woken
    /// per email; queued by another server, it is found by polling).
    pub async fn mail_queued(&self) {
        self.inner.mail_waiting.notified().await;
    }

    /// Protected apps are configured (forward authentication): pages show
    /// which apps each session used.
    pub fn set_forward_auth(&self, on: bool) {
        self.inner
            .forward_auth
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The verified email address of account `user_id`, if it has one
    /// (what forward authentication passes to apps on every request: kept
    /// for 30 seconds; a change through this server is seen at once).
    pub async fn verified_email(&self, user_id: i64) -> crate::Result<Option<Arc<str>>> {
        if let Some(known) = self.inner.emails.get(&user_id) {
            return Ok(known);
        }
        let email = self.read_verified_email(user_id).await?.map(Arc::from);
        self.inner.emails.insert(user_id, email.clone());
        Ok(email)
    }

    async fn read_verified_email(&self, user_id: i64) -> crate::Result<Option<String>> {
        use sea_orm::{EntityTrait, QuerySelect};
        let row: Option<(Option<String>, Option<i64>)> =
            crate::entity::user::Entity::find_by_id(user_id)
                .select_only()
                .column(crate::entity::user::Column::Email)
                .column(crate::entity::user::Column::EmailVerifiedAt)
                .into_tuple()
                .one(&self.inner.db)
                .await?;
        Ok(row.and_then(|(email, verified)| email.filter(|_| verified.is_some())))
    }

    /// The GeoIP database in use.
    pub fn geoip(&self) -> &GeoIp {
        &self.inner.geo
    }

    /// Subscribes `current`'s page to the changes of its account's
    /// sessions, within the per-session and per-account stream limits.
    pub fn subscribe(&self, current: &CurrentSession) -> Result<UserEvents> {
        let limits = self.inner.config.streams;
        self.inner
            .events
            .subscribe(current.user_id, &current.public_id, limits)
            .ok_or(StoreError::TooManyStreams)
    }

    /// The store's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// The country code stored for `ip` (none for local addresses).
    pub(crate) fn country_of(&self, ip: IpAddr) -> Option<String> {
        if is_local(ip) {
            None
        } else {
            self.inner.geo.country_code(ip)
        }
    }

    pub(crate) fn location_of(&self, ip: IpAddr) -> Location {
        self.inner.geo.locate(ip)
    }

    /// Runs the activity flush every interval, pruning every hour and, on
    /// PostgreSQL, the exchange of events with the other servers, until the
    /// returned handle is stopped. Call [`flush_activity`](Self::flush_activity)
    /// once more after stopping it, on shutdown.
    pub fn spawn_background_tasks(&self) -> Background {
        let store = self.clone();
        let mut tasks = self.spawn_cluster_tasks();
        tasks.push(tokio::spawn(async move {
            let mut flush = tokio::time::interval(store.inner.config.activity_flush_interval);
            flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut prune = tokio::time::interval(Duration::from_secs(3600));
            prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = flush.tick() => {
                        if let Err(e) = store.flush_activity().await {
                            tracing::warn!(error = %e, "activity flush failed; will retry");
                        }
                        if let Err(e) = store.write_audit().await {
                            tracing::warn!(error = %e, "audit events not written; will retry");
                        }
                    }
                    _ = prune.tick() => {
                        match store.prune_history().await {
                            Ok(n) if n > 0 => tracing::info!(deleted = n, "pruned session history"),
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "history pruning failed"),
                        }
                    }
                }
            }
        }));
        Background(tasks)
    }
}

/// The store's background tasks; they stop when this is stopped or dropped.
#[derive(Debug)]
pub struct Background(Vec<tokio::task::JoinHandle<()>>);

impl Background {
    /// Stops every task.
    pub fn stop(self) {}
}

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use migrations::{Migrator, MigratorTrait};

    /// A store on a fresh, migrated SQLite file (kept while the dir lives).
    pub async fn sqlite_store() -> (SessionStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = crate::db::connect(&url).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let store = SessionStore::new(db, StoreConfig::default(), GeoIp::disabled());
        (store, dir)
    }

    /// The same with these attempt limits, on a manual clock at the epoch.
    pub async fn sqlite_store_with(
        throttle: crate::config::ThrottleConfig,
    ) -> (
        SessionStore,
        Arc<crate::clock::ManualClock>,
        tempfile::TempDir,
    ) {
        let (plain, dir) = sqlite_store().await;
        let clock = Arc::new(crate::clock::ManualClock::new(crate::clock::from_ms(0)));
        let config = StoreConfig {
            throttle,
            ..StoreConfig::default()
        };
        let store =
            SessionStore::with_clock(plain.db().clone(), config, GeoIp::disabled(), clock.clone());
        (store, clock, dir)
    }
}
