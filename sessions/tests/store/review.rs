//! "Was this you?": marks at login, answers, the location trail, names.
use crate::common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sessions::Answer;
use sessions::entity::session_place;

const GB: &str = "81.2.69.142";
const GB_2: &str = "81.2.69.143";
const SE: &str = "89.160.20.128";
const SE_2: &str = "89.160.20.129";
const US: &str = "216.160.83.56";

async fn marks_of(t: &TestDb, c: &CurrentSession) -> (bool, bool, bool) {
    let row = row_of(t, &c.public_id).await;
    (row.new_device, row.new_location, row.location_changed)
}

async fn places_of(t: &TestDb, c: &CurrentSession) -> Vec<session_place::Model> {
    let row_id = row_of(t, &c.public_id).await.id;
    session_place::Entity::find()
        .filter(session_place::Column::SessionId.eq(row_id))
        .all(&t.db)
        .await
        .unwrap()
}

async fn pending_ids(t: &TestDb, viewer: &CurrentSession) -> Vec<String> {
    let pending = t.store.pending_sign_ins(viewer).await.unwrap();
    pending.into_iter().map(|s| s.id).collect()
}

/// Known means seen in a session the owner trusts: never marked, or
/// confirmed. The first session is never marked, nor is an unknown country.
async fn marks_come_from_the_trusted_history(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, first) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    assert_eq!(marks_of(&t, &first).await, (false, false, false));
    let (_, again) = login(&t.store, alice, FIREFOX_LINUX, GB_2).await;
    assert_eq!(marks_of(&t, &again).await, (false, false, false));
    let (_, phone) = login(&t.store, alice, SAFARI_IPHONE, GB).await;
    assert_eq!(marks_of(&t, &phone).await, (true, false, false));
    t.clock.advance(ChronoDuration::seconds(1));
    let (_, abroad) = login(&t.store, alice, FIREFOX_LINUX, SE).await;
    assert_eq!(marks_of(&t, &abroad).await, (false, true, false));
    t.clock.advance(ChronoDuration::seconds(1));
    // The waiting phone vouches for nothing: still a new device.
    let (_, both) = login(&t.store, alice, SAFARI_IPHONE, US).await;
    assert_eq!(marks_of(&t, &both).await, (true, true, false));
    let (_, local) = login(&t.store, alice, FIREFOX_LINUX, "127.0.0.1").await;
    assert_eq!(marks_of(&t, &local).await, (false, false, false));

    // Trusted sessions see the waiting ones, newest first; a waiting one sees none.
    let ids = vec![
        both.public_id.clone(),
        abroad.public_id.clone(),
        phone.public_id.clone(),
    ];
    assert_eq!(pending_ids(&t, &first).await, ids);
    assert!(pending_ids(&t, &phone).await.is_empty());
    let page = t
        .store
        .sessions_page(&first, &HistoryQuery::default())
        .await
        .unwrap();
    let from_page: Vec<String> = page
        .pending_sign_ins(&first)
        .into_iter()
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(from_page, ids);
    assert!(page.pending_sign_ins(&phone).is_empty());

    // Confirmed, the phone vouches for the device: the next one is known,
    // and the phone's own marks stay what they were.
    t.store
        .confirm_sign_in(&first, &phone.public_id)
        .await
        .unwrap();
    let (_, phone_again) = login(&t.store, alice, SAFARI_IPHONE, GB).await;
    assert_eq!(marks_of(&t, &phone_again).await, (false, false, false));
    assert_eq!(marks_of(&t, &phone).await, (true, false, false));
    assert_eq!(
        row_of(&t, &phone.public_id).await.answer,
        Some(Answer::Confirmed)
    );

    // Another account's first session, from anywhere, is not marked.
    let bob = user(&t.store, "bob").await;
    let (_, bob_first) = login(&t.store, bob, SAFARI_IPHONE, US).await;
    assert_eq!(marks_of(&t, &bob_first).await, (false, false, false));
    t.teardown().await;
}

