//! The admin console's rules: who may act as an administrator, what
//! administrators do to accounts (and that a sign-in racing a lock never
//! survives it), and the audit log kept in the database.
use crate::common::*;
use crate::two_factor::{code_at, enrolled, password_step};
use sessions::{AuditFilter, AuditQueue, SessionFilter, UserQuery};

/// `name` enrolled in two-factor, made an administrator, signed in with a
/// code just now.
async fn admin_session(t: &TestDb, name: &str) -> CurrentSession {
    let e = enrolled(t, name).await;
    t.store.grant_admin(name).await.unwrap();
    let pending = password_step(t, name).await;
    t.clock.advance(ChronoDuration::seconds(30));
    let code = code_at(&e.secret, t.store.now());
    let (token, _) = t
        .store
        .complete_login(pending.expose_secret(), &code, &facts(FIREFOX_LINUX, HOME))
        .await
        .unwrap();
    t.store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .unwrap()
}

async fn the_console_needs_an_administrator_with_a_second_factor_and_a_fresh_proof(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let bob = user(&t.store, "bob").await;
    let (_, bob_session) = login(&t.store, bob, FIREFOX_LINUX, HOME).await;
    assert!(matches!(
        t.store.require_admin(&bob_session).await,
        Err(StoreError::NotAdmin)
    ));
    assert!(matches!(
        t.store.grant_admin("nobody").await,
        Err(StoreError::UnknownAccount)
    ));
    assert_eq!(t.store.admin_count().await.unwrap(), 0);
    // An administrator signed in with the password alone is not enough.
    t.store.grant_admin("BOB").await.unwrap();
    assert!(t.store.is_admin(&bob_session).await.unwrap());
    assert!(matches!(
        t.store.require_admin(&bob_session).await,
        Err(StoreError::AdminNeedsSecondFactor)
    ));
    assert!(matches!(
        t.store
            .admin_users(&bob_session, &UserQuery::default())
            .await,
        Err(StoreError::AdminNeedsSecondFactor)
    ));

    let alice = admin_session(&t, "alice").await;
    assert_eq!(t.store.admin_count().await.unwrap(), 2);
    t.store.require_admin(&alice).await.unwrap();
    // The proof ages out; a fresh code renews it.
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(matches!(
        t.store.require_admin(&alice).await,
        Err(StoreError::ReauthRequired)
    ));
    assert!(matches!(
        t.store.lock_account(&alice, "bob").await,
        Err(StoreError::ReauthRequired)
    ));
    t.store.revoke_admin("alice").await.unwrap();
    assert!(matches!(
        t.store.require_admin(&alice).await,
        Err(StoreError::NotAdmin)
    ));
    t.teardown().await;
}

/// Whether `user_id` has any active session.
async fn active_count(t: &TestDb, user_id: i64) -> usize {
    t.store.list_active_sessions(user_id).await.unwrap().len()
}

