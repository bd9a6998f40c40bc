//! Store integration tests: every case runs on SQLite and on PostgreSQL.
mod common;

use chrono::Duration as ChronoDuration;
use common::{Backend, TestDb, setup, setup_with};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use sessions::entity::session;
use sessions::{
    CurrentSession, DeviceType, EndReason, HistoryQuery, Location, RequestFacts, SessionEvent,
    SessionStore, SessionToken, StoreConfig, StoreError, ThrottleConfig,
};
use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

fn facts(ua: &str, ip: &str) -> RequestFacts {
    RequestFacts {
        user_agent: ua.to_owned(),
        ip: ip.parse().unwrap(),
    }
}

async fn user(store: &SessionStore, name: &str) -> i64 {
    store
        .register_user(name, "correct horse battery")
        .await
        .unwrap()
        .id
}

async fn login(
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

async fn is_active(store: &SessionStore, token: &SessionToken) -> bool {
    store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .is_some()
}

async fn count_rows(t: &TestDb) -> usize {
    session::Entity::find().all(&t.db).await.unwrap().len()
}

async fn row_of(t: &TestDb, public_id: &str) -> session::Model {
    use sea_orm::{ColumnTrait, QueryFilter};
    session::Entity::find()
        .filter(session::Column::PublicId.eq(public_id))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
}

async fn tokens_are_unique_and_only_hashes_are_stored(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let issued: HashSet<String> = (0..10_000)
        .map(|_| SessionToken::generate().expose_secret().to_owned())
        .collect();
    assert_eq!(issued.len(), 10_000);

    let uid = user(&t.store, "alice").await;
    let mut tokens = Vec::new();
    for _ in 0..20 {
        let (token, view) = t
            .store
            .start_session(uid, &facts(FIREFOX_LINUX, "81.2.69.142"))
            .await
            .unwrap();
        assert!(!view.id.is_empty());
        assert_ne!(view.id, token.expose_secret());
        tokens.push(token);
    }
    // Read every text column back as the database holds it.
    let rows =
        t.db.query_all_raw(Statement::from_string(
            t.db.get_database_backend(),
            "SELECT public_id, token_hash, user_agent, login_ip, last_ip FROM sessions",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 20);
    let mut stored_hashes = HashSet::new();
    for row in &rows {
        let mut text = String::new();
        for col in [
            "public_id",
            "token_hash",
            "user_agent",
            "login_ip",
            "last_ip",
        ] {
            text.push_str(&row.try_get::<String>("", col).unwrap());
            text.push('|');
        }
        for token in &tokens {
            assert!(
                !text.contains(token.expose_secret()),
                "a token is stored in clear"
            );
        }
        let hash: String = row.try_get("", "token_hash").unwrap();
        assert_eq!(hash.len(), 64);
        stored_hashes.insert(hash);
    }
    // Each stored value is the SHA-256 of one issued token.
    let expected: HashSet<String> = tokens
        .iter()
        .map(|tok| {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(tok.expose_secret().as_bytes()))
        })
        .collect();
    assert_eq!(stored_hashes, expected);
    t.teardown().await;
}

async fn authenticate_accepts_only_valid_tokens(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let uid = user(&t.store, "alice").await;
    let (token, current) = login(&t.store, uid, FIREFOX_LINUX, "81.2.69.142").await;
    assert_eq!(current.user_id, uid);
    assert_eq!(current.username, "alice");
    let before = count_rows(&t).await;
    let unknown = SessionToken::generate();
    for bad in [
        unknown.expose_secret(),
        "",
        "not-a-token",
        &"x".repeat(43),
        "' OR 1=1 --",
        &"é".repeat(30),
    ] {
        assert_eq!(t.store.authenticate(bad).await.unwrap(), None, "{bad:?}");
    }
    assert_eq!(
        count_rows(&t).await,
        before,
        "authenticate must never create rows"
    );
    assert!(is_active(&t.store, &token).await);
    t.teardown().await;
}

async fn idle_timeout_expires_session(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let uid = user(&t.store, "alice").await;
    let (token, current) = login(&t.store, uid, FIREFOX_LINUX, "81.2.69.142").await;
    let idle = t.store.config().idle_timeout;
    t.clock
        .advance(ChronoDuration::from_std(idle).unwrap() - ChronoDuration::seconds(1));
    assert!(is_active(&t.store, &token).await);
    t.clock.advance(ChronoDuration::seconds(2));
    assert!(!is_active(&t.store, &token).await);
    let row = row_of(&t, &current.public_id).await;
    assert_eq!(row.end_reason.as_deref(), Some("expired"));
    assert!(row.ended_at.is_some());
    // Expired stays expired, even if the clock were turned back.
    t.clock.advance(ChronoDuration::days(-30));
    assert!(!is_active(&t.store, &token).await);
    t.teardown().await;
}

async fn absolute_lifetime_expires_active_session(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let uid = user(&t.store, "alice").await;
    let (token, current) = login(&t.store, uid, FIREFOX_LINUX, "81.2.69.142").await;
    // Used every day: the idle timeout never triggers, the lifetime does.
    for _ in 0..29 {
        t.clock.advance(ChronoDuration::days(1));
        let c = t
            .store
            .authenticate(token.expose_secret())
            .await
            .unwrap()
            .expect("still active");
        t.store
            .record_activity(&c, "81.2.69.142".parse().unwrap(), true);
        t.store.flush_activity().await.unwrap();
    }
    t.clock.advance(ChronoDuration::days(1));
    assert!(!is_active(&t.store, &token).await);
    let row = row_of(&t, &current.public_id).await;
    assert_eq!(row.end_reason.as_deref(), Some("expired"));
    assert_eq!(row.pages_visited, 29);
    t.teardown().await;
}

async fn terminate_follows_the_rules(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let mallory = user(&t.store, "mallory").await;
    let (_, a1) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (a2_token, a2) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    let (m_token, m1) = login(&t.store, mallory, FIREFOX_LINUX, "216.160.83.56").await;

    // The caller's own session: refused, with the message that says what to do.
    let err = t
        .store
        .terminate_session(&a1, &a1.public_id)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::CannotTerminateCurrent));
    assert!(err.to_string().contains("Use Log out instead"));

    // Another account's id answers exactly like an unknown id.
    let foreign = t
        .store
        .terminate_session(&a1, &m1.public_id)
        .await
        .unwrap_err();
    let unknown = t
        .store
        .terminate_session(&a1, "AAAAAAAAAAAAAAAAAAAAAA")
        .await
        .unwrap_err();
    assert!(matches!(foreign, StoreError::SessionNotFound));
    assert!(matches!(unknown, StoreError::SessionNotFound));
    assert_eq!(foreign.to_string(), unknown.to_string());
    assert!(is_active(&t.store, &m_token).await);
    assert_eq!(row_of(&t, &m1.public_id).await.ended_at, None);

    // A real terminate: at once, and only that session.
    let mut events = t.store.subscribe(alice);
    let ended = t.store.terminate_session(&a1, &a2.public_id).await.unwrap();
    assert_eq!(ended.end_reason, Some(EndReason::Terminated));
    assert!(!is_active(&t.store, &a2_token).await);
    assert_eq!(
        row_of(&t, &a2.public_id).await.end_reason.as_deref(),
        Some("terminated")
    );
    match events.recv().await {
        Some(SessionEvent::Ended {
            session_id, reason, ..
        }) => {
            assert_eq!(session_id, a2.public_id);
            assert_eq!(reason, EndReason::Terminated);
        }
        other => panic!("expected Ended, got {other:?}"),
    }
    // Terminating it again: not found (already ended).
    assert!(matches!(
        t.store
            .terminate_session(&a1, &a2.public_id)
            .await
            .unwrap_err(),
        StoreError::SessionNotFound
    ));
    t.teardown().await;
}

