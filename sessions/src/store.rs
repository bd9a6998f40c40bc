//! The store: every product action on sessions, as one method each.
use crate::activity::{ActivityBuffer, Map as PendingMap};
use crate::agent::{UserAgentClassifier, truncate_user_agent};
use crate::auth_cache::{AuthCache, CachedAuth, DigestHashing};
use crate::clock::{Clock, SystemClock, from_ms, to_ms};
use crate::entity::{session, user};
use crate::events::{EventHub, SessionEvent, UserEvents};
use crate::geo::{GeoIp, Location, is_local};
use crate::secret::{PasswordHash, SessionToken, TokenDigest, TokenHash, new_public_id};
use crate::throttle::{LoginThrottle, ThrottleConfig};
use crate::view::{EndReason, SessionView};
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use moka::sync::Cache;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
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

impl Default for StoreConfig {
    fn default() -> Self {
        const DAY: u64 = 24 * 60 * 60;
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

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Internal id.
    pub id: i64,
    /// Username as registered.
    pub username: String,
}

/// What the web layer knows about a request, as plain values.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    /// The `User-Agent` header (empty if none).
    pub user_agent: String,
    /// The client address, already resolved with [`crate::resolve_client_ip`].
    pub ip: IpAddr,
}

/// The authenticated session of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentSession {
    row_id: i64,
    /// Public id of the session.
    pub public_id: String,
    /// Owner.
    pub user_id: i64,
    /// Owner's username.
    pub username: String,
    /// Login time.
    pub created_at: DateTime<Utc>,
}

/// A position in the history: the login time and public id of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryCursor {
    created_at_ms: i64,
    public_id: String,
}

impl HistoryCursor {
    fn of(view: &SessionView) -> Self {
        Self {
            created_at_ms: to_ms(view.created_at),
            public_id: view.id.clone(),
        }
    }

    /// Text form for URLs: `<ms>.<public id>`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at_ms, self.public_id)
    }

    /// Parses [`encode`](Self::encode)'s output.
    pub fn parse(s: &str) -> Result<Self> {
        let (ms, id) = s.split_once('.').ok_or(StoreError::InvalidCursor)?;
        let created_at_ms = ms.parse().map_err(|_| StoreError::InvalidCursor)?;
        let id_ok = !id.is_empty()
            && id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(StoreError::InvalidCursor);
        }
        Ok(Self {
            created_at_ms,
            public_id: id.to_owned(),
        })
    }
}

/// Which page of history to read.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Entries older than this (the "Older" link); the newest page if both are `None`.
    pub before: Option<HistoryCursor>,
    /// Entries newer than this (the "Newer" link).
    pub after: Option<HistoryCursor>,
    /// Page size; 0 means 20. At most 200.
    pub limit: u64,
}

/// One page of history, newest login first.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    /// The entries.
    pub entries: Vec<SessionView>,
    /// Cursor for the next older page, if there is one.
    pub older: Option<HistoryCursor>,
    /// Cursor for the next newer page, if there is one.
    pub newer: Option<HistoryCursor>,
}

struct Inner {
    db: DatabaseConnection,
    config: StoreConfig,
    clock: Arc<dyn Clock>,
    geo: Arc<GeoIp>,
    agents: &'static UserAgentClassifier,
    events: EventHub,
    activity: ActivityBuffer,
    throttle: LoginThrottle,
    auth_cache: Option<AuthCache>,
    /// Digests of sessions ended lately: an authentication that read the row
    /// just before it ended must not enter the cache after the end.
    recently_ended: Cache<TokenDigest, (), DigestHashing>,
}

/// The session store. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct SessionStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionStore")
            .field("config", &self.inner.config)
            .field("geo", &self.inner.geo)
            .finish()
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// A hash to verify against when the username is unknown, so that both
/// answers take the same time.
fn dummy_hash() -> &'static PasswordHash {
    static HASH: OnceLock<PasswordHash> = OnceLock::new();
    HASH.get_or_init(|| PasswordHash::create("not a real password").expect("argon2 works"))
}

fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| StoreError::PasswordHashing)
}

fn immediate() -> TransactionOptions {
    // On SQLite, take the write lock at BEGIN so two writers never deadlock
    // upgrading read locks; PostgreSQL ignores the option.
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    }
}

fn validate_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if (8..=128).contains(&n) {
        Ok(())
    } else {
        Err(StoreError::InvalidPassword)
    }
}

impl SessionStore {
    /// A store over `db` (already migrated) with the system clock. The GeoIP
    /// database may be shared (`Arc<GeoIp>`) between stores.
    pub fn new(db: DatabaseConnection, config: StoreConfig, geo: impl Into<Arc<GeoIp>>) -> Self {
        Self::with_clock(db, config, geo, Arc::new(SystemClock))
    }

    /// A store with an injected clock (tests, benchmarks).
    pub fn with_clock(
        db: DatabaseConnection,
        config: StoreConfig,
        geo: impl Into<Arc<GeoIp>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                throttle: LoginThrottle::new(config.throttle),
                config,
                clock,
                geo: geo.into(),
                agents: UserAgentClassifier::global(),
                events: EventHub::default(),
                activity: ActivityBuffer::default(),
                auth_cache: (!config.auth_cache_ttl.is_zero())
                    .then(|| AuthCache::new(config.auth_cache_ttl)),
                recently_ended: Cache::builder()
                    .max_capacity(100_000)
                    .time_to_live(config.auth_cache_ttl * 2 + Duration::from_secs(1))
                    .build_with_hasher(DigestHashing::default()),
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

    /// The GeoIP database in use.
    pub fn geoip(&self) -> &GeoIp {
        &self.inner.geo
    }

    /// The event channel.
    pub fn events(&self) -> &EventHub {
        &self.inner.events
    }

    /// Subscribes to the changes of one user's sessions.
    pub fn subscribe(&self, user_id: i64) -> UserEvents {
        self.inner.events.subscribe(user_id)
    }

    /// The store's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    // ---- accounts -------------------------------------------------------

    /// Creates an account. Usernames are unique regardless of case.
    pub async fn register_user(&self, username: &str, password: &str) -> Result<User> {
        let username = username.trim();
        let shape_ok = (3..=32).contains(&username.chars().count())
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !shape_ok {
            return Err(StoreError::InvalidUsername);
        }
        validate_password(password)?;
        let key = username_key(username);
        let taken = user::Entity::find()
            .filter(user::Column::UsernameKey.eq(key.clone()))
            .count(&self.inner.db)
            .await?
            > 0;
        if taken {
            return Err(StoreError::UsernameTaken);
        }
        let password = password.to_owned();
        let hash = blocking(move || PasswordHash::create(&password)).await??;
        let now = self.now_ms();
        let row = user::ActiveModel {
            username: Set(username.to_owned()),
            username_key: Set(key),
            password_hash: Set(hash),
            created_at: Set(now),
            password_changed_at: Set(now),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await
        .map_err(|e| match e.sql_err() {
            // Lost a race with a concurrent registration of the same name.
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::UsernameTaken,
            _ => StoreError::Database(e),
        })?;
        Ok(User {
            id: row.id,
            username: row.username,
        })
    }

    /// Checks a username and password, within the failed-login limits.
    pub async fn verify_login(&self, username: &str, password: &str, ip: IpAddr) -> Result<User> {
        let key = username_key(username);
        self.inner
            .throttle
            .check(&key, ip)
            .map_err(|retry_after_secs| StoreError::RateLimited { retry_after_secs })?;
        let found = user::Entity::find()
            .filter(user::Column::UsernameKey.eq(key.clone()))
            .one(&self.inner.db)
            .await?;
        let hash = found
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().clone());
        let password = password.to_owned();
        let ok = blocking(move || hash.verify(&password)).await?;
        match found {
            Some(u) if ok => {
                self.inner.throttle.record_success(&key);
                Ok(User {
                    id: u.id,
                    username: u.username,
                })
            }
            _ => {
                self.inner.throttle.record_failure(&key, ip);
                Err(StoreError::InvalidCredentials)
            }
        }
    }

    /// Logs in: checks the password and starts a fresh session (a new token
    /// every time, so a token planted before login is never promoted).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        facts: &RequestFacts,
    ) -> Result<(SessionToken, SessionView)> {
        let user = self.verify_login(username, password, facts.ip).await?;
        self.start_session(user.id, facts).await
    }

