//! Two servers (two stores) on one database. On PostgreSQL they hear each
//! other through LISTEN/NOTIFY; on SQLite there is one server by
//! definition, so a second store only meets the first in the database.
use crate::common::*;
use sea_orm::ConnectionTrait;
use sessions::Background;

/// Polls `done` until it holds (at most `secs` seconds of real time).
async fn eventually(secs: u64, mut done: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..secs * 100 {
        if done().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

/// Two stores, both running their background tasks (the listener on
/// PostgreSQL), and both hearing each other.
async fn two_servers(t: &TestDb) -> (SessionStore, Background, Background) {
    let other = t.second_store(test_config());
    let (a, b) = (
        t.store.spawn_background_tasks(),
        other.spawn_background_tasks(),
    );
    if t.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let (s1, s2) = (t.store.clone(), other.clone());
        assert!(eventually(10, async || s1.is_listening() && s2.is_listening()).await);
    }
    (other, a, b)
}

fn postgres(t: &TestDb) -> bool {
    t.db.get_database_backend() == sea_orm::DbBackend::Postgres
}

/// An end through one server: the other stops honouring the cookie at once
/// on PostgreSQL (it hears the end), within its cache's TTL on SQLite.
async fn an_end_on_one_server_is_honoured_by_the_other(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let (other, bg1, bg2) = two_servers(&t).await;
    let alice = user(&t.store, "alice").await;
    let (_, keeper) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (token, victim) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    let secret = token.expose_secret();
    assert_eq!(
        other.authenticate_cached(secret),
        None,
        "nothing cached before a read"
    );
    assert!(other.authenticate(secret).await.unwrap().is_some());
    assert!(other.authenticate_cached(secret).is_some());
    let mut stream = other.subscribe(&victim).unwrap();
    t.store
        .terminate_session(&keeper, &victim.public_id)
        .await
        .unwrap();
    assert_eq!(
        t.store.authenticate_cached(secret),
        None,
        "this server: at once"
    );
    the_other_lets_go(&t, &other, secret).await;
    if postgres(&t) {
        match tokio::time::timeout(std::time::Duration::from_secs(5), stream.recv()).await {
            Ok(Some(SessionEvent::Ended { session_id, .. })) => {
                assert_eq!(session_id, victim.public_id)
            }
            other => panic!("expected the end on the other server's stream, got {other:?}"),
        }
    }
    drop((bg1, bg2));
    t.teardown().await;
}

/// After an end through `t.store`, `other` stops honouring `secret`: at
/// once when it hears the end (PostgreSQL), at its cache's TTL (SQLite,
/// where a second store only meets the first in the database).
async fn the_other_lets_go(t: &TestDb, other: &SessionStore, secret: &str) {
    if postgres(t) {
        let o = other.clone();
        let gone = eventually(5, async || o.authenticate_cached(secret).is_none()).await;
        assert!(gone, "the other server heard the end");
    } else {
        let ttl = ChronoDuration::from_std(test_config().auth_cache_ttl).unwrap();
        t.clock.advance(ttl - ChronoDuration::milliseconds(1));
        assert!(other.authenticate_cached(secret).is_some());
        t.clock.advance(ChronoDuration::milliseconds(1));
        assert_eq!(other.authenticate_cached(secret), None);
    }
    assert_eq!(other.authenticate(secret).await.unwrap(), None);
}

/// An API token terminated through one server is refused by the other,
/// which had it cached from a call.
async fn an_ended_api_token_is_refused_by_the_other_server(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let (other, bg1, bg2) = two_servers(&t).await;
    let alice = user(&t.store, "alice").await;
    let (_, browser) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let day = std::time::Duration::from_secs(86_400);
    let scope = sessions::TokenScope::Manage;
    let (token, view) = t
        .store
        .create_api_token(&browser, "backup script", scope, day, ip("81.2.69.142"))
        .await
        .unwrap();
    let secret = token.expose_secret();
    let on_other = other.authenticate(secret).await.unwrap();
    assert_eq!(on_other.map(|c| c.scope), Some(Some(scope)));
    assert!(other.authenticate_cached(secret).is_some());
    t.store.terminate_session(&browser, &view.id).await.unwrap();
    assert_eq!(t.store.authenticate_cached(secret), None);
    the_other_lets_go(&t, &other, secret).await;
    drop((bg1, bg2));
    t.teardown().await;
}

/// A login through one server reaches the live streams held by the other.
async fn a_login_on_one_server_reaches_the_others_streams(b: Backend) {
    let Some(t) = setup(b).await else { return };
    if !postgres(&t) {
        return t.teardown().await;
    }
    let (other, bg1, bg2) = two_servers(&t).await;
    let alice = user(&t.store, "alice").await;
    let (_, watcher) = login(&other, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let mut stream = other.subscribe(&watcher).unwrap();
    let (_, newcomer) = t
        .store
        .start_session(alice, &facts(SAFARI_IPHONE, "89.160.20.128"))
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(5), stream.recv()).await {
            Ok(Some(SessionEvent::Started { session_id, .. })) if session_id == newcomer.id => {
                break;
            }
            Ok(Some(_)) => continue,
            other => panic!("expected the new login on the other server, got {other:?}"),
        }
    }
    drop((bg1, bg2));
    t.teardown().await;
}