async fn terminate_others_ends_all_but_current(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let bob = user(&t.store, "bob").await;
    let (cur_token, current) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let mut others = Vec::new();
    for i in 0..4 {
        others.push(
            login(
                &t.store,
                alice,
                SAFARI_IPHONE,
                &format!("89.160.20.{}", 128 + i),
            )
            .await,
        );
    }
    let (bob_token, _) = login(&t.store, bob, FIREFOX_LINUX, "216.160.83.56").await;
    assert_eq!(t.store.count_other_sessions(&current).await.unwrap(), 4);
    assert_eq!(t.store.terminate_other_sessions(&current).await.unwrap(), 4);
    assert_eq!(t.store.terminate_other_sessions(&current).await.unwrap(), 0);
    assert!(is_active(&t.store, &cur_token).await);
    assert!(is_active(&t.store, &bob_token).await);
    for (token, s) in &others {
        assert!(!is_active(&t.store, token).await);
        assert_eq!(
            row_of(&t, &s.public_id).await.end_reason.as_deref(),
            Some("signed_out_everywhere")
        );
    }
    let active = t.store.list_active_sessions(alice).await.unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].id, current.public_id);
    t.teardown().await;
}

async fn activity_races_never_resurrect(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, keeper) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let ip: IpAddr = "89.160.20.128".parse().unwrap();
    for round in 0..1000 {
        let (token, victim) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
        t.store.record_activity(&victim, ip, true);
        let (s1, s2, s3) = (t.store.clone(), t.store.clone(), t.store.clone());
        let (v1, k) = (victim.clone(), keeper.clone());
        let flush = tokio::spawn(async move { s1.flush_activity().await.unwrap() });
        let terminate =
            tokio::spawn(async move { s2.terminate_session(&k, &v1.public_id).await.unwrap() });
        let v2 = victim.clone();
        let late = tokio::spawn(async move {
            s3.record_activity(&v2, ip, true);
            s3.flush_activity().await.unwrap()
        });
        let (a, b2, c) = tokio::join!(flush, terminate, late);
        a.unwrap();
        b2.unwrap();
        c.unwrap();
        t.store.flush_activity().await.unwrap();
        let row = row_of(&t, &victim.public_id).await;
        assert!(
            row.ended_at.is_some(),
            "round {round}: terminated row was revived"
        );
        assert_eq!(
            row.end_reason.as_deref(),
            Some("terminated"),
            "round {round}"
        );
        assert!(!is_active(&t.store, &token).await);
    }
    // Only the keeper is active after all of that.
    assert_eq!(t.store.list_active_sessions(alice).await.unwrap().len(), 1);
    t.teardown().await;
}

