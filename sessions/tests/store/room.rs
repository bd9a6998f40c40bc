//! The session limit: at the limit a sign-in waits for its person to
//! choose a session to end (never the oldest by itself), with and without
//! a second factor; sign-ins racing at the limit never pass it together.
use crate::common::*;
use crate::two_factor::{code_at, enrolled, password_step};
use sessions::{AuthMethod, LoginStep};

fn limited(max: u32) -> StoreConfig {
    StoreConfig {
        max_sessions_per_account: Some(max),
        ..test_config()
    }
}

async fn password_login(t: &TestDb, name: &str, ua: &str) -> LoginStep {
    t.store
        .login(name, PASSWORD, &facts(ua, HOME))
        .await
        .unwrap()
}

async fn at_the_limit_a_sign_in_asks_which_session_to_end(b: Backend) {
    let Some(t) = setup_with(b, limited(2)).await else {
        return;
    };
    let bob = user(&t.store, "bob").await;
    let carol = user(&t.store, "carol").await;
    let (_, carols) = login(&t.store, carol, FIREFOX_LINUX, HOME).await;
    let first = password_login(&t, "bob", FIREFOX_LINUX).await;
    let (old_token, old) = first.into_session().unwrap();
    assert!(
        password_login(&t, "bob", SAFARI_IPHONE)
            .await
            .into_session()
            .is_some()
    );
    let LoginStep::MakeRoom(pending) = password_login(&t, "bob", FIREFOX_LINUX).await else {
        panic!("the third sign-in waits for room");
    };
    // Nothing ended by itself; the choices are the account's sessions.
    let choices = t.store.room_choices(pending.expose_secret()).await.unwrap();
    assert_eq!(choices.len(), 2);
    let f = facts(FIREFOX_LINUX, HOME);
    // Another account's session is not a choice; the login keeps waiting.
    assert!(matches!(
        t.store
            .make_room(pending.expose_secret(), &carols.public_id, &f)
            .await,
        Err(StoreError::SessionNotFound)
    ));
    let (token, _) = t
        .store
        .make_room(pending.expose_secret(), &old.id, &f)
        .await
        .unwrap();
    assert!(is_active(&t.store, &token).await);
    assert!(!is_active(&t.store, &old_token).await);
    assert_eq!(
        row_of(&t, &old.id).await.end_reason,
        Some(EndReason::MadeRoom)
    );
    assert_eq!(t.store.list_active_sessions(bob).await.unwrap().len(), 2);
    // Once.
    assert!(matches!(
        t.store
            .make_room(pending.expose_secret(), &old.id, &f)
            .await,
        Err(StoreError::LoginExpired)
    ));
    // A half-done login that still needs its code is no choice to make.
    assert!(matches!(
        t.store.room_choices("not a login").await,
        Err(StoreError::LoginExpired)
    ));
    t.teardown().await;
}

async fn a_second_factor_then_room(b: Backend) {
    let Some(t) = setup_with(b, limited(1)).await else {
        return;
    };
    let e = enrolled(&t, "dora").await;
    let pending = password_step(&t, "dora").await;
    // Before the code, there is no choice to make.
    assert!(matches!(
        t.store.room_choices(pending.expose_secret()).await,
        Err(StoreError::LoginExpired)
    ));
    t.clock.advance(ChronoDuration::seconds(30));
    let f = facts(SAFARI_IPHONE, HOME);
    let code = code_at(&e.secret, t.store.now());
    assert!(matches!(
        t.store
            .complete_login(pending.expose_secret(), &code, &f)
            .await,
        Err(StoreError::SessionLimit)
    ));
    let choices = t.store.room_choices(pending.expose_secret()).await.unwrap();
    assert_eq!(choices.len(), 1);
    let (_, view) = t
        .store
        .make_room(pending.expose_secret(), &e.first.public_id, &f)
        .await
        .unwrap();
    assert_eq!(view.auth_method, AuthMethod::PasswordAndAuthenticator);
    let active = t.store.list_active_sessions(e.user_id).await.unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].id, view.id);
    t.teardown().await;
}

/// Six sign-ins at once with room for one: one signs in, the others wait.
async fn sign_ins_racing_at_the_limit_never_pass_it(b: Backend) {
    let Some(t) = setup_with(b, limited(2)).await else {
        return;
    };
    let bob = user(&t.store, "bob").await;
    login(&t.store, bob, FIREFOX_LINUX, HOME).await;
    let mut tries = tokio::task::JoinSet::new();
    for i in 0..6 {
        let store = t.store.clone();
        tries.spawn(async move {
            // From six networks: the password limits count per network.
            let f = facts(SAFARI_IPHONE, &format!("198.51.{i}.1"));
            store.login("bob", PASSWORD, &f).await.unwrap()
        });
    }
    let steps = tries.join_all().await;
    let signed_in = steps
        .iter()
        .filter(|s| matches!(s, LoginStep::SignedIn(..)))
        .count();
    assert_eq!(signed_in, 1);
    assert_eq!(t.store.list_active_sessions(bob).await.unwrap().len(), 2);
    t.teardown().await;
}

on_both_backends!(
    at_the_limit_a_sign_in_asks_which_session_to_end,
    a_second_factor_then_room,
    sign_ins_racing_at_the_limit_never_pass_it
);