    /// Changes the password of the session's user after checking the current
    /// one; with `sign_out_others`, ends every other session of the account
    /// with reason `password_changed`. Returns how many sessions ended.
    pub async fn change_password(
        &self,
        current: &CurrentSession,
        current_password: &str,
        new_password: &str,
        sign_out_others: bool,
    ) -> Result<u64> {
        validate_password(new_password)?;
        let account = user::Entity::find_by_id(current.user_id)
            .one(&self.inner.db)
            .await?
            .ok_or(StoreError::UserNotFound)?;
        let old_hash = account.password_hash.clone();
        let (pw, new_pw) = (current_password.to_owned(), new_password.to_owned());
        let checked = old_hash.clone();
        let new_hash = blocking(move || {
            if checked.verify(&pw) {
                PasswordHash::create(&new_pw).map(Some)
            } else {
                Ok(None)
            }
        })
        .await??
        .ok_or(StoreError::WrongPassword)?;

        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        // Compare-and-swap on the old hash: a concurrent change wins cleanly.
        let changed = user::Entity::update_many()
            .col_expr(
                user::Column::PasswordHash,
                Expr::value(new_hash.as_db_value()),
            )
            .col_expr(user::Column::PasswordChangedAt, Expr::value(now))
            .filter(user::Column::Id.eq(current.user_id))
            .filter(user::Column::PasswordHash.eq(old_hash.as_db_value()))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            return Err(StoreError::WrongPassword);
        }
        let ended = if sign_out_others {
            end_where(
                &txn,
                Condition::all()
                    .add(session::Column::UserId.eq(current.user_id))
                    .add(session::Column::Id.ne(current.row_id)),
                EndReason::PasswordChanged,
                now,
            )
            .await?
        } else {
            Vec::new()
        };
        txn.commit().await?;
        self.announce_ended(&ended, EndReason::PasswordChanged);
        Ok(ended.len() as u64)
    }

    // ---- sessions -------------------------------------------------------

    /// Starts a session for `user_id`. Returns the token, which exists
    /// nowhere else from now on, and the session's public view.
    pub async fn start_session(
        &self,
        user_id: i64,
        facts: &RequestFacts,
    ) -> Result<(SessionToken, SessionView)> {
        let token = SessionToken::generate();
        let ua = truncate_user_agent(&facts.user_agent);
        let info = self.inner.agents.classify(ua);
        let ip = crate::client_ip::canonical(facts.ip);
        let country = self.country_of(ip);
        let now = self.now_ms();
        let row = session::ActiveModel {
            public_id: Set(new_public_id()),
            token_hash: Set(token.hash()),
            user_id: Set(user_id),
            created_at: Set(now),
            last_seen_at: Set(now),
            user_agent: Set(ua.to_owned()),
            device_type: Set(info.device_type.as_str().to_owned()),
            platform: Set(info.platform.clone()),
            browser_name: Set(info.browser_name.clone()),
            browser_version: Set(info.browser_version.clone()),
            login_ip: Set(ip.to_string()),
            login_country_code: Set(country.clone()),
            last_ip: Set(ip.to_string()),
            country_code: Set(country),
            pages_visited: Set(0),
            ended_at: Set(None),
            end_reason: Set(None),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await?;
        let view = SessionView::from(&row);
        self.inner.events.publish(SessionEvent::Started {
            user_id,
            session: Box::new(view.clone()),
        });
        Ok((token, view))
    }

    fn country_of(&self, ip: IpAddr) -> Option<String> {
        if is_local(ip) {
            None
        } else {
            self.inner.geo.country_code(ip)
        }
    }

    /// The active session a cookie value belongs to, or `None`. Unknown,
    /// malformed and ended tokens are `None`; a session past its idle
    /// timeout or absolute lifetime is ended with reason `expired` here.
    pub async fn authenticate(&self, token: &str) -> Result<Option<CurrentSession>> {
        let Some(digest) = SessionToken::digest_of(token) else {
            return Ok(None);
        };
        if let Some(hit) = self.cached_auth(&digest) {
            return Ok(Some(CurrentSession::clone(&hit)));
        }
        let hash = TokenHash::from(digest);
        let found = session::Entity::find()
            .filter(session::Column::TokenHash.eq(hash.clone()))
            .find_also_related(user::Entity)
            .one(&self.inner.db)
            .await?;
        let Some((row, Some(owner))) = found else {
            return Ok(None);
        };
        if row.ended_at.is_some() {
            return Ok(None);
        }
        let pending_seen = self.inner.activity.last_seen(row.id);
        let last_seen = std::cmp::max(row.last_seen_at, pending_seen.unwrap_or(0));
        let expires_at = self.expiry(row.created_at, last_seen);
        if self.now_ms() >= expires_at {
            let ended = end_where(
                &self.inner.db,
                Condition::all().add(session::Column::Id.eq(row.id)),
                EndReason::Expired,
                expires_at,
            )
            .await?;
            self.announce_ended(&ended, EndReason::Expired);
            return Ok(None);
        }
        let current = CurrentSession {
            row_id: row.id,
            public_id: row.public_id,
            user_id: row.user_id,
            username: owner.username,
            created_at: from_ms(row.created_at),
        };
        if let Some(cache) = &self.inner.auth_cache {
            let auth = CachedAuth {
                current: Arc::new(current.clone()),
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
            };
            cache.insert(digest, auth, self.now_ms(), || {
                self.inner.recently_ended.contains_key(&digest)
            });
        }
        Ok(Some(current))
    }

    /// [`authenticate`](Self::authenticate) when the authentication cache
    /// can answer without the database: `Some` for a cached session that is
    /// still valid, `None` when `authenticate` has to decide. Synchronous,
    /// so that the per-request layer needs no future of its own on a hit.
    pub fn authenticate_cached(&self, token: &str) -> Option<Arc<CurrentSession>> {
        // Only well-formed tokens were ever cached: no shape check needed.
        self.cached_auth(&SessionToken::digest_unchecked(token))
    }

    /// A cached authentication that is still valid: not ended since, and
    /// within its timeouts (otherwise the database path decides and ends it).
    fn cached_auth(&self, digest: &TokenDigest) -> Option<Arc<CurrentSession>> {
        let now = self.now_ms();
        let hit = self.inner.auth_cache.as_ref()?.get(digest, now)?;
        // The cached last activity may lag the buffered one: an entry that
        // looks expired goes to the database path, which counts both.
        (now < self.expiry(hit.created_at, hit.last_seen_at)).then_some(hit.current)
    }

    fn expiry(&self, created_at: i64, last_seen_at: i64) -> i64 {
        let c = &self.inner.config;
        std::cmp::min(
            last_seen_at.saturating_add(ms(c.idle_timeout)),
            created_at.saturating_add(ms(c.max_age)),
        )
    }

    /// Records a request of `current` from `ip`; `page_open` counts a page.
    /// Only memory is touched here: see [`flush_activity`](Self::flush_activity).
    pub fn record_activity(&self, current: &CurrentSession, ip: IpAddr, page_open: bool) {
        self.inner.activity.record(
            current.row_id,
            current.user_id,
            &current.public_id,
            self.now_ms(),
            crate::client_ip::canonical(ip),
            page_open,
        );
    }

    /// Writes pending activity with one conditional update per session, in
    /// one transaction. Ended sessions are never touched (no resurrection).
    /// On failure the batch is kept for the next flush. Returns rows written.
    pub async fn flush_activity(&self) -> Result<usize> {
        let batch = self.inner.activity.take();
        if batch.is_empty() {
            return Ok(0);
        }
        match self.write_activity(&batch).await {
            Ok(updated) => {
                for row in &updated {
                    self.inner.events.publish(SessionEvent::Activity {
                        user_id: row.user_id,
                        session_id: row.public_id.clone(),
                        last_seen_at: from_ms(row.last_seen_at),
                        pages_visited: row.pages_visited,
                        ip: row.last_ip.clone(),
                    });
                }
                Ok(updated.len())
            }
            Err(e) => {
                self.inner.activity.restore(batch);
                Err(e)
            }
        }
    }

    async fn write_activity(&self, batch: &PendingMap) -> Result<Vec<session::Model>> {
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        let mut updated = Vec::with_capacity(batch.len());
        for (row_id, p) in batch {
            let country = self.country_of(p.ip);
            let rows = session::Entity::update_many()
                .col_expr(
                    session::Column::PagesVisited,
                    Expr::col(session::Column::PagesVisited).add(p.pages),
                )
                .col_expr(
                    session::Column::LastSeenAt,
                    Expr::case(
                        Expr::col(session::Column::LastSeenAt).lt(p.last_seen_ms),
                        p.last_seen_ms,
                    )
                    .finally(Expr::col(session::Column::LastSeenAt))
                    .into(),
                )
                .col_expr(session::Column::LastIp, Expr::value(p.ip.to_string()))
                .col_expr(session::Column::CountryCode, Expr::value(country))
                .filter(session::Column::Id.eq(*row_id))
                .filter(session::Column::EndedAt.is_null())
                .exec_with_returning(&txn)
                .await?;
            updated.extend(rows);
        }
        txn.commit().await?;
        Ok(updated)
    }

    /// Active sessions of a user, most recently active first, including
    /// activity not yet flushed.
    pub async fn list_active_sessions(&self, user_id: i64) -> Result<Vec<SessionView>> {
        let now = self.now_ms();
        let c = &self.inner.config;
        let rows = session::Entity::find()
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::EndedAt.is_null())
            .filter(session::Column::LastSeenAt.gt(now - ms(c.idle_timeout)))
            .filter(session::Column::CreatedAt.gt(now - ms(c.max_age)))
            .order_by_desc(session::Column::LastSeenAt)
            .limit(1000)
            .all(&self.inner.db)
            .await?;
        let mut views: Vec<SessionView> = rows
            .iter()
            .map(|row| {
                let mut view = SessionView::from(row);
                if let Some(p) = self.inner.activity.peek(row.id) {
                    view.pages_visited += p.pages;
                    if p.last_seen_ms > row.last_seen_at {
                        view.last_seen_at = from_ms(p.last_seen_ms);
                        view.location = self.location_of(p.ip);
                        view.ip = p.ip.to_string();
                    }
                }
                view
            })
            .collect();
        views.sort_by(|a, b| {
            b.last_seen_at
                .cmp(&a.last_seen_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(views)
    }

    fn location_of(&self, ip: IpAddr) -> Location {
        self.inner.geo.locate(ip)
    }

    /// How many sessions "Sign out everywhere" would end for `current`.
    pub async fn count_other_sessions(&self, current: &CurrentSession) -> Result<u64> {
        Ok(self
            .list_active_sessions(current.user_id)
            .await?
            .iter()
            .filter(|s| s.id != current.public_id)
            .count() as u64)
    }

    /// Sessions of a user, active and ended, newest login first, by keyset
    /// pagination on (login time, public id).
    pub async fn session_history(&self, user_id: i64, query: &HistoryQuery) -> Result<HistoryPage> {
        let limit = match query.limit {
            0 => 20,
            n => std::cmp::min(n, 200),
        };
        let key = || {
            Expr::tuple([
                Expr::col(session::Column::CreatedAt),
                Expr::col(session::Column::PublicId),
            ])
        };
        let at = |c: &HistoryCursor| {
            Expr::tuple([Expr::val(c.created_at_ms), Expr::val(c.public_id.clone())])
        };
        let mut select = session::Entity::find().filter(session::Column::UserId.eq(user_id));
        let forward = query.after.is_none();
        if let Some(after) = &query.after {
            select = select
                .filter(key().gt(at(after)))
                .order_by_asc(session::Column::CreatedAt)
                .order_by_asc(session::Column::PublicId);
        } else {
            if let Some(before) = &query.before {
                select = select.filter(key().lt(at(before)));
            }
            select = select
                .order_by_desc(session::Column::CreatedAt)
                .order_by_desc(session::Column::PublicId);
        }
        let mut rows = select.limit(limit + 1).all(&self.inner.db).await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        if !forward {
            rows.reverse();
        }
        let entries: Vec<SessionView> = rows.iter().map(SessionView::from).collect();
        let (older, newer) = if forward {
            (
                more.then(|| entries.last().map(HistoryCursor::of))
                    .flatten(),
                query
                    .before
                    .as_ref()
                    .and(entries.first().map(HistoryCursor::of)),
            )
        } else {
            (
                entries.last().map(HistoryCursor::of),
                more.then(|| entries.first().map(HistoryCursor::of))
                    .flatten(),
            )
        };
        Ok(HistoryPage {
            entries,
            older,
            newer,
        })
    }

    /// Terminates one session of the caller's account. The caller's own
    /// session is refused ([`StoreError::CannotTerminateCurrent`]); an
    /// unknown id, an ended one and another account's all give
    /// [`StoreError::SessionNotFound`] and change nothing.
    pub async fn terminate_session(
        &self,
        current: &CurrentSession,
        public_id: &str,
    ) -> Result<SessionView> {
        if public_id == current.public_id {
            return Err(StoreError::CannotTerminateCurrent);
        }
        let ended = end_where(
            &self.inner.db,
            Condition::all()
                .add(session::Column::PublicId.eq(public_id))
                .add(session::Column::UserId.eq(current.user_id)),
            EndReason::Terminated,
            self.now_ms(),
        )
        .await?;
        self.announce_ended(&ended, EndReason::Terminated);
        ended
            .first()
            .map(SessionView::from)
            .ok_or(StoreError::SessionNotFound)
    }

    /// Ends every other active session of the caller's account ("Sign out
    /// everywhere"). Returns how many ended; running it again returns 0.
    pub async fn terminate_other_sessions(&self, current: &CurrentSession) -> Result<u64> {
        let ended = end_where(
            &self.inner.db,
            Condition::all()
                .add(session::Column::UserId.eq(current.user_id))
                .add(session::Column::Id.ne(current.row_id)),
            EndReason::SignedOutEverywhere,
            self.now_ms(),
        )
        .await?;
        self.announce_ended(&ended, EndReason::SignedOutEverywhere);
        Ok(ended.len() as u64)
    }

    /// Ends the caller's own session with `reason` (log out). Returns whether
    /// it was still active.
    pub async fn end_session(&self, current: &CurrentSession, reason: EndReason) -> Result<bool> {
        // Count what this session did before it ended.
        if let Some(p) = self.inner.activity.peek(current.row_id) {
            let mut one = PendingMap::default();
            one.insert(current.row_id, p);
            self.inner.activity.discard(current.row_id);
            if let Err(e) = self.write_activity(&one).await {
                tracing::warn!(error = ?e, "could not write last activity before sign-out");
            }
        }
        let ended = end_where(
            &self.inner.db,
            Condition::all().add(session::Column::Id.eq(current.row_id)),
            reason,
            self.now_ms(),
        )
        .await?;
        self.announce_ended(&ended, reason);
        Ok(!ended.is_empty())
    }

    /// Ends sessions past their timeouts that nobody presented since, and
    /// deletes ended sessions older than the retention period. Returns how
    /// many rows were deleted.
    pub async fn prune_history(&self) -> Result<u64> {
        let now = self.now_ms();
        let c = &self.inner.config;
        let stale = session::Entity::find()
            .filter(session::Column::EndedAt.is_null())
            .filter(
                Condition::any()
                    .add(session::Column::LastSeenAt.lte(now - ms(c.idle_timeout)))
                    .add(session::Column::CreatedAt.lte(now - ms(c.max_age))),
            )
            .limit(10_000)
            .all(&self.inner.db)
            .await?;
        for row in stale {
            let at = std::cmp::min(self.expiry(row.created_at, row.last_seen_at), now);
            let ended = end_where(
                &self.inner.db,
                Condition::all().add(session::Column::Id.eq(row.id)),
                EndReason::Expired,
                at,
            )
            .await?;
            self.announce_ended(&ended, EndReason::Expired);
        }
        let deleted = session::Entity::delete_many()
            .filter(session::Column::EndedAt.lt(now - ms(c.history_retention)))
            .exec(&self.inner.db)
            .await?;
        Ok(deleted.rows_affected)
    }

    /// Runs the activity flush every interval and pruning every hour until
    /// the returned task is aborted. Call [`flush_activity`](Self::flush_activity)
    /// once more after aborting it, on shutdown.
    pub fn spawn_background_tasks(&self) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut flush = tokio::time::interval(store.inner.config.activity_flush_interval);
            flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut prune = tokio::time::interval(Duration::from_secs(3600));
            prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = flush.tick() => {
                        if let Err(e) = store.flush_activity().await {
                            tracing::warn!(error = ?e, "activity flush failed; will retry");
                        }
                    }
                    _ = prune.tick() => {
                        match store.prune_history().await {
                            Ok(n) if n > 0 => tracing::info!(deleted = n, "pruned session history"),
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = ?e, "history pruning failed"),
                        }
                    }
                }
            }
        })
    }

    fn announce_ended(&self, rows: &[session::Model], reason: EndReason) {
        for row in rows {
            if let Some(digest) = row.token_hash.digest() {
                self.inner.recently_ended.insert(digest, ());
                if let Some(cache) = &self.inner.auth_cache {
                    cache.invalidate(&digest);
                }
            }
            self.inner.activity.discard(row.id);
            self.inner.events.publish(SessionEvent::Ended {
                user_id: row.user_id,
                session_id: row.public_id.clone(),
                reason,
            });
        }
    }
}

/// Ends the active sessions matching `cond` in one conditional statement.
async fn end_where<C: ConnectionTrait>(
    conn: &C,
    cond: Condition,
    reason: EndReason,
    at_ms: i64,
) -> Result<Vec<session::Model>> {
    Ok(session::Entity::update_many()
        .col_expr(session::Column::EndedAt, Expr::value(at_ms))
        .col_expr(session::Column::EndReason, Expr::value(reason.as_str()))
        .filter(cond)
        .filter(session::Column::EndedAt.is_null())
        .exec_with_returning(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = HistoryCursor {
            created_at_ms: 1_700_000_000_123,
            public_id: "abc-_DEF".into(),
        };
        assert_eq!(HistoryCursor::parse(&c.encode()).unwrap(), c);
        for bad in ["", "123", "x.abc", "123.", "123.a b", "123.<script>"] {
            assert!(HistoryCursor::parse(bad).is_err(), "{bad}");
        }
    }
}
