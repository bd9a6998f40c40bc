//! The security rules of the hardening milestone, each as a race or a
//! limit that a regression would break.
use crate::common::*;

fn throttled(limit: u32) -> StoreConfig {
    StoreConfig {
        throttle: ThrottleConfig {
            max_failures_per_account_network: limit,
            max_failures_per_account: 10 * limit,
            max_failures_per_ip: 1000,
            ..ThrottleConfig::default()
        },
        ..test_config()
    }
}

fn outcome(r: &Result<sessions::User, StoreError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(StoreError::InvalidCredentials) => "checked",
        Err(StoreError::RateLimited { .. }) => "limited",
        Err(StoreError::Busy { .. }) => "busy",
        Err(_) => "other",
    }
}

/// 50 parallel wrong guesses: each reserves its attempt before Argon2, so
/// at most the limit are ever checked, however they interleave; with the
/// right password among 31 guesses, still at most the limit of wrong ones.
async fn parallel_wrong_guesses_reach_argon2_at_most_the_limit(b: Backend) {
    let Some(t) = setup_with(b, throttled(5)).await else {
        return;
    };
    user(&t.store, "alice").await;
    let guess_all = |n: usize, right: Option<usize>, from: &'static str| {
        let store = t.store.clone();
        let tasks = (0..n).map(move |i| {
            let store = store.clone();
            let password = if Some(i) == right {
                PASSWORD.to_owned()
            } else {
                format!("guess {i}")
            };
            tokio::spawn(async move { store.verify_login("alice", &password, ip(from)).await })
        });
        futures_join(tasks)
    };
    let results = guess_all(50, None, "198.51.100.7").await;
    let count = |rs: &[Result<sessions::User, StoreError>], o| {
        rs.iter().filter(|r| outcome(r) == o).count()
    };
    assert!(
        count(&results, "checked") <= 5,
        "{} wrong guesses reached Argon2",
        count(&results, "checked")
    );
    assert_eq!(count(&results, "checked") + count(&results, "limited"), 50);
    let results = guess_all(31, Some(20), "198.51.100.8").await;
    assert!(
        count(&results, "checked") <= 5,
        "{} wrong guesses reached Argon2",
        count(&results, "checked")
    );
    t.teardown().await;
}

async fn futures_join<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        out.push(task.await.unwrap());
    }
    out
}

/// A stranger's wrong guesses lock out the stranger's network, not the
/// owner logging in from elsewhere.
async fn a_strangers_failures_do_not_lock_the_owner_out(b: Backend) {
    let Some(t) = setup_with(b, throttled(5)).await else {
        return;
    };
    user(&t.store, "alice").await;
    for _ in 0..5 {
        let e = t
            .store
            .verify_login("alice", "guess", ip("203.0.113.66"))
            .await;
        assert!(matches!(e, Err(StoreError::InvalidCredentials)));
    }
    let locked = t
        .store
        .verify_login("alice", PASSWORD, ip("203.0.113.66"))
        .await;
    assert!(
        matches!(locked, Err(StoreError::RateLimited { .. })),
        "{locked:?}"
    );
    // Another address of the attacker's /64 is the same network.
    t.store
        .verify_login("alice", PASSWORD, ip("81.2.69.142"))
        .await
        .unwrap();
    let v6 = |n| ip(&format!("2001:db8:77:1::{n}"));
    for n in 1..=5 {
        assert!(t.store.verify_login("alice", "guess", v6(n)).await.is_err());
    }
    let same_64 = t.store.verify_login("alice", PASSWORD, v6(99)).await;
    assert!(matches!(same_64, Err(StoreError::RateLimited { .. })));
    t.teardown().await;
}

/// The current password of a signed-in session is checked within the
/// same limits: a stolen cookie cannot brute-force it.
async fn change_password_is_throttled(b: Backend) {
    let Some(t) = setup_with(b, throttled(3)).await else {
        return;
    };
    let alice = user(&t.store, "alice").await;
    let (_, current) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let thief = ip("203.0.113.9");
    for i in 0..3 {
        let e = t
            .store
            .change_password(
                &current,
                &format!("guess {i}"),
                None,
                "new password!",
                true,
                thief,
            )
            .await;
        assert!(matches!(e, Err(StoreError::WrongPassword)), "{e:?}");
    }
    let e = t
        .store
        .change_password(&current, PASSWORD, None, "new password!", true, thief)
        .await;
    assert!(matches!(e, Err(StoreError::RateLimited { .. })), "{e:?}");
    let e = t.store.reauthenticate(&current, PASSWORD, thief).await;
    assert!(
        matches!(e, Err(StoreError::RateLimited { .. })),
        "re-authentication too"
    );
    t.teardown().await;
}