async fn administrators_end_sessions_and_lock_accounts(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = admin_session(&t, "alice").await;
    let bob = user(&t.store, "bob").await;
    let carol = user(&t.store, "carol").await;
    let (t1, s1) = login(&t.store, bob, FIREFOX_LINUX, "81.2.69.142").await;
    let (t2, _) = login(&t.store, bob, SAFARI_IPHONE, HOME).await;
    let (_, carols) = login(&t.store, carol, FIREFOX_LINUX, HOME).await;

    let found = t
        .store
        .admin_users(
            &alice,
            &UserQuery {
                search: "BO".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.users.len(), 1);
    assert_eq!(found.users[0].username, "bob");
    assert_eq!(found.users[0].active_sessions, 2);
    assert!(found.users[0].locked_at.is_none());
    // Paged by username: one at a time, in order, nothing twice.
    let mut names = Vec::new();
    let mut after = None;
    loop {
        let page = t
            .store
            .admin_users(
                &alice,
                &UserQuery {
                    after: after.clone(),
                    limit: 1,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        names.extend(page.users.into_iter().map(|u| u.username));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(names, ["alice", "bob", "carol"]);
    // A wildcard typed in the search matches itself only.
    let none = t
        .store
        .admin_users(
            &alice,
            &UserQuery {
                search: "%".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(none.users.is_empty());

    // Another account's session named under bob: the same "not found".
    assert!(matches!(
        t.store
            .admin_terminate(&alice, "bob", &carols.public_id)
            .await,
        Err(StoreError::SessionNotFound)
    ));
    let ended = t
        .store
        .admin_terminate(&alice, "bob", &s1.public_id)
        .await
        .unwrap();
    assert_eq!(ended.end_reason, Some(EndReason::ByAdministrator));
    assert!(!is_active(&t.store, &t1).await);
    assert!(is_active(&t.store, &t2).await);
    let view = t
        .store
        .admin_user(&alice, "bob", &HistoryQuery::default())
        .await
        .unwrap();
    assert_eq!(view.active.len(), 1);
    let reason_of = |v: &sessions::AdminUserView, id: &str| {
        v.history
            .entries
            .iter()
            .find(|e| e.id == id)
            .unwrap()
            .end_reason
    };
    assert_eq!(
        reason_of(&view, &s1.public_id),
        Some(EndReason::ByAdministrator)
    );

    // Locking ends everything and refuses the next sign-in, even with
    // the right password; unlocking lets it in again.
    assert!(matches!(
        t.store.lock_account(&alice, "alice").await,
        Err(StoreError::CannotLockSelf)
    ));
    assert_eq!(t.store.lock_account(&alice, "bob").await.unwrap(), 1);
    assert!(!is_active(&t.store, &t2).await);
    assert!(matches!(
        t.store
            .login("bob", PASSWORD, &facts(FIREFOX_LINUX, HOME))
            .await,
        Err(StoreError::AccountLocked)
    ));
    let view = t
        .store
        .admin_user(&alice, "bob", &HistoryQuery::default())
        .await
        .unwrap();
    assert!(view.account.locked_at.is_some());
    assert!(view.active.is_empty(), "nothing stays active");
    assert!(
        view.history
            .entries
            .iter()
            .any(|e| e.end_reason == Some(EndReason::AccountLocked))
    );
    // Someone who is no administrator can do none of it.
    assert!(matches!(
        t.store.unlock_account(&carols, "bob").await,
        Err(StoreError::NotAdmin)
    ));
    assert!(t.store.unlock_account(&alice, "bob").await.unwrap());
    assert!(!t.store.unlock_account(&alice, "bob").await.unwrap());
    t.store
        .login("bob", PASSWORD, &facts(FIREFOX_LINUX, HOME))
        .await
        .unwrap();
    assert_eq!(active_count(&t, bob).await, 1);
    assert_eq!(
        t.store
            .admin_sign_out_everywhere(&alice, "bob")
            .await
            .unwrap(),
        1
    );
    assert_eq!(active_count(&t, bob).await, 0);
    t.teardown().await;
}

/// The lock and a sign-in with the right password, fired together many
/// times: whichever commits first, no session of the account survives.
async fn a_sign_in_racing_a_lock_never_survives_it(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = admin_session(&t, "alice").await;
    let bob = user(&t.store, "bob").await;
    for round in 0..12 {
        let f = facts(FIREFOX_LINUX, HOME);
        let (locked, signed_in) = tokio::join!(
            t.store.lock_account(&alice, "bob"),
            t.store.login("bob", PASSWORD, &f)
        );
        locked.unwrap();
        match signed_in {
            Ok(_) | Err(StoreError::AccountLocked) => {}
            Err(e) => panic!("round {round}: {e}"),
        }
        assert_eq!(active_count(&t, bob).await, 0, "round {round}");
        assert!(t.store.unlock_account(&alice, "bob").await.unwrap());
    }
    t.teardown().await;
}

async fn audit_events_are_kept_filtered_exported_and_pruned(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let queue = AuditQueue::new();
    // This thread's events only: the test's store calls run on it.
    let _capture = sessions::testing::capture(&queue);
    t.store.keep_audit(queue);
    let alice = admin_session(&t, "alice").await;
    let bob = user(&t.store, "bob").await;
    assert!(
        t.store
            .login("bob", "wrong password", &facts(FIREFOX_LINUX, HOME))
            .await
            .is_err()
    );
    let (token, _) = login(&t.store, bob, FIREFOX_LINUX, HOME).await;
    t.store.lock_account(&alice, "bob").await.unwrap();
    assert!(t.store.write_audit().await.unwrap() > 5);

    let of_bob = t
        .store
        .audit_page(&AuditFilter {
            user: Some("BOB".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let kinds: Vec<&str> = of_bob.entries.iter().map(|e| e.kind.as_str()).collect();
    for want in [
        "account registered",
        "login failed",
        "session started",
        "session ended",
        "account locked by an administrator",
    ] {
        assert!(kinds.contains(&want), "{want} missing from {kinds:?}");
    }
    // Named by id in the log, by name here.
    assert!(
        of_bob
            .entries
            .iter()
            .all(|e| e.user.as_deref() == Some("bob"))
    );
    let lock = of_bob
        .entries
        .iter()
        .find(|e| e.kind == "account locked by an administrator")
        .unwrap();
    assert_eq!(lock.actor.as_deref(), Some("alice"));
    // Newest first.
    assert!(of_bob.entries.windows(2).all(|w| w[0].id > w[1].id));

    let failed = t
        .store
        .audit_page(&AuditFilter {
            kind: Some("login failed".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(failed.entries.len(), 1);
    assert!(
        t.store
            .audit_kinds()
            .await
            .unwrap()
            .contains(&"login failed".to_owned())
    );
    let later = t
        .store
        .audit_page(&AuditFilter {
            since_ms: Some(t.store.now().timestamp_millis() + 1),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(later.entries.is_empty());
    // Pages of two cover everything once.
    let all = t.store.audit_page(&AuditFilter::default()).await.unwrap();
    let mut paged = Vec::new();
    let mut filter = AuditFilter {
        limit: 2,
        ..Default::default()
    };
    loop {
        let page = t.store.audit_page(&filter).await.unwrap();
        paged.extend(page.entries.iter().map(|e| e.id));
        match page.older {
            Some(before) => filter.before = Some(before),
            None => break,
        }
    }
    assert_eq!(paged, all.entries.iter().map(|e| e.id).collect::<Vec<_>>());
    // What an export carries holds no secret.
    let export: String = all
        .entries
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    assert!(!export.contains(token.expose_secret()));
    assert!(!export.contains(PASSWORD));
    assert!(!export.contains("wrong password"));
    assert!(!export.contains("$argon2"));
    // An unknown account matches nothing rather than everything.
    let nobody = AuditFilter {
        user: Some("nobody".into()),
        ..Default::default()
    };
    assert!(
        t.store
            .audit_page(&nobody)
            .await
            .unwrap()
            .entries
            .is_empty()
    );

    // Past the retention, pruning deletes them.
    t.clock.advance(ChronoDuration::days(366));
    t.store.prune_history().await.unwrap();
    assert!(
        t.store
            .audit_page(&AuditFilter::default())
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    t.teardown().await;
}

async fn administrators_filter_and_end_sessions_of_every_account(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = admin_session(&t, "alice").await;
    let bob = user(&t.store, "bob").await;
    let carol = user(&t.store, "carol").await;
    let (gb_phone, _) = login(&t.store, bob, SAFARI_IPHONE, "81.2.69.142").await;
    let (home_pc, bob_pc) = login(&t.store, bob, FIREFOX_LINUX, HOME).await;
    let (carol_phone, _) = login(&t.store, carol, SAFARI_IPHONE, "81.2.69.142").await;
    let all = t
        .store
        .admin_sessions(&alice, &SessionFilter::default(), None)
        .await
        .unwrap();
    assert_eq!(all.total, 5, "three and the administrator's two");
    let phones_in_gb = SessionFilter {
        country: Some("gb".into()),
        device: Some(DeviceType::Mobile),
        ..Default::default()
    };
    let page = t
        .store
        .admin_sessions(&alice, &phones_in_gb, None)
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let mut owners: Vec<_> = page.sessions.iter().map(|s| s.username.as_str()).collect();
    owners.sort();
    assert_eq!(owners, ["bob", "carol"]);
    assert!(matches!(
        t.store.admin_end_sessions(&bob_pc, &phones_in_gb).await,
        Err(StoreError::NotAdmin)
    ));
    assert_eq!(
        t.store
            .admin_end_sessions(&alice, &phones_in_gb)
            .await
            .unwrap(),
        2
    );
    assert!(!is_active(&t.store, &gb_phone).await);
    assert!(!is_active(&t.store, &carol_phone).await);
    assert!(is_active(&t.store, &home_pc).await);
    // Everything but the administrator's own session (its first one too).
    assert_eq!(
        t.store
            .admin_end_sessions(&alice, &SessionFilter::default())
            .await
            .unwrap(),
        2
    );
    assert!(!is_active(&t.store, &home_pc).await);
    t.store.require_admin(&alice).await.unwrap();
    t.teardown().await;
}

on_both_backends!(
    administrators_filter_and_end_sessions_of_every_account,
    the_console_needs_an_administrator_with_a_second_factor_and_a_fresh_proof,
    administrators_end_sessions_and_lock_accounts,
    a_sign_in_racing_a_lock_never_survives_it,
    audit_events_are_kept_filtered_exported_and_pruned
);