async fn activity_is_coalesced_and_not_lost(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, current) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let mut events = t.store.subscribe(alice);
    for i in 0..10 {
        t.clock.advance(ChronoDuration::seconds(1));
        t.store
            .record_activity(&current, "89.160.20.128".parse().unwrap(), i % 2 == 0);
    }
    // Unflushed activity is already visible in the list.
    let listed = t.store.list_active_sessions(alice).await.unwrap();
    assert_eq!(listed[0].pages_visited, 5);
    assert_eq!(listed[0].location, Location::Country("SE".into()));
    // One flush writes one row.
    assert_eq!(t.store.flush_activity().await.unwrap(), 1);
    assert_eq!(t.store.flush_activity().await.unwrap(), 0);
    let row = row_of(&t, &current.public_id).await;
    assert_eq!(row.pages_visited, 5);
    assert_eq!(row.last_ip, "89.160.20.128");
    assert_eq!(row.country_code.as_deref(), Some("SE"));
    assert_eq!(row.login_country_code.as_deref(), Some("GB"));
    assert_eq!(row.last_seen_at, t.store.now().timestamp_millis());
    match events.recv().await {
        Some(SessionEvent::Activity {
            pages_visited,
            session_id,
            ..
        }) => {
            assert_eq!(pages_visited, 5);
            assert_eq!(session_id, current.public_id);
        }
        other => panic!("expected Activity, got {other:?}"),
    }
    // Log out writes what was pending before ending.
    t.store
        .record_activity(&current, "89.160.20.128".parse().unwrap(), true);
    assert!(
        t.store
            .end_session(&current, EndReason::SignedOut)
            .await
            .unwrap()
    );
    let row = row_of(&t, &current.public_id).await;
    assert_eq!(row.pages_visited, 6);
    assert_eq!(row.end_reason.as_deref(), Some("signed_out"));
    t.teardown().await;
}