/// Overlong input is refused before any hashing or counting: it never
/// locks anybody out.
async fn overlong_input_is_refused_before_any_bookkeeping(b: Backend) {
    let Some(t) = setup_with(b, throttled(2)).await else {
        return;
    };
    user(&t.store, "alice").await;
    let long_name = "a".repeat(65);
    let long_password = "p".repeat(1025);
    for _ in 0..10 {
        let e = t.store.verify_login(&long_name, PASSWORD, ip(HOME)).await;
        assert!(matches!(e, Err(StoreError::InvalidCredentials)));
        let e = t
            .store
            .verify_login("alice", &long_password, ip(HOME))
            .await;
        assert!(matches!(e, Err(StoreError::InvalidCredentials)));
    }
    t.store
        .verify_login("alice", PASSWORD, ip(HOME))
        .await
        .unwrap();
    let e = t.store.register("bob", &long_password, ip(HOME)).await;
    assert!(matches!(e, Err(StoreError::InvalidPassword)));
    t.teardown().await;
}

/// With every hashing slot taken, logins are answered "busy" at once
/// instead of queueing Argon2 runs (and their memory) without bound.
async fn saturated_hashing_answers_busy(b: Backend) {
    let mut config = test_config();
    config.hashing.permits = 1;
    config.hashing.max_wait = Duration::ZERO;
    config.hashing.memory_kib = 8 * 1024;
    config.hashing.iterations = 4;
    let Some(t) = setup_with(b, config).await else {
        return;
    };
    let attempts = (0..12).map(|i| {
        let store = t.store.clone();
        tokio::spawn(async move {
            store
                .verify_login(
                    &format!("nobody{i}"),
                    "whatever1",
                    ip(&format!("192.0.2.{i}")),
                )
                .await
        })
    });
    let results = futures_join(attempts).await;
    let busy = results.iter().filter(|r| outcome(r) == "busy").count();
    assert!(
        busy > 0,
        "{:?}",
        results.iter().map(outcome).collect::<Vec<_>>()
    );
    assert!(
        results
            .iter()
            .all(|r| matches!(outcome(r), "busy" | "checked"))
    );
    t.teardown().await;
}

/// Registration is limited per network.
async fn registration_is_limited_per_network(b: Backend) {
    let mut config = test_config();
    config.throttle.max_registrations_per_ip = 3;
    let Some(t) = setup_with(b, config).await else {
        return;
    };
    for i in 0..3 {
        t.store
            .register(&format!("user{i}"), PASSWORD, ip("198.51.100.1"))
            .await
            .unwrap();
    }
    let e = t
        .store
        .register("user9", PASSWORD, ip("198.51.100.1"))
        .await;
    assert!(matches!(e, Err(StoreError::RateLimited { .. })), "{e:?}");
    t.store
        .register("user9", PASSWORD, ip("198.51.100.2"))
        .await
        .unwrap();
    t.teardown().await;
}

/// A login that verified the old password while the password changed must
/// not leave a session behind: 200 rounds of the two racing.
async fn a_stale_password_check_never_survives_a_password_change(b: Backend) {
    let mut config = test_config();
    config.throttle.max_failures_per_account_network = 10_000;
    config.throttle.max_failures_per_account = 10_000;
    config.throttle.max_failures_per_ip = 10_000;
    let Some(t) = setup_with(b, config).await else {
        return;
    };
    let alice = user(&t.store, "alice").await;
    let (_, owner) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let mut old = PASSWORD.to_owned();
    for round in 0..200 {
        let new = format!("new password {round}");
        let (s1, s2, c, o1, o2, n) = (
            t.store.clone(),
            t.store.clone(),
            owner.clone(),
            old.clone(),
            old.clone(),
            new.clone(),
        );
        let late_login = tokio::spawn(async move {
            s1.login("alice", &o1, &facts(SAFARI_IPHONE, "89.160.20.128"))
                .await
        });
        let change =
            tokio::spawn(
                async move { s2.change_password(&c, &o2, None, &n, true, ip(HOME)).await },
            );
        let (logged_in, changed) = (late_login.await.unwrap(), change.await.unwrap());
        changed.unwrap();
        if let Some((token, _)) = logged_in.ok().and_then(|step| step.into_session()) {
            assert!(
                !is_active(&t.store, &token).await,
                "round {round}: a session from the old password survived"
            );
        }
        old = new;
    }
    t.teardown().await;
}

