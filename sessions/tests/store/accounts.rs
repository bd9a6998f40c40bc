use crate::common::*;
async fn accounts_login_and_throttle(b: Backend) {
    let config = StoreConfig {
        throttle: ThrottleConfig {
            max_failures_per_account_network: 3,
            max_failures_per_ip: 50,
            window: Duration::from_secs(60),
            ..ThrottleConfig::default()
        },
        ..test_config()
    };
    let Some(t) = setup_with(b, config).await else {
        return;
    };
    t.store
        .register("Alice", "correct horse battery", ip(HOME))
        .await
        .unwrap();
    assert!(matches!(
        t.store
            .register("alice", "another password", ip(HOME))
            .await
            .unwrap_err(),
        StoreError::UsernameTaken
    ));
    assert!(matches!(
        t.store
            .register("a", "long enough pw", ip(HOME))
            .await
            .unwrap_err(),
        StoreError::InvalidUsername
    ));
    assert!(matches!(
        t.store
            .register("bob", "short", ip(HOME))
            .await
            .unwrap_err(),
        StoreError::InvalidPassword
    ));

    let f = facts(FIREFOX_LINUX, "81.2.69.142");
    let (t1, v1) = t
        .store
        .login("ALICE", "correct horse battery", &f)
        .await
        .unwrap()
        .into_session()
        .unwrap();
    let (t2, v2) = t
        .store
        .login("alice", "correct horse battery", &f)
        .await
        .unwrap()
        .into_session()
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
    match err {
        StoreError::RateLimited { retry_after_secs } => {
            assert!((1..=60).contains(&retry_after_secs))
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
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
            .change_password(
                &current,
                "wrong password",
                None,
                "new password 1",
                true,
                ip(HOME)
            )
            .await
            .unwrap_err(),
        StoreError::WrongPassword
    ));
    assert!(is_active(&t.store, &other_token).await);
    let ended = t
        .store
        .change_password(
            &current,
            "correct horse battery",
            None,
            "new password 1",
            true,
            ip(HOME),
        )
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert!(is_active(&t.store, &cur_token).await);
    assert!(!is_active(&t.store, &other_token).await);
    assert_eq!(
        row_of(&t, &other.public_id).await.end_reason,
        Some(EndReason::PasswordChanged)
    );
    let here: IpAddr = "81.2.69.142".parse().unwrap();
    assert!(
        t.store
            .verify_login("alice", "correct horse battery", here)
            .await
            .is_err()
    );
    assert!(
        t.store
            .verify_login("alice", "new password 1", here)
            .await
            .is_ok()
    );
    // Unchecked box: nobody else is signed out.
    let (third_token, _) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    assert_eq!(
        t.store
            .change_password(
                &current,
                "new password 1",
                None,
                "new password 2",
                false,
                ip(HOME)
            )
            .await
            .unwrap(),
        0
    );
    assert!(is_active(&t.store, &third_token).await);
    t.teardown().await;
}

/// Two changes that both checked the same old password: the
/// compare-and-swap on the old hash lets exactly one of them win.
async fn concurrent_password_changes_have_one_winner(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, current) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let here: IpAddr = "81.2.69.142".parse().unwrap();
    let mut old = PASSWORD.to_owned();
    for round in 0..3 {
        let change = |new: String| {
            let (store, current, old) = (t.store.clone(), current.clone(), old.clone());
            tokio::spawn(async move {
                store
                    .change_password(&current, &old, None, &new, false, ip(HOME))
                    .await
            })
        };
        let (n1, n2) = (format!("first new {round}"), format!("second new {round}"));
        let (r1, r2) = tokio::join!(change(n1.clone()), change(n2.clone()));
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert_eq!(
            u8::from(r1.is_ok()) + u8::from(r2.is_ok()),
            1,
            "round {round}: exactly one change wins ({r1:?}, {r2:?})"
        );
        let loser = if r1.is_ok() { &r2 } else { &r1 };
        assert!(matches!(loser, Err(StoreError::WrongPassword)), "{loser:?}");
        old = if r1.is_ok() { n1 } else { n2 };
        assert!(t.store.verify_login("alice", &old, here).await.is_ok());
    }
    t.teardown().await;
}

on_both_backends!(
    accounts_login_and_throttle,
    password_change_signs_out_other_devices,
    concurrent_password_changes_have_one_winner,
);
