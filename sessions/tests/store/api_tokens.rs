//! API tokens are sessions: their own expiry instead of the timeouts,
//! scopes the store enforces, ended like any session, created only by a
//! person with a recent proof, and never outliving a racing "sign out
//! everywhere".
use crate::common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sessions::{AuthMethod, TokenScope};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

async fn token(
    t: &TestDb,
    by: &CurrentSession,
    scope: TokenScope,
    days: u32,
) -> (SessionToken, CurrentSession) {
    let (token, view) = t
        .store
        .create_api_token(by, "backup script", scope, DAY * days, ip(HOME))
        .await
        .unwrap();
    let current = t
        .store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.public_id, view.id);
    (token, current)
}

async fn a_token_keeps_its_own_expiry_not_the_timeouts(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, browser) = login(&t.store, alice, FIREFOX_LINUX, HOME).await;
    let (tok, current) = token(&t, &browser, TokenScope::Read, 90).await;
    assert_eq!(current.scope, Some(TokenScope::Read));
    assert_eq!(current.auth_method, AuthMethod::ApiToken);
    let (swept, _) = token(&t, &browser, TokenScope::Read, 40).await;
    let listed = t.store.list_active_sessions(alice).await.unwrap();
    let card = listed.iter().find(|s| s.id == current.public_id).unwrap();
    assert_eq!(card.display_name(), "backup script");
    assert_eq!(card.default_name(), "API token");
    assert!(card.expires_at.is_some() && !card.needs_review());
    // Past the idle timeout (14 days) and the lifetime (30): still on.
    t.clock.advance(ChronoDuration::days(35));
    assert!(is_active(&t.store, &tok).await);
    let page = t
        .store
        .sessions_page(&current, &Default::default())
        .await
        .unwrap();
    assert!(page.active.iter().any(|s| s.id == current.public_id));
    // The sweep ends the 40-day one at its expiry, unpresented.
    t.clock.advance(ChronoDuration::days(6));
    t.store.prune_history().await.unwrap();
    let row = session::Entity::find()
        .filter(session::Column::TokenHash.eq(swept.digest()))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.end_reason, Some(EndReason::Expired));
    assert_eq!(row.ended_at, row.expires_at);
    assert!(is_active(&t.store, &tok).await);
    t.clock.advance(ChronoDuration::days(50));
    assert!(!is_active(&t.store, &tok).await);
    assert_eq!(
        row_of(&t, &current.public_id).await.end_reason,
        Some(EndReason::Expired)
    );
    t.teardown().await;
}

async fn only_a_person_with_a_recent_proof_creates_one(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, browser) = login(&t.store, alice, FIREFOX_LINUX, HOME).await;
    let create = |by: CurrentSession, name: &'static str, days: u32| {
        let store = t.store.clone();
        async move {
            store
                .create_api_token(&by, name, TokenScope::Manage, DAY * days, ip(HOME))
                .await
        }
    };
    assert!(matches!(
        create(browser.clone(), "", 30).await,
        Err(StoreError::InvalidName)
    ));
    assert!(matches!(
        create(browser.clone(), "x", 0).await,
        Err(StoreError::InvalidLifetime)
    ));
    assert!(matches!(
        create(browser.clone(), "x", 366).await,
        Err(StoreError::InvalidLifetime)
    ));
    let (_, manage) = token(&t, &browser, TokenScope::Manage, 30).await;
    // A token cannot make tokens, prove itself, or touch security settings.
    assert!(matches!(
        create(manage.clone(), "x", 30).await,
        Err(StoreError::WrongScope)
    ));
    assert!(matches!(
        t.store.reauthenticate(&manage, PASSWORD, ip(HOME)).await,
        Err(StoreError::WrongScope)
    ));
    assert!(matches!(
        t.store.begin_two_factor(&manage).await,
        Err(StoreError::WrongScope)
    ));
    t.clock.advance(ChronoDuration::minutes(11));
    assert!(matches!(
        create(browser.clone(), "x", 30).await,
        Err(StoreError::ReauthRequired)
    ));
    t.store
        .reauthenticate(&browser, PASSWORD, ip(HOME))
        .await
        .unwrap();
    assert!(create(browser, "x", 30).await.is_ok());
    t.teardown().await;
}

async fn scopes_are_enforced_and_terminate_ends_a_token(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, browser) = login(&t.store, alice, FIREFOX_LINUX, HOME).await;
    let (_, phone) = login(&t.store, alice, SAFARI_IPHONE, HOME).await;
    let (_, read) = token(&t, &browser, TokenScope::Read, 30).await;
    let (manage_token, manage) = token(&t, &browser, TokenScope::Manage, 30).await;
    let phone_id = phone.public_id.clone();
    assert!(matches!(
        t.store.terminate_session(&read, &phone_id).await,
        Err(StoreError::WrongScope)
    ));
    assert!(matches!(
        t.store.rename_session(&read, &phone_id, "mine").await,
        Err(StoreError::WrongScope)
    ));
    assert!(matches!(
        t.store.sign_out_everywhere(&read).await,
        Err(StoreError::WrongScope)
    ));
    // Managing needs no proof of its own, long after the window.
    t.clock.advance(ChronoDuration::hours(2));
    t.store.terminate_session(&manage, &phone_id).await.unwrap();
    assert_eq!(
        row_of(&t, &phone_id).await.end_reason,
        Some(EndReason::Terminated)
    );
    // Terminate ends a token like any session.
    t.store
        .reauthenticate(&browser, PASSWORD, ip(HOME))
        .await
        .unwrap();
    t.store
        .terminate_session(&browser, &manage.public_id)
        .await
        .unwrap();
    assert!(!is_active(&t.store, &manage_token).await);
    t.teardown().await;
}

/// "Sign out everywhere" from one device while another creates tokens:
/// whatever the order, nothing but the signing-out device stays active.
async fn no_token_outlives_a_racing_sign_out_everywhere(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    for _ in 0..8 {
        let (_, a) = login(&t.store, alice, FIREFOX_LINUX, HOME).await;
        let (_, b) = login(&t.store, alice, SAFARI_IPHONE, HOME).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..3 {
            let (store, b) = (t.store.clone(), b.clone());
            tasks.spawn(async move {
                let name = format!("racer {i}");
                let _ = store
                    .create_api_token(&b, &name, TokenScope::Manage, DAY * 30, ip(HOME))
                    .await;
            });
        }
        let (store, a2) = (t.store.clone(), a.clone());
        tasks.spawn(async move {
            store.sign_out_everywhere(&a2).await.unwrap();
        });
        tasks.join_all().await;
        let active = t.store.list_active_sessions(alice).await.unwrap();
        let ids: Vec<_> = active.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, [a.public_id.as_str()], "{active:#?}");
        t.store.log_out(&a).await.unwrap();
    }
    t.teardown().await;
}

on_both_backends!(
    a_token_keeps_its_own_expiry_not_the_timeouts,
    only_a_person_with_a_recent_proof_creates_one,
    scopes_are_enforced_and_terminate_ends_a_token,
    no_token_outlives_a_racing_sign_out_everywhere
);
