//! Store benchmarks: `cargo bench -p sessions`.
//!
//! Per backend (SQLite file in WAL mode with 1,000,000 session rows;
//! PostgreSQL, when `TEST_DATABASE_URL` answers, with `BENCH_PG_ROWS` rows,
//! 10,000,000 by default, in a database created and dropped here): a
//! `SELECT 1` round trip as the baseline, authenticate (also as a ratio to
//! `SELECT 1` from interleaved rounds, printed), record activity (in
//! memory), a flush of 1,000 sessions in one statement beside the former
//! one-statement-per-session loop, the active list and the first history
//! page of one user (100 sessions each), and the whole sessions page. Then
//! pruning 1,000,000 expired rows in batches while requests run: their p99
//! with and without it. Then user-agent parsing.
use chrono::{TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use sessions::{
    CurrentSession, GeoIp, HistoryQuery, ManualClock, RequestFacts, SessionStore, StoreConfig,
    UserAgentClassifier, UserAgents, db,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// Sessions per user: 20 active, 80 ended.
const PER_USER: u64 = 100;
const BASE_MS: i64 = 1_790_000_000_000;
/// The user whose sessions are listed.
const USER: i64 = 3;
const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const DAY: i64 = 24 * 3600 * 1000;

struct Backend {
    name: &'static str,
    rows: u64,
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
        rows: 1_000_000,
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
    let rows = std::env::var("BENCH_PG_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    Some(Backend {
        name: "postgres",
        rows,
        db: db::connect(&url).await.unwrap(),
        cleanup: Some((admin_url, name)),
        _dir: None,
    })
}

/// `rows` sessions over `rows / 100` users, inserted with one statement (a
/// recursive CTE on SQLite, `generate_series` on PostgreSQL); 20 of each
/// user's are active.
async fn seed(db: &DatabaseConnection, rows: u64) {
    let started = Instant::now();
    let users = rows / PER_USER;
    let pg = db.get_database_backend() == DbBackend::Postgres;
    let series = |n: u64| {
        if pg {
            format!("(SELECT generate_series(1, {n}) AS i) AS n")
        } else {
            "n".to_owned()
        }
    };
    let with = |n: u64| {
        if pg {
            String::new()
        } else {
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "
            )
        }
    };
    // Token hashes must be 64 hex digits to read back.
    let hex = if pg {
        "lpad(to_hex(i), 64, '0')"
    } else {
        "printf('%064x', i)"
    };
    db.execute_unprepared(&format!(
        "{}INSERT INTO users (username, username_key, password_hash, created_at, password_changed_at) \
         SELECT 'user' || i, 'user' || i, 'x', {BASE_MS}, {BASE_MS} FROM {}",
        with(users),
        series(users)
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "{}INSERT INTO sessions (public_id, token_hash, user_id, created_at, last_seen_at, user_agent, \
           device_type, platform, browser_name, browser_version, login_ip, login_country_code, last_ip, \
           last_country_code, pages_visited, ended_at, end_reason, authenticated_at) \
         SELECT 'p' || i, {hex}, 1 + (i % {users}), {BASE_MS} + i, {BASE_MS} + i, '{UA}', 'Desktop', \
           'Windows', 'Chrome', '124', '81.2.69.142', 'GB', '81.2.69.142', 'GB', i % 7, \
           CASE WHEN (i / {users}) % 5 = 0 THEN NULL ELSE {BASE_MS} + i + 60000 END, \
           CASE WHEN (i / {users}) % 5 = 0 THEN NULL ELSE 'signed_out' END, {BASE_MS} + i \
         FROM {}",
        with(rows),
        series(rows)
    ))
    .await
    .unwrap();
    db.execute_unprepared("ANALYZE").await.unwrap();
    eprintln!("seeded {rows} sessions in {:.1?}", started.elapsed());
}

/// One million sessions of the first user that ended long before the
/// retention period: what pruning deletes.
async fn seed_prunable(db: &DatabaseConnection, now_ms: i64) {
    let pg = db.get_database_backend() == DbBackend::Postgres;
    let n = 1_000_000;
    let old = now_ms - 200 * DAY;
    let (with, from, hex) = if pg {
        (
            String::new(),
            format!("(SELECT generate_series(1, {n}) AS i) AS n"),
            "lpad(to_hex(i + 900000000), 64, '0')",
        )
    } else {
        (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "
            ),
            "n".to_owned(),
            "printf('%064x', i + 900000000)",
        )
    };
    db.execute_unprepared(&format!(
        "{with}INSERT INTO sessions (public_id, token_hash, user_id, created_at, last_seen_at, user_agent, \
           device_type, platform, browser_name, browser_version, login_ip, last_ip, pages_visited, \
           ended_at, end_reason, authenticated_at) \
         SELECT 'old' || i, {hex}, 1, {old}, {old}, 'x', 'Desktop', 'Windows', 'Chrome', '1', \
           '10.0.0.1', '10.0.0.1', 0, {old}, 'signed_out', {old} FROM {from}"
    ))
    .await
    .unwrap();
}

fn p(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Authenticating with a database read, `n` times in a row: the latencies.
async fn request_latencies(store: &SessionStore, token: &str, n: usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        store.authenticate(token).await.unwrap().unwrap();
        out.push(t.elapsed());
    }
    out.sort();
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    p(&v, 0.5)
}