async fn lists_and_pages_200_sessions(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let bob = user(&t.store, "bob").await;
    let mut ids = HashSet::new();
    for i in 0..200 {
        // Several logins share a millisecond: the keyset must break ties.
        if i % 3 == 0 {
            t.clock.advance(ChronoDuration::milliseconds(1));
        }
        let (_, view) = t
            .store
            .start_session(alice, &facts(FIREFOX_LINUX, "81.2.69.142"))
            .await
            .unwrap();
        ids.insert(view.id);
    }
    t.store
        .start_session(bob, &facts(FIREFOX_LINUX, "81.2.69.142"))
        .await
        .unwrap();
    let active = t.store.list_active_sessions(alice).await.unwrap();
    assert_eq!(active.len(), 200);
    assert_eq!(
        active.iter().map(|s| s.id.clone()).collect::<HashSet<_>>(),
        ids
    );
    assert!(
        active
            .windows(2)
            .all(|w| w[0].last_seen_at >= w[1].last_seen_at)
    );
    assert!(
        active
            .iter()
            .all(|s| s.device_type == DeviceType::Desktop && s.browser() == "Firefox 125")
    );

    // Walk older pages to the end, then newer pages back to the start.
    let mut pages = Vec::new();
    let mut query = HistoryQuery {
        limit: 7,
        ..Default::default()
    };
    loop {
        let page = t.store.session_history(alice, &query).await.unwrap();
        assert!(page.entries.len() <= 7);
        let older = page.older.clone();
        pages.push(page);
        match older {
            Some(c) => {
                query = HistoryQuery {
                    before: Some(c),
                    after: None,
                    limit: 7,
                }
            }
            None => break,
        }
    }
    let seen: Vec<String> = pages
        .iter()
        .flat_map(|p| p.entries.iter().map(|e| e.id.clone()))
        .collect();
    assert_eq!(seen.len(), 200, "every session exactly once");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), ids);
    let created: Vec<_> = pages
        .iter()
        .flat_map(|p| p.entries.iter().map(|e| e.created_at))
        .collect();
    assert!(
        created.windows(2).all(|w| w[0] >= w[1]),
        "newest login first"
    );
    assert!(pages[0].newer.is_none());
    assert!(pages.last().unwrap().older.is_none());

    let mut back = Vec::new();
    let mut cursor = pages.last().unwrap().newer.clone();
    while let Some(c) = cursor {
        let page = t
            .store
            .session_history(
                alice,
                &HistoryQuery {
                    before: None,
                    after: Some(c),
                    limit: 7,
                },
            )
            .await
            .unwrap();
        cursor = page.newer.clone();
        back.push(
            page.entries
                .iter()
                .map(|e| e.id.clone())
                .collect::<Vec<_>>(),
        );
    }
    back.reverse();
    let forward: Vec<Vec<String>> = pages[..pages.len() - 1]
        .iter()
        .map(|p| p.entries.iter().map(|e| e.id.clone()).collect())
        .collect();
    assert_eq!(back, forward, "newer pages retrace the older ones");
    t.teardown().await;
}