async fn answers_follow_the_rules(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let mallory = user(&t.store, "mallory").await;
    let (_, owner) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    let (intruder_token, intruder) = login(&t.store, alice, SAFARI_IPHONE, US).await;
    let (_, intruder_2) = login(&t.store, alice, SAFARI_IPHONE, US).await;
    let (_, other_account) = login(&t.store, mallory, FIREFOX_LINUX, GB).await;
    // A second login from the intruder's device is as new as the first.
    assert_eq!(marks_of(&t, &intruder_2).await, (true, true, false));

    // A waiting session answers for nothing, not even itself.
    for (who, about) in [(&intruder_2, &intruder), (&intruder, &intruder)] {
        assert!(matches!(
            t.store.confirm_sign_in(who, &about.public_id).await,
            Err(StoreError::NotTrusted)
        ));
        assert!(matches!(
            t.store.deny_sign_in(who, &about.public_id).await,
            Err(StoreError::NotTrusted)
        ));
    }
    // Another account's session, or one never marked: not found.
    let (_, plain) = login(&t.store, alice, FIREFOX_LINUX, GB_2).await;
    for id in [&other_account.public_id, &plain.public_id] {
        assert!(matches!(
            t.store.confirm_sign_in(&owner, id).await,
            Err(StoreError::SessionNotFound)
        ));
    }

    // Denying needs a recent password check, like terminating.
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(matches!(
        t.store.deny_sign_in(&owner, &intruder.public_id).await,
        Err(StoreError::ReauthRequired)
    ));
    assert!(is_active(&t.store, &intruder_token).await);
    t.store
        .reauthenticate(&owner, PASSWORD, ip(GB))
        .await
        .unwrap();
    let mut events = t.store.subscribe(&owner).unwrap();
    let ended = t
        .store
        .deny_sign_in(&owner, &intruder.public_id)
        .await
        .unwrap();
    assert_eq!(ended.end_reason, Some(EndReason::Terminated));
    assert_eq!(ended.answer, Some(Answer::Denied));
    assert!(!is_active(&t.store, &intruder_token).await);
    let row = row_of(&t, &intruder.public_id).await;
    assert_eq!(row.answer, Some(Answer::Denied));
    assert_eq!(row.end_reason, Some(EndReason::Terminated));
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(events.recv().await.unwrap());
    }
    assert!(seen.iter().any(
        |e| matches!(e, SessionEvent::Ended { session_id, .. } if *session_id == intruder.public_id)
    ));
    assert!(seen.iter().any(|e| matches!(e, SessionEvent::Updated { session_id, .. } if *session_id == intruder.public_id)));

    // Answered is answered: either way, once.
    assert!(matches!(
        t.store.confirm_sign_in(&owner, &intruder.public_id).await,
        Err(StoreError::AlreadyAnswered)
    ));
    t.store
        .confirm_sign_in(&owner, &intruder_2.public_id)
        .await
        .unwrap();
    assert!(matches!(
        t.store.deny_sign_in(&owner, &intruder_2.public_id).await,
        Err(StoreError::AlreadyAnswered)
    ));
    // The denied session taught nothing; the confirmed one did.
    let (_, next) = login(&t.store, alice, SAFARI_IPHONE, US).await;
    assert_eq!(marks_of(&t, &next).await, (false, false, false));
    // History keeps the answers.
    let history = t
        .store
        .session_history(alice, &HistoryQuery::default())
        .await
        .unwrap();
    let answer_of = |id: &str| {
        history
            .entries
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.answer)
    };
    assert_eq!(answer_of(&intruder.public_id), Some(Answer::Denied));
    assert_eq!(answer_of(&intruder_2.public_id), Some(Answer::Confirmed));
    t.teardown().await;
}

/// The answer's check and write are one statement: fired together, one
/// answer wins and the other is told so, every time.
async fn racing_answers_one_wins(b: Backend) {
    let Some(t) = setup(b).await else { return };
    for round in 0..8 {
        // A fresh account each round: a confirmed device is known after.
        let alice = user(&t.store, &format!("alice{round}")).await;
        let (_, a) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
        let (_, b2) = login(&t.store, alice, FIREFOX_LINUX, GB_2).await;
        let (token, marked) = login(&t.store, alice, SAFARI_IPHONE, US).await;
        let (s1, s2) = (t.store.clone(), t.store.clone());
        let (a1, b1) = (a.clone(), b2.clone());
        let (id1, id2) = (marked.public_id.clone(), marked.public_id.clone());
        let confirm = tokio::spawn(async move { s1.confirm_sign_in(&a1, &id1).await });
        let deny = tokio::spawn(async move { s2.deny_sign_in(&b1, &id2).await.map(|_| ()) });
        let (c, d) = (confirm.await.unwrap(), deny.await.unwrap());
        let row = row_of(&t, &marked.public_id).await;
        match (&c, &d) {
            (Ok(()), Err(StoreError::AlreadyAnswered)) => {
                assert_eq!(row.answer, Some(Answer::Confirmed), "round {round}");
                assert!(is_active(&t.store, &token).await);
            }
            (Err(StoreError::AlreadyAnswered), Ok(())) => {
                assert_eq!(row.answer, Some(Answer::Denied), "round {round}");
                assert!(!is_active(&t.store, &token).await);
            }
            other => panic!("round {round}: {other:?}"),
        }
    }
    t.teardown().await;
}

