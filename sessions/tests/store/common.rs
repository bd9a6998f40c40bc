//! Runs the same store test on SQLite and on PostgreSQL, and the helpers
//! the tests share.
#![allow(dead_code)]
use chrono::{TimeZone, Utc};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

// Everything the test modules use, in one place.
pub use chrono::Duration as ChronoDuration;
pub use sessions::entity::session;
pub use sessions::{
    CurrentSession, DeviceType, EndReason, GeoIp, HashingConfig, HistoryCursor, HistoryQuery,
    Location, ManualClock, RequestFacts, SessionEvent, SessionStore, SessionToken, StoreConfig,
    StoreError, ThrottleConfig, db,
};
pub use std::collections::HashSet;
pub use std::net::IpAddr;
pub use std::time::Duration;

pub const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
pub const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
pub const PASSWORD: &str = "correct horse battery";

pub fn facts(ua: &str, ip: &str) -> RequestFacts {
    RequestFacts {
        user_agent: ua.to_owned(),
        ip: ip.parse().unwrap(),
        app: None,
    }
}

/// Registers `name` with [`PASSWORD`]; returns the user id.
/// Where test accounts register from.
pub const HOME: &str = "127.0.0.1";

pub async fn user(store: &SessionStore, name: &str) -> i64 {
    store.register(name, PASSWORD, ip(HOME)).await.unwrap().id
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The store's settings for tests: Argon2 at its cheapest, so that suites
/// of hundreds of logins run in seconds (the real cost is the default).
pub fn test_config() -> StoreConfig {
    StoreConfig {
        hashing: HashingConfig {
            memory_kib: 64,
            iterations: 1,
            permits: 64,
            max_wait: Duration::from_secs(30),
        },
        ..StoreConfig::default()
    }
}

/// Starts a session and authenticates it.
pub async fn login(
    store: &SessionStore,
    user_id: i64,
    ua: &str,
    ip: &str,
) -> (SessionToken, CurrentSession) {
    let (token, _) = store.start_session(user_id, &facts(ua, ip)).await.unwrap();
    let current = store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .unwrap();
    (token, current)
}

pub async fn is_active(store: &SessionStore, token: &SessionToken) -> bool {
    store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .is_some()
}

pub async fn count_rows(t: &TestDb) -> usize {
    session::Entity::find().all(&t.db).await.unwrap().len()
}

pub async fn row_of(t: &TestDb, public_id: &str) -> session::Model {
    session::Entity::find()
        .filter(session::Column::PublicId.eq(public_id))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
}

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A migrated, empty database with a store on a manual clock.
pub struct TestDb {
    pub store: SessionStore,
    pub clock: Arc<ManualClock>,
    pub db: DatabaseConnection,
    /// The deployment's key: every store of this database has it.
    pub key: sessions::SecretKey,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

/// The PostgreSQL database prepared by the test command, or `None` (with a
/// loud message) when it is not set; under CI that is a failure.
fn pg_base_url() -> Option<String> {
    match std::env::var("SESSIONBOARD_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "SESSIONBOARD_TEST_PG_URL is not set: PostgreSQL store tests cannot run in CI"
                );
            }
            eprintln!(
                "!!! SKIPPING PostgreSQL store test: SESSIONBOARD_TEST_PG_URL is not set (`make test` sets it)"
            );
            None
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn test_geoip() -> GeoIp {
    GeoIp::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/geoip/GeoIP2-Country-Test.mmdb"
    ))
    .expect("test GeoIP database")
}

pub async fn setup(backend: Backend) -> Option<TestDb> {
    setup_with(backend, test_config()).await
}

pub async fn setup_with(backend: Backend, config: StoreConfig) -> Option<TestDb> {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap(),
    ));
    let (db, dir, pg_schema) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (db::connect(&url).await.expect("sqlite"), Some(dir), None)
        }
        Backend::Postgres => {
            let base = pg_base_url()?;
            let schema = format!(
                "t_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                Utc::now().timestamp_micros()
            );
            let admin = db::connect(&base).await.expect("postgres");
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .unwrap();
            admin.close().await.ok();
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
            (
                db::connect(&url).await.expect("postgres schema"),
                None,
                Some((base, schema)),
            )
        }
    };
    Migrator::up(&db, None).await.expect("migrations");
    let store = SessionStore::with_clock(db.clone(), config, test_geoip(), clock.clone());
    let key = sessions::SecretKey::generate();
    store.set_secret_key(key.clone());
    Some(TestDb {
        store,
        clock,
        db,
        key,
        _dir: dir,
        pg_schema,
    })
}

impl TestDb {
    /// Another store ("server") on the same database, clock and key.
    pub fn second_store(&self, config: StoreConfig) -> SessionStore {
        let store = self.keyless_store(config);
        store.set_secret_key(self.key.clone());
        store
    }

    /// Another store on the same database and clock, its key not set yet.
    pub fn keyless_store(&self, config: StoreConfig) -> SessionStore {
        SessionStore::with_clock(self.db.clone(), config, test_geoip(), self.clock.clone())
    }

    /// The PostgreSQL schema of this test, if on PostgreSQL.
    pub fn pg_schema(&self) -> Option<&str> {
        self.pg_schema.as_ref().map(|(_, s)| s.as_str())
    }

    /// This test's PostgreSQL URL with its host and port replaced by
    /// `host_port` (a relay in front of the server, say).
    pub fn pg_url_via(&self, host_port: &str) -> Option<String> {
        let (base, schema) = self.pg_schema.as_ref()?;
        let (scheme, rest) = base.split_once("://")?;
        let (auth, rest) = rest.rsplit_once('@').map_or(("", rest), |(a, r)| (a, r));
        let path = &rest[rest.find('/')?..];
        let at = if auth.is_empty() {
            String::new()
        } else {
            format!("{auth}@")
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        Some(format!(
            "{scheme}://{at}{host_port}{path}{sep}options=-c%20search_path%3D{schema}"
        ))
    }

    /// The host and port of this test's PostgreSQL server.
    pub fn pg_host_port(&self) -> Option<String> {
        let (base, _) = self.pg_schema.as_ref()?;
        let rest = base.split_once("://")?.1;
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        Some(rest[..rest.find('/')?].to_owned())
    }

    /// Drops the PostgreSQL schema (SQLite's temp dir goes by itself).
    pub async fn teardown(self) {
        self.db.close().await.ok();
        if let Some((base, schema)) = self.pg_schema {
            let admin = db::connect(&base).await.expect("postgres");
            admin
                .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
                .await
                .unwrap();
            admin.close().await.ok();
        }
    }
}

/// Declares each listed `async fn name(Backend)` as two tests:
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            )*
        }
    };
}
