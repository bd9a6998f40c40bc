//! Store benchmarks: `cargo bench -p sessions`.
//!
//! Per backend (SQLite file in WAL mode; PostgreSQL when
//! `TEST_DATABASE_URL` answers, in a database created and dropped here):
//! a `SELECT 1` round trip as the baseline, authenticate, record activity
//! (in memory) and its flush, and list-active / first history page for one
//! user among 1,000,000 session rows. Then user-agent parsing.
use chrono::{TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sessions::{
    GeoIp, HistoryQuery, ManualClock, RequestFacts, SessionStore, StoreConfig, UserAgentClassifier,
    UserAgents, db,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;

const ROWS: u64 = 1_000_000;
const USERS: u64 = 10_000;
const BASE_MS: i64 = 1_790_000_000_000;
/// The user whose sessions are listed.
const USER: i64 = 3;
const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

struct Backend {
    name: &'static str,
    db: DatabaseConnection,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    Backend {
        name: "sqlite",
        db: db::connect(&url).await.unwrap(),
        cleanup: None,
        _dir: Some(dir),
    }
}

async fn postgres() -> Option<Backend> {
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let admin = match db::connect(&admin_url).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("!!! PostgreSQL benchmarks skipped: {admin_url} does not answer ({e:?})");
            return None;
        }
    };
    let name = format!("sessionboard_bench_{}", std::process::id());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .ok()?;
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
    Some(Backend {
        name: "postgres",
        db: db::connect(&url).await.unwrap(),
        cleanup: Some((admin_url, name)),
        _dir: None,
    })
}

/// One million sessions over ten thousand users (100 each), inserted with
/// one statement that both backends accept; 20 of each user's are active.
async fn seed(db: &DatabaseConnection) {
    let started = std::time::Instant::now();
    // Token hashes must be 64 hex digits to read back.
    let hex = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => "printf('%064x', i)",
        _ => "lpad(to_hex(i), 64, '0')",
    };
    db.execute_unprepared(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {USERS}) \
         INSERT INTO users (username, username_key, password_hash, created_at, password_changed_at) \
         SELECT 'user' || i, 'user' || i, 'x', {BASE_MS}, {BASE_MS} FROM n"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
         INSERT INTO sessions (public_id, token_hash, user_id, created_at, last_seen_at, user_agent, \
           device_type, platform, browser_name, browser_version, login_ip, login_country_code, last_ip, \
           last_country_code, pages_visited, ended_at, end_reason) \
         SELECT 'p' || i, {hex}, 1 + (i % {USERS}), {BASE_MS} + i, {BASE_MS} + i, '{UA}', 'Desktop', \
           'Windows', 'Chrome', '124', '81.2.69.142', 'GB', '81.2.69.142', 'GB', i % 7, \
           CASE WHEN (i / {USERS}) % 5 = 0 THEN NULL ELSE {BASE_MS} + i + 60000 END, \
           CASE WHEN (i / {USERS}) % 5 = 0 THEN NULL ELSE 'signed_out' END \
         FROM n"
    ))
    .await
    .unwrap();
    db.execute_unprepared("ANALYZE").await.unwrap();
    eprintln!("seeded {ROWS} sessions in {:.1?}", started.elapsed());
}