/// Every address a session is used from, written by the flush; a new
/// country asks again; the trail keeps the 20 latest.
async fn the_trail_records_places_and_moves(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, owner) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    let (_, laptop) = login(&t.store, alice, FIREFOX_LINUX, GB_2).await;
    assert_eq!(places_of(&t, &laptop).await.len(), 1);
    let mut events = t.store.subscribe(&owner).unwrap();

    // Same address again: no new place, nothing flagged.
    t.store.record_activity(&laptop, ip(GB_2), true);
    t.store.flush_activity().await.unwrap();
    assert_eq!(row_of(&t, &laptop.public_id).await.place_count, 1);
    assert!(t.store.pending_sign_ins(&owner).await.unwrap().is_empty());

    // Another country mid-session: "Location changed", asked again.
    t.clock.advance(ChronoDuration::seconds(5));
    t.store.record_activity(&laptop, ip(SE), true);
    t.store.flush_activity().await.unwrap();
    let row = row_of(&t, &laptop.public_id).await;
    assert_eq!((row.place_count, row.location_changed), (2, true));
    assert_eq!(
        pending_ids(&t, &owner).await,
        vec![laptop.public_id.clone()]
    );
    let mut updated = false;
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(200), events.recv()).await {
        updated |=
            matches!(e, SessionEvent::Updated { session_id, .. } if session_id == laptop.public_id);
    }
    assert!(updated, "the owner's pages hear of the move");
    let page = t
        .store
        .sessions_page(&owner, &HistoryQuery::default())
        .await
        .unwrap();
    let trail = &page.places[&laptop.public_id];
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0].ip, SE);
    assert_eq!(trail[0].location, Location::Country("SE".into()));
    assert_eq!(trail[1].location, Location::Country("GB".into()));
    assert!(trail[0].first_seen_at > trail[1].first_seen_at);

    // Confirmed; another address in a country already in the trail is no news.
    t.store
        .confirm_sign_in(&owner, &laptop.public_id)
        .await
        .unwrap();
    t.store.record_activity(&laptop, ip(SE_2), true);
    t.store.flush_activity().await.unwrap();
    let row = row_of(&t, &laptop.public_id).await;
    assert_eq!((row.place_count, row.answer), (3, Some(Answer::Confirmed)));
    // A third country asks again.
    t.store.record_activity(&laptop, ip(US), true);
    t.store.flush_activity().await.unwrap();
    let row = row_of(&t, &laptop.public_id).await;
    assert_eq!((row.place_count, row.answer), (4, None));
    assert!(row.location_changed);

    // Bounded: the 20 most recently used places stay.
    for i in 0..25u8 {
        t.clock.advance(ChronoDuration::seconds(1));
        t.store
            .record_activity(&laptop, ip(&format!("10.1.0.{i}")), false);
        if i % 10 == 9 {
            t.store.flush_activity().await.unwrap();
        }
    }
    t.store.flush_activity().await.unwrap();
    let places = places_of(&t, &laptop).await;
    assert_eq!(places.len(), 20);
    assert!(places.iter().any(|p| p.ip == "10.1.0.24"));
    assert!(!places.iter().any(|p| p.ip == GB_2));
    assert_eq!(row_of(&t, &laptop.public_id).await.place_count, 29);

    // An ended session's late activity writes no place.
    t.store.log_out(&laptop).await.unwrap();
    t.store.record_activity(&laptop, ip("216.160.83.57"), true);
    t.store.flush_activity().await.unwrap();
    assert!(
        !places_of(&t, &laptop)
            .await
            .iter()
            .any(|p| p.ip == "216.160.83.57")
    );
    t.teardown().await;
}

async fn sessions_take_names(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let mallory = user(&t.store, "mallory").await;
    let (_, me) = login(&t.store, alice, FIREFOX_LINUX, GB).await;
    let (_, phone) = login(&t.store, alice, SAFARI_IPHONE, GB).await;
    let (_, theirs) = login(&t.store, mallory, FIREFOX_LINUX, GB).await;
    let views = t.store.list_active_sessions(alice).await.unwrap();
    let view = views.iter().find(|s| s.id == me.public_id).unwrap();
    assert_eq!(view.display_name(), "Firefox on Linux");

    let saved = t
        .store
        .rename_session(&me, &me.public_id, "  Work   laptop ")
        .await
        .unwrap();
    assert_eq!(saved.as_deref(), Some("Work laptop"));
    t.store
        .rename_session(&me, &phone.public_id, "<b>Phone</b>")
        .await
        .unwrap();
    let views = t.store.list_active_sessions(alice).await.unwrap();
    let name_of = |id: &str| views.iter().find(|s| s.id == id).unwrap().display_name();
    assert_eq!(name_of(&me.public_id), "Work laptop");
    // Stored as typed: the page escapes it.
    assert_eq!(name_of(&phone.public_id), "<b>Phone</b>");

    assert!(matches!(
        t.store
            .rename_session(&me, &phone.public_id, &"x".repeat(61))
            .await,
        Err(StoreError::InvalidName)
    ));
    assert!(matches!(
        t.store
            .rename_session(&me, &theirs.public_id, "mine now")
            .await,
        Err(StoreError::SessionNotFound)
    ));
    assert_eq!(row_of(&t, &theirs.public_id).await.name, None);
    // Empty: back to the default.
    t.store
        .rename_session(&me, &me.public_id, "   ")
        .await
        .unwrap();
    assert_eq!(row_of(&t, &me.public_id).await.name, None);
    t.teardown().await;
}

on_both_backends!(
    marks_come_from_the_trusted_history,
    answers_follow_the_rules,
    racing_answers_one_wins,
    the_trail_records_places_and_moves,
    sessions_take_names,
);