/// Terminating needs a recent proof of the password; a stolen cookie alone
/// cannot sign the owner out everywhere.
async fn terminating_needs_a_recent_password(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, thief) = login(&t.store, alice, FIREFOX_LINUX, "203.0.113.9").await;
    let (owner_token, owner) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(!t.store.recently_authenticated(&thief).await.unwrap());
    let e = t.store.sign_out_everywhere(&thief).await;
    assert!(matches!(e, Err(StoreError::ReauthRequired)), "{e:?}");
    let e = t.store.terminate_session(&thief, &owner.public_id).await;
    assert!(matches!(e, Err(StoreError::ReauthRequired)), "{e:?}");
    assert!(is_active(&t.store, &owner_token).await);
    let e = t
        .store
        .reauthenticate(&thief, "not the password", ip("203.0.113.9"))
        .await;
    assert!(matches!(e, Err(StoreError::WrongPassword)));
    // The owner proves it and acts at once.
    t.store
        .reauthenticate(&owner, PASSWORD, ip("81.2.69.142"))
        .await
        .unwrap();
    assert!(t.store.recently_authenticated(&owner).await.unwrap());
    t.store
        .terminate_session(&owner, &thief.public_id)
        .await
        .unwrap();
    t.teardown().await;
}

/// Live streams are capped per session and per account.
async fn live_streams_are_capped(b: Backend) {
    let mut config = test_config();
    config.streams.per_session = 2;
    config.streams.per_user = 3;
    let Some(t) = setup_with(b, config).await else {
        return;
    };
    let alice = user(&t.store, "alice").await;
    let (_, one) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (_, two) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let held: Vec<_> = (0..2).map(|_| t.store.subscribe(&one).unwrap()).collect();
    assert!(matches!(
        t.store.subscribe(&one),
        Err(StoreError::TooManyStreams)
    ));
    let third = t.store.subscribe(&two).unwrap();
    assert!(matches!(
        t.store.subscribe(&two),
        Err(StoreError::TooManyStreams)
    ));
    drop((held, third));
    t.store.subscribe(&one).unwrap();
    t.teardown().await;
}

/// Fifty writers at once — logins, terminates, flushes — and SQLite never
/// answers "database is locked".
async fn fifty_concurrent_writers(b: Backend) {
    // Many logins of one account at once are in-flight attempts that the
    // throttle counts until they finish: allow them here.
    let Some(t) = setup_with(b, throttled(100)).await else {
        return;
    };
    let alice = user(&t.store, "alice").await;
    let (_, keeper) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let mut victims = Vec::new();
    for _ in 0..20 {
        victims.push(
            login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128")
                .await
                .1,
        );
    }
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (store, keeper, victim) = (t.store.clone(), keeper.clone(), victims[i % 20].clone());
        tasks.push(tokio::spawn(async move {
            match i % 3 {
                0 => store
                    .login("alice", PASSWORD, &facts(FIREFOX_LINUX, "81.2.69.142"))
                    .await
                    .map(drop),
                1 => match store.terminate_session(&keeper, &victim.public_id).await {
                    Err(StoreError::SessionNotFound) => Ok(()),
                    other => other.map(drop),
                },
                _ => {
                    store.record_activity(&victim, ip("89.160.20.128"), true);
                    store.flush_activity().await.map(drop)
                }
            }
        }));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        if let Err(e) = task.await.unwrap() {
            panic!("writer {i}: {e} ({e:?})");
        }
    }
    t.teardown().await;
}

on_both_backends!(
    parallel_wrong_guesses_reach_argon2_at_most_the_limit,
    a_strangers_failures_do_not_lock_the_owner_out,
    change_password_is_throttled,
    overlong_input_is_refused_before_any_bookkeeping,
    saturated_hashing_answers_busy,
    registration_is_limited_per_network,
    a_stale_password_check_never_survives_a_password_change,
    terminating_needs_a_recent_password,
    live_streams_are_capped,
    fifty_concurrent_writers,
);
