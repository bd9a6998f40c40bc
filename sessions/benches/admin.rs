//! Admin console benchmarks on PostgreSQL (`TEST_DATABASE_URL`, a database
//! created and dropped here): 100,000 accounts and `BENCH_AUDIT_ROWS`
//! audit events (10,000,000 by default), each seeded with one statement.
//! Measured through the store, as `/admin/users` and `/admin/audit` call
//! it (the administrator's checks included): the account search, the
//! audit filter by account and by kind, beside a `SELECT 1` round trip.
//! Then a password sign-in (production Argon2 cost), and what its audit
//! events add: captured and written at once (the worst case: the server
//! writes them in batches with the activity flush).
//!
//! `bash scripts/bench-admin.sh` runs it and fills PERFORMANCE.md.
use criterion::{Criterion, criterion_group, criterion_main};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sessions::{
    AuditFilter, AuditQueue, CurrentSession, GeoIp, LoginStep, RequestFacts, SessionStore,
    StoreConfig, UserQuery, db,
};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

const ACCOUNTS: u64 = 100_000;
const BASE_MS: i64 = 1_790_000_000_000;
const PASSWORD: &str = "correct horse battery";

async fn database() -> Option<(DatabaseConnection, String, String)> {
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let admin = match db::connect(&admin_url).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("!!! admin benchmarks skipped: {admin_url} does not answer ({e:?})");
            return None;
        }
    };
    let name = format!("sessionboard_bench_admin_{}", std::process::id());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .ok()?;
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
    Some((db::connect(&url).await.unwrap(), admin_url, name))
}

async fn seed(db: &DatabaseConnection, audit_rows: u64) {
    let started = Instant::now();
    db.execute_unprepared(&format!(
        "INSERT INTO users (username, username_key, password_hash, created_at, password_changed_at, email) \
         SELECT 'user' || i, 'user' || i, 'x', {BASE_MS}, {BASE_MS}, 'user' || i || '@example.com' \
         FROM generate_series(1, {ACCOUNTS}) AS i"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "INSERT INTO audit_events (at, kind, user_id, ip, detail) \
         SELECT {BASE_MS} + i, (ARRAY['session started', 'password accepted', 'session ended', \
           'login failed', 're-authenticated'])[1 + i % 5], 1 + i % {ACCOUNTS}, \
           '203.0.113.' || (i % 250), '{{}}' \
         FROM generate_series(1, {audit_rows}) AS i"
    ))
    .await
    .unwrap();
    // VACUUM as autovacuum would: it also moves the rows the trigram
    // indexes hold in their pending list into the index proper.
    db.execute_unprepared("VACUUM ANALYZE").await.unwrap();
    eprintln!(
        "seeded {ACCOUNTS} accounts and {audit_rows} audit events in {:.1?}",
        started.elapsed()
    );
}

/// An administrator signed in with a code, as the console needs.
async fn administrator(store: &SessionStore) -> CurrentSession {
    let facts = RequestFacts {
        user_agent: "bench".into(),
        ip: "127.0.0.1".parse().unwrap(),
        app: None,
    };
    let user = store
        .register("zz-admin", PASSWORD, facts.ip)
        .await
        .unwrap();
    let (token, _) = store.start_session(user.id, &facts).await.unwrap();
    let first = store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .unwrap();
    store.begin_two_factor(&first).await.unwrap();
    let e = store.two_factor_enrolment(&first).await.unwrap().unwrap();
    let now = chrono::Utc::now();
    store
        .confirm_two_factor(
            &first,
            &sessions::testing::totp_code_at(&e.secret_base32, now),
            false,
        )
        .await
        .unwrap();
    store.grant_admin("zz-admin").await.unwrap();
    let LoginStep::SecondFactor(pending) = store.login("zz-admin", PASSWORD, &facts).await.unwrap()
    else {
        panic!("a second factor is asked for");
    };
    let next = now + chrono::Duration::seconds(30);
    let (token, _) = store
        .complete_login(
            pending.expose_secret(),
            &sessions::testing::totp_code_at(&e.secret_base32, next),
            &facts,
        )
        .await
        .unwrap();
    store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .unwrap()
}

fn admin_benches(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let Some((db, admin_url, name)) = rt.block_on(database()) else {
        return;
    };
    let audit_rows = std::env::var("BENCH_AUDIT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    rt.block_on(async {
        Migrator::up(&db, None).await.unwrap();
        seed(&db, audit_rows).await;
    });
    let store = SessionStore::new(db.clone(), StoreConfig::default(), GeoIp::disabled());
    store.set_secret_key(sessions::SecretKey::generate());
    let admin = rt.block_on(administrator(&store));

    let mut g = c.benchmark_group("admin_postgres");
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("select_1", |b| {
        b.to_async(&rt)
            .iter(|| async { db.execute_unprepared("SELECT 1").await.unwrap() })
    });
    let search = UserQuery {
        search: "user4242".into(),
        ..Default::default()
    };
    g.bench_function("users_search", |b| {
        b.to_async(&rt)
            .iter(|| async { store.admin_users(&admin, &search).await.unwrap() })
    });
    let by_user = AuditFilter {
        user: Some("user4242".into()),
        ..Default::default()
    };
    g.bench_function("audit_by_account", |b| {
        b.to_async(&rt).iter(|| async {
            store.require_admin(&admin).await.unwrap();
            store.audit_page(&by_user).await.unwrap()
        })
    });
    let by_kind = AuditFilter {
        kind: Some("login failed".into()),
        ..Default::default()
    };
    g.bench_function("audit_by_kind", |b| {
        b.to_async(&rt).iter(|| async {
            store.require_admin(&admin).await.unwrap();
            store.audit_page(&by_kind).await.unwrap()
        })
    });
    g.finish();

    // A sign-in at the production Argon2 cost, without and with its audit
    // events captured and written at once.
    let facts = RequestFacts {
        user_agent: "bench".into(),
        ip: "127.0.0.1".parse().unwrap(),
        app: None,
    };
    rt.block_on(store.register("signer", PASSWORD, facts.ip))
        .unwrap();
    let mut g = c.benchmark_group("sign_in_postgres");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("plain", |b| {
        b.to_async(&rt)
            .iter(|| async { store.login("signer", PASSWORD, &facts).await.unwrap() })
    });
    // What the audit adds to it, measured alone (the sign-in's spread is
    // wider than the addition): its two events captured and written at
    // once, the worst case (the server batches them with the flush).
    let queue = AuditQueue::new();
    store.keep_audit(queue.clone());
    g.bench_function("its_audit_events", |b| {
        b.iter(|| {
            let _capture = sessions::testing::capture(&queue);
            let ip = facts.ip;
            tracing::info!(target: "audit", user = "signer", %ip, "password accepted");
            tracing::info!(target: "audit", user = "signer", session = "p0000000000000000000000", %ip, new_device = false, new_location = false, "session started");
            rt.block_on(async { assert_eq!(store.write_audit().await.unwrap(), 2) })
        })
    });
    g.finish();

    rt.block_on(async {
        db.close().await.ok();
        let admin = db::connect(&admin_url).await.unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .unwrap();
    });
}

criterion_group!(benches, admin_benches);
criterion_main!(benches);