async fn accounts_login_and_throttle(b: Backend) {
    let config = StoreConfig {
        throttle: ThrottleConfig {
            max_failures_per_account: 3,
            max_failures_per_ip: 50,
            window: Duration::from_secs(60),
        },
        ..StoreConfig::default()
    };
    let Some(t) = setup_with(b, config).await else {
        return;
    };
    t.store
        .register_user("Alice", "correct horse battery")
        .await
        .unwrap();
    assert!(matches!(
        t.store
            .register_user("alice", "another password")
            .await
            .unwrap_err(),
        StoreError::UsernameTaken
    ));
    assert!(matches!(
        t.store
            .register_user("a", "long enough pw")
            .await
            .unwrap_err(),
        StoreError::InvalidUsername
    ));
    assert!(matches!(
        t.store.register_user("bob", "short").await.unwrap_err(),
        StoreError::InvalidPassword
    ));

    let f = facts(FIREFOX_LINUX, "81.2.69.142");
    let (t1, v1) = t
        .store
        .login("ALICE", "correct horse battery", &f)
        .await
        .unwrap();
    let (t2, v2) = t
        .store
        .login("alice", "correct horse battery", &f)
        .await
        .unwrap();
    assert_ne!(
        t1.expose_secret(),
        t2.expose_secret(),
        "every login issues a fresh token"
    );
    assert_ne!(v1.id, v2.id);
    assert_eq!(v1.location, Location::Country("GB".into()));
    assert_eq!(v1.platform, "Linux");

    for _ in 0..3 {
        assert!(matches!(
            t.store.login("alice", "wrong", &f).await.unwrap_err(),
            StoreError::InvalidCredentials
        ));
    }
    let err = t
        .store
        .login("alice", "correct horse battery", &f)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::RateLimited { .. }), "{err:?}");
    assert!(err.to_string().contains("Try again"));
    // Unknown users get the same answer as wrong passwords.
    assert_eq!(
        t.store
            .login("nobody", "whatever1", &f)
            .await
            .unwrap_err()
            .to_string(),
        StoreError::InvalidCredentials.to_string()
    );
    t.teardown().await;
}

async fn password_change_signs_out_other_devices(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (cur_token, current) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (other_token, other) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    assert!(matches!(
        t.store
            .change_password(&current, "wrong password", "new password 1", true)
            .await
            .unwrap_err(),
        StoreError::WrongPassword
    ));
    assert!(is_active(&t.store, &other_token).await);
    let ended = t
        .store
        .change_password(&current, "correct horse battery", "new password 1", true)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert!(is_active(&t.store, &cur_token).await);
    assert!(!is_active(&t.store, &other_token).await);
    assert_eq!(
        row_of(&t, &other.public_id).await.end_reason.as_deref(),
        Some("password_changed")
    );
    let ip = "81.2.69.142".parse().unwrap();
    assert!(
        t.store
            .verify_login("alice", "correct horse battery", ip)
            .await
            .is_err()
    );
    assert!(
        t.store
            .verify_login("alice", "new password 1", ip)
            .await
            .is_ok()
    );
    // Unchecked box: nobody else is signed out.
    let (third_token, _) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    assert_eq!(
        t.store
            .change_password(&current, "new password 1", "new password 2", false)
            .await
            .unwrap(),
        0
    );
    assert!(is_active(&t.store, &third_token).await);
    t.teardown().await;
}

async fn events_reach_only_the_owner(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let bob = user(&t.store, "bob").await;
    let mut alice_events = t.store.subscribe(alice);
    let (_, bob_view) = t
        .store
        .start_session(bob, &facts(FIREFOX_LINUX, "81.2.69.142"))
        .await
        .unwrap();
    let (_, alice_view) = t
        .store
        .start_session(alice, &facts(SAFARI_IPHONE, "2001:218::1"))
        .await
        .unwrap();
    match alice_events.recv().await {
        Some(SessionEvent::Started { session, user_id }) => {
            assert_eq!(user_id, alice);
            assert_eq!(session.id, alice_view.id);
            assert_ne!(session.id, bob_view.id);
            assert_eq!(session.device_type, DeviceType::Mobile);
            assert_eq!(session.location, Location::Country("JP".into()));
        }
        other => panic!("expected Started, got {other:?}"),
    }
    t.teardown().await;
}