/// Two servers flushing the same session add their counts, and the later
/// sighting wins last activity and IP, whichever flushes last.
async fn two_servers_flushing_one_session_add_up(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let other = t.second_store(test_config());
    let alice = user(&t.store, "alice").await;
    let (_, s) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let start = row_of(&t, &s.public_id).await.last_seen_at;
    t.clock.advance(ChronoDuration::seconds(10));
    for _ in 0..5 {
        other.record_activity(&s, ip("89.160.20.128"), true);
    }
    t.clock.advance(ChronoDuration::seconds(-5));
    for _ in 0..3 {
        t.store.record_activity(&s, ip("216.160.83.56"), true);
    }
    // The later sighting (on `other`) is flushed first, the earlier last.
    assert_eq!(other.flush_activity().await.unwrap(), 1);
    assert_eq!(t.store.flush_activity().await.unwrap(), 1);
    let row = row_of(&t, &s.public_id).await;
    assert_eq!(row.pages_visited, 8);
    assert_eq!(row.last_seen_at, start + 10_000);
    assert_eq!(row.last_ip, "89.160.20.128");
    assert_eq!(row.last_country_code.as_deref(), Some("SE"));
    t.teardown().await;
}

/// The listener's connection is killed: while it is down the short TTL
/// bounds a missed end; once back, caches are dropped and streams resync.
async fn a_lost_listener_falls_back_then_resyncs(b: Backend) {
    let Some(t) = setup(b).await else { return };
    if !postgres(&t) {
        return t.teardown().await;
    }
    let (other, bg1, bg2) = two_servers(&t).await;
    let alice = user(&t.store, "alice").await;
    let (_, keeper) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (token, victim) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    let secret = token.expose_secret();
    assert!(other.authenticate(secret).await.unwrap().is_some());
    let mut stream = other.subscribe(&keeper).unwrap();
    let killed =
        t.db.execute_unprepared(
            // Only this test's listeners: the suite's other tests share the
            // database (each in its own schema, so on its own channel).
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() \
             AND query = 'LISTEN \"sessionboard_' || current_schema() || '\"'",
        )
        .await
        .unwrap();
    assert!(killed.rows_affected() >= 1);
    let o = other.clone();
    assert!(
        eventually(5, async || !o.is_listening()).await,
        "the loss is noticed"
    );
    // While deaf, the other server holds the session for the short TTL only.
    t.store
        .terminate_session(&keeper, &victim.public_id)
        .await
        .unwrap();
    t.clock
        .advance(ChronoDuration::from_std(test_config().auth_cache_ttl_unlistened).unwrap());
    assert_eq!(other.authenticate_cached(secret), None);
    assert_eq!(other.authenticate(secret).await.unwrap(), None);
    // Back: every stream is told to reload.
    let o = other.clone();
    assert!(
        eventually(10, async || o.is_listening()).await,
        "it reconnects by itself"
    );
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(5), stream.recv()).await {
            Ok(Some(SessionEvent::Resync { .. })) => break,
            Ok(Some(_)) => continue,
            other => panic!("expected a resync after reconnecting, got {other:?}"),
        }
    }
    drop((bg1, bg2));
    t.teardown().await;
}