/// The ratio with drift cancelled: this machine's speed moves by up
/// to 2x within minutes, more than criterion's groups of seconds apart can
/// tell from a 1.3x target. Each round times `SELECT 1` and an authenticate
/// read (which goes first alternates), and the ratio of the round's medians
/// is taken; the median round is printed with the medians of all calls.
async fn authenticate_vs_select_1(
    name: &str,
    db: &DatabaseConnection,
    uncached: &SessionStore,
    token: &str,
) {
    const ROUNDS: usize = 21;
    const CALLS: usize = 400;
    let (mut all_select, mut all_auth, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (mut select, mut auth) = (Vec::with_capacity(CALLS), Vec::with_capacity(CALLS));
        for half in 0..2 {
            for _ in 0..CALLS {
                let t = Instant::now();
                if (round + half) % 2 == 0 {
                    db.execute_unprepared("SELECT 1").await.unwrap();
                    select.push(t.elapsed());
                } else {
                    uncached.authenticate(token).await.unwrap().unwrap();
                    auth.push(t.elapsed());
                }
            }
        }
        all_select.extend_from_slice(&select);
        all_auth.extend_from_slice(&auth);
        ratios.push(median(auth).as_secs_f64() / median(select).as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    eprintln!(
        "store/{name}/authenticate_vs_select_1: {ROUNDS} rounds of {CALLS} calls each; \
         medians SELECT 1 {:.1?}, authenticate (database read) {:.1?}; \
         ratio of the rounds' medians: median {:.3} (rounds {:.3} to {:.3})",
        median(all_select),
        median(all_auth),
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1],
    );
}

fn bench_backend(c: &mut Criterion, rt: &Runtime, backend: Backend) {
    let name = backend.name;
    rt.block_on(Migrator::up(&backend.db, None)).unwrap();
    rt.block_on(seed(&backend.db, backend.rows));
    // The clock stands just after the seeded logins: every active row is fresh.
    let now = BASE_MS + backend.rows as i64 + 120_000;
    let clock = Arc::new(ManualClock::new(Utc.timestamp_millis_opt(now).unwrap()));
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
        app: None,
    };
    let (token, _) = rt.block_on(store.start_session(USER, &facts)).unwrap();
    let current = rt
        .block_on(store.authenticate(token.expose_secret()))
        .unwrap()
        .unwrap();

    rt.block_on(authenticate_vs_select_1(
        name,
        &backend.db,
        &uncached,
        token.expose_secret(),
    ));
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
    // The web layer's path on every request: the synchronous cache lookup.
    g.bench_function("authenticate_cached", |b| {
        b.iter(|| store.authenticate_cached(token.expose_secret()).unwrap())
    });
    g.bench_function("record_activity_in_memory", |b| {
        b.iter(|| store.record_activity(&current, facts.ip, true))
    });
    let many: Vec<CurrentSession> = (0..1000)
        .map(|_| {
            let (t, _) = rt.block_on(store.start_session(2, &facts)).unwrap();
            rt.block_on(store.authenticate(t.expose_secret()))
                .unwrap()
                .unwrap()
        })
        .collect();
    let pend = || {
        for s in &many {
            store.record_activity(s, facts.ip, true);
        }
    };
    g.sample_size(20);
    g.bench_function("flush_1000_sessions_one_statement", |b| {
        b.to_async(rt).iter_batched(
            pend,
            |()| async { store.flush_activity().await.unwrap() },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("flush_1000_sessions_row_by_row", |b| {
        b.to_async(rt).iter_batched(
            pend,
            |()| async { store.flush_activity_row_by_row().await.unwrap() },
            BatchSize::PerIteration,
        )
    });
    g.sample_size(100);
    g.bench_function("list_active", |b| {
        b.to_async(rt)
            .iter(|| async { store.list_active_sessions(USER).await.unwrap() })
    });
    let first_page = HistoryQuery {
        limit: 10,
        ..Default::default()
    };
    g.bench_function("history_first_page", |b| {
        b.to_async(rt)
            .iter(|| async { store.session_history(USER, &first_page).await.unwrap() })
    });
    g.bench_function("sessions_page", |b| {
        b.to_async(rt)
            .iter(|| async { store.sessions_page(&current, &first_page).await.unwrap() })
    });
    g.finish();
    assert_eq!(
        rt.block_on(store.list_active_sessions(USER)).unwrap().len(),
        (PER_USER / 5 + 1) as usize
    );

    // Pruning a million rows while requests run.
    rt.block_on(async {
        seed_prunable(&backend.db, now).await;
        backend.db.execute_unprepared("ANALYZE").await.unwrap();
        let secret = token.expose_secret();
        let quiet = request_latencies(&uncached, secret, 3000).await;
        let pruner = store.clone();
        let started = Instant::now();
        let pruning = tokio::spawn(async move { pruner.prune_history().await.unwrap() });
        let mut busy = Vec::new();
        while !pruning.is_finished() {
            busy.extend(request_latencies(&uncached, secret, 200).await);
        }
        let deleted = pruning.await.unwrap();
        let took = started.elapsed();
        busy.sort();
        eprintln!(
            "store/{name}/prune: deleted {deleted} rows in {took:.1?} (5,000 per statement); \
             authenticate (database read) without pruning: p50 {:.1?} p99 {:.1?}; \
             during pruning ({} requests): p50 {:.1?} p99 {:.1?}",
            p(&quiet, 0.5),
            p(&quiet, 0.99),
            busy.len(),
            p(&busy, 0.5),
            p(&busy, 0.99),
        );
    });

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
    if std::env::var("BENCH_SKIP_SQLITE").is_err() {
        let lite = rt.block_on(sqlite());
        bench_backend(c, &rt, lite);
    }
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
