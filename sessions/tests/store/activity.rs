use crate::common::*;
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
        assert_eq!(row.end_reason, Some(EndReason::Terminated), "round {round}");
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
    let mut events = t.store.subscribe(&current).unwrap();
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
    assert_eq!(row.last_country_code.as_deref(), Some("SE"));
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
    assert!(t.store.log_out(&current).await.unwrap());
    let row = row_of(&t, &current.public_id).await;
    assert_eq!(row.pages_visited, 6);
    assert_eq!(row.end_reason, Some(EndReason::SignedOut));
    t.teardown().await;
}

/// A listing that runs while a flush writes must count the batch once:
/// it is no longer in memory and maybe not yet in the row.
async fn pending_activity_stays_visible_during_a_flush(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, current) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let ip: IpAddr = "81.2.69.142".parse().unwrap();
    for round in 1..=200 {
        t.store.record_activity(&current, ip, true);
        let store = t.store.clone();
        let flush = tokio::spawn(async move { store.flush_activity().await.unwrap() });
        let listed = t.store.list_active_sessions(alice).await.unwrap();
        flush.await.unwrap();
        assert_eq!(listed[0].pages_visited, round, "round {round}");
    }
    t.teardown().await;
}

on_both_backends!(
    activity_races_never_resurrect,
    activity_is_coalesced_and_not_lost,
    pending_activity_stays_visible_during_a_flush,
);