/// Another role on the database sends a forged end (unsigned, or signed
/// with another key) on the channel: no server believes it.
async fn a_forged_payload_is_ignored(b: Backend) {
    let Some(t) = setup(b).await else { return };
    if !postgres(&t) {
        return t.teardown().await;
    }
    let (other, bg1, bg2) = two_servers(&t).await;
    let alice = user(&t.store, "alice").await;
    let (_, keeper) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (token, victim) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    let secret = token.expose_secret();
    assert!(other.authenticate(secret).await.unwrap().is_some());
    let mut stream = other.subscribe(&keeper).unwrap();
    let channel = format!("sessionboard_{}", t.pg_schema().unwrap());
    let forged = format!(
        r#"{{"s":"forger","u":{alice},"k":"ended","i":"{}","r":"terminated"}}"#,
        victim.public_id
    );
    for payload in [forged.clone(), format!("{forged}|{}", "ab".repeat(16))] {
        t.db.execute_unprepared(&format!(
            "SELECT pg_notify('{channel}', '{}')",
            payload.replace('\'', "''")
        ))
        .await
        .unwrap();
    }
    // Long enough for the notifications to arrive and be acted on.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(other.authenticate_cached(secret).is_some(), "still cached");
    while let Ok(Some(event)) =
        tokio::time::timeout(std::time::Duration::from_millis(200), stream.recv()).await
    {
        assert!(
            !matches!(event, SessionEvent::Ended { .. }),
            "a forged end reached a page: {event:?}"
        );
    }
    drop((bg1, bg2));
    t.teardown().await;
}

/// A TCP relay in front of PostgreSQL that can go silent: every connection
/// stays open and nothing passes, as on a network that drops packets
/// without closing anything.
struct Relay {
    addr: std::net::SocketAddr,
    silent: std::sync::Arc<std::sync::atomic::AtomicBool>,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn to(target: String) -> Relay {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let silent = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let tasks = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (quiet, held) = (silent.clone(), tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(&target).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                let pipe =
                    |mut from: tokio::net::tcp::OwnedReadHalf,
                     mut to: tokio::net::tcp::OwnedWriteHalf,
                     quiet: std::sync::Arc<std::sync::atomic::AtomicBool>| async move {
                        let mut buf = vec![0u8; 16 * 1024];
                        loop {
                            let n = match from.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if quiet.load(Ordering::SeqCst) {
                                std::future::pending::<()>().await;
                            }
                            if to.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                let up = tokio::spawn(pipe(cr, sw, quiet.clone()));
                let down = tokio::spawn(pipe(sr, cw, quiet.clone()));
                held.lock().unwrap().extend([up, down]);
            }
        });
        tasks.lock().unwrap().push(accept);
        Relay {
            addr,
            silent,
            tasks,
        }
    }

    fn go_silent(&self) {
        self.silent.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

/// The listener's connection goes silent without closing: the server
/// notices within 10 s (its own heartbeat's echo stops), and meanwhile
/// trusts its cache only for the short TTL.
async fn a_blackholed_listener_is_noticed(b: Backend) {
    let Some(t) = setup(b).await else { return };
    if !postgres(&t) {
        return t.teardown().await;
    }
    let relay = Relay::to(t.pg_host_port().unwrap()).await;
    let url = t.pg_url_via(&relay.addr.to_string()).unwrap();
    let relayed = db::connect(&url).await.unwrap();
    let far = SessionStore::with_clock(relayed, test_config(), test_geoip(), t.clock.clone());
    far.set_secret_key(t.key.clone());
    let bg = far.spawn_background_tasks();
    let f = far.clone();
    assert!(eventually(10, async || f.is_listening()).await);
    relay.go_silent();
    let since = std::time::Instant::now();
    let f = far.clone();
    assert!(
        eventually(12, async || !f.is_listening()).await,
        "a silent listener is noticed"
    );
    let took = since.elapsed();
    eprintln!("blackholed listener noticed after {took:?}");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    drop(bg);
    drop(relay);
    t.teardown().await;
}

on_both_backends!(
    a_forged_payload_is_ignored,
    a_blackholed_listener_is_noticed,
    an_end_on_one_server_is_honoured_by_the_other,
    an_ended_api_token_is_refused_by_the_other_server,
    a_login_on_one_server_reaches_the_others_streams,
    two_servers_flushing_one_session_add_up,
    a_lost_listener_falls_back_then_resyncs,
);