fn bench_backend(c: &mut Criterion, rt: &Runtime, backend: Backend) {
    let name = backend.name;
    rt.block_on(Migrator::up(&backend.db, None)).unwrap();
    rt.block_on(seed(&backend.db));
    // The clock stands just after the seeded logins: every active row is fresh.
    let clock = Arc::new(ManualClock::new(
        Utc.timestamp_millis_opt(BASE_MS + ROWS as i64 + 120_000)
            .unwrap(),
    ));
    let store = SessionStore::with_clock(
        backend.db.clone(),
        StoreConfig::default(),
        GeoIp::disabled(),
        clock.clone(),
    );
    // The same store without the authentication cache: every call reads the database.
    let uncached_config = StoreConfig {
        auth_cache_ttl: Duration::ZERO,
        ..StoreConfig::default()
    };
    let uncached = SessionStore::with_clock(
        backend.db.clone(),
        uncached_config,
        GeoIp::disabled(),
        clock,
    );
    let facts = RequestFacts {
        user_agent: UA.to_owned(),
        ip: "81.2.69.142".parse().unwrap(),
    };
    let (token, _) = rt.block_on(store.start_session(1, &facts)).unwrap();
    let current = rt
        .block_on(store.authenticate(token.expose_secret()))
        .unwrap()
        .unwrap();

    let mut g = c.benchmark_group(format!("store/{name}"));
    g.measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("baseline_select_1", |b| {
        b.to_async(rt)
            .iter(|| async { store.db().execute_unprepared("SELECT 1").await.unwrap() })
    });
    g.bench_function("authenticate_uncached", |b| {
        b.to_async(rt).iter(|| async {
            uncached
                .authenticate(token.expose_secret())
                .await
                .unwrap()
                .unwrap()
        })
    });
    g.bench_function("authenticate_cached", |b| {
        b.to_async(rt).iter(|| async {
            store
                .authenticate(token.expose_secret())
                .await
                .unwrap()
                .unwrap()
        })
    });
    // The web layer's path on every request: the synchronous cache lookup,
    // and the database read when the entry has lapsed (once per second).
    g.bench_function("authenticate_layer_path", |b| {
        b.iter(|| match store.authenticate_cached(token.expose_secret()) {
            Some(current) => current,
            None => Arc::new(
                rt.block_on(store.authenticate(token.expose_secret()))
                    .unwrap()
                    .unwrap(),
            ),
        })
    });
    g.bench_function("record_activity_in_memory", |b| {
        b.iter(|| store.record_activity(&current, facts.ip, true))
    });
    g.bench_function("flush_activity_100_sessions", |b| {
        let many: Vec<_> = (0..100)
            .map(|_| {
                let (t, _) = rt.block_on(store.start_session(2, &facts)).unwrap();
                rt.block_on(store.authenticate(t.expose_secret()))
                    .unwrap()
                    .unwrap()
            })
            .collect();
        b.to_async(rt).iter_batched(
            || {
                for s in &many {
                    store.record_activity(s, facts.ip, true);
                }
            },
            |()| async { store.flush_activity().await.unwrap() },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("list_active_1M_rows", |b| {
        b.to_async(rt)
            .iter(|| async { store.list_active_sessions(USER).await.unwrap() })
    });
    g.bench_function("history_first_page_1M_rows", |b| {
        b.to_async(rt).iter(|| async {
            store
                .session_history(
                    USER,
                    &HistoryQuery {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
        })
    });
    g.finish();
    assert_eq!(
        rt.block_on(store.list_active_sessions(USER)).unwrap().len(),
        (ROWS / USERS / 5) as usize
    );

    rt.block_on(backend.db.close()).ok();
    if let Some((admin_url, name)) = backend.cleanup {
        rt.block_on(async {
            let admin = db::connect(&admin_url).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .await
                .unwrap();
        });
    }
}

fn store_benches(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let lite = rt.block_on(sqlite());
    bench_backend(c, &rt, lite);
    if let Some(pg) = rt.block_on(postgres()) {
        bench_backend(c, &rt, pg);
    }
}

fn user_agent_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("user_agent");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("parser_construction", |b| {
        b.iter(|| UserAgentClassifier::new().unwrap())
    });
    g.finish();

    let classifier = UserAgentClassifier::global();
    let mut g = c.benchmark_group("user_agent");
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("parse_cold", |b| b.iter(|| classifier.classify(UA)));
    // What a login pays: the cache in front of the classifying thread.
    let rt = Runtime::new().unwrap();
    let agents = UserAgents::global();
    rt.block_on(agents.classify(UA));
    g.bench_function("parse_cached", |b| {
        b.to_async(&rt).iter(|| agents.classify(UA))
    });
    g.finish();
}

criterion_group!(benches, store_benches, user_agent_benches);
criterion_main!(benches);
