use crate::common::*;
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
    let mut events = t.store.subscribe(&a1).unwrap();
    let ended = t.store.terminate_session(&a1, &a2.public_id).await.unwrap();
    assert_eq!(ended.end_reason, Some(EndReason::Terminated));
    assert!(!is_active(&t.store, &a2_token).await);
    assert_eq!(
        row_of(&t, &a2.public_id).await.end_reason,
        Some(EndReason::Terminated)
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
    assert_eq!(t.store.list_active_sessions(alice).await.unwrap().len(), 5);
    assert_eq!(t.store.sign_out_everywhere(&current).await.unwrap(), 4);
    assert_eq!(t.store.sign_out_everywhere(&current).await.unwrap(), 0);
    assert!(is_active(&t.store, &cur_token).await);
    assert!(is_active(&t.store, &bob_token).await);
    for (token, s) in &others {
        assert!(!is_active(&t.store, token).await);
        assert_eq!(
            row_of(&t, &s.public_id).await.end_reason,
            Some(EndReason::SignedOutEverywhere)
        );
    }
    let active = t.store.list_active_sessions(alice).await.unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].id, current.public_id);
    t.teardown().await;
}

async fn events_reach_only_the_owner(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let bob = user(&t.store, "bob").await;
    let (_, first) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let mut alice_events = t.store.subscribe(&first).unwrap();
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
        Some(SessionEvent::Started {
            session_id,
            user_id,
        }) => {
            assert_eq!(user_id, alice);
            assert_eq!(session_id, alice_view.id);
            assert_ne!(session_id, bob_view.id);
        }
        other => panic!("expected Started, got {other:?}"),
    }
    assert_eq!(alice_view.device_type, DeviceType::Mobile);
    assert_eq!(alice_view.location, Location::Country("JP".into()));
    t.teardown().await;
}

on_both_backends!(
    terminate_follows_the_rules,
    terminate_others_ends_all_but_current,
    events_reach_only_the_owner,
);