async fn pruning_expires_stale_and_deletes_old_history(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, old) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (_, stale) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    t.store
        .end_session(&old, EndReason::SignedOut)
        .await
        .unwrap();
    t.clock.advance(ChronoDuration::days(20));
    let (_, fresh) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    assert_eq!(t.store.prune_history().await.unwrap(), 0);
    // `stale` was never seen again: pruning ends it at its idle deadline.
    let row = row_of(&t, &stale.public_id).await;
    assert_eq!(row.end_reason.as_deref(), Some("expired"));
    assert_eq!(row.ended_at, Some(row.last_seen_at + 14 * 24 * 3600 * 1000));
    t.clock.advance(ChronoDuration::days(80));
    // 100 days after `old` ended; `stale` ended 86 days ago and stays.
    assert_eq!(t.store.prune_history().await.unwrap(), 1);
    let left: HashSet<String> = session::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.public_id)
        .collect();
    assert!(!left.contains(&old.public_id));
    assert!(left.contains(&stale.public_id));
    assert!(left.contains(&fresh.public_id));
    t.teardown().await;
}

/// Two servers on one database: an end through one is seen by the other
/// once its authentication cache entry (1 s by default) has lapsed.
async fn another_server_sees_an_end_within_the_cache_ttl(b: Backend) {
    let config = StoreConfig {
        auth_cache_ttl: Duration::from_millis(300),
        ..StoreConfig::default()
    };
    let Some(t) = setup_with(b, config).await else {
        return;
    };
    let other_server =
        SessionStore::with_clock(t.db.clone(), config, common::test_geoip(), t.clock.clone());
    let alice = user(&t.store, "alice").await;
    let (_, keeper) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (token, victim) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    let secret = token.expose_secret();
    // Nothing cached before the first database read.
    assert_eq!(other_server.authenticate_cached(secret), None);
    assert!(other_server.authenticate(secret).await.unwrap().is_some());
    assert_eq!(
        other_server
            .authenticate_cached(secret)
            .map(|c| c.public_id.clone()),
        Some(victim.public_id.clone())
    );
    assert!(t.store.authenticate(secret).await.unwrap().is_some());
    assert!(t.store.authenticate_cached(secret).is_some());
    t.store
        .terminate_session(&keeper, &victim.public_id)
        .await
        .unwrap();
    // This server: at once, cache included.
    assert_eq!(t.store.authenticate_cached(secret), None);
    assert!(!is_active(&t.store, &token).await);
    // The other one: after its cache entry lapses (by the stores' clock).
    assert!(other_server.authenticate_cached(secret).is_some());
    t.clock.advance(ChronoDuration::milliseconds(299));
    assert!(other_server.authenticate_cached(secret).is_some());
    t.clock.advance(ChronoDuration::milliseconds(1));
    assert_eq!(other_server.authenticate_cached(secret), None);
    assert_eq!(
        other_server
            .authenticate(token.expose_secret())
            .await
            .unwrap(),
        None
    );
    t.teardown().await;
}

on_both_backends!(
    tokens_are_unique_and_only_hashes_are_stored,
    authenticate_accepts_only_valid_tokens,
    idle_timeout_expires_session,
    absolute_lifetime_expires_active_session,
    terminate_follows_the_rules,
    terminate_others_ends_all_but_current,
    activity_races_never_resurrect,
    activity_is_coalesced_and_not_lost,
    lists_and_pages_200_sessions,
    accounts_login_and_throttle,
    password_change_signs_out_other_devices,
    events_reach_only_the_owner,
    pruning_expires_stale_and_deletes_old_history,
    another_server_sees_an_end_within_the_cache_ttl,
);
