//! Forward authentication: the apps a session used, counted per app and
//! shown on its card and history row; the app a sign-in started from.
use crate::common::*;
use std::sync::Arc;

fn apps_of(page: &sessions::SessionsPage, id: &str) -> Vec<(String, i64)> {
    let view = page
        .active
        .iter()
        .chain(&page.history.entries)
        .find(|s| s.id == id)
        .unwrap();
    view.apps
        .iter()
        .map(|a| (a.name.clone(), a.pages))
        .collect()
}

async fn sessions_know_their_apps(b: Backend) {
    let Some(t) = setup(b).await else { return };
    t.store.set_forward_auth(true);
    let alice = user(&t.store, "alice").await;
    let mut started = facts(FIREFOX_LINUX, "81.2.69.142");
    started.app = Some("Wiki".into());
    let (token, view) = t.store.start_session(alice, &started).await.unwrap();
    assert_eq!(view.started_app.as_deref(), Some("Wiki"));
    let current = t
        .store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .unwrap();
    let (wiki, photos): (Arc<str>, Arc<str>) = ("Wiki".into(), "Photos".into());
    let q = sessions::HistoryQuery::default();

    // Pending uses show at once; a document counts as a page of its app.
    t.store.record_app_activity(&current, ip(HOME), true, &wiki);
    t.store
        .record_app_activity(&current, ip(HOME), false, &wiki);
    let page = t.store.sessions_page(&current, &q).await.unwrap();
    assert_eq!(apps_of(&page, &view.id), [("Wiki".to_owned(), 1)]);
    t.store.flush_activity().await.unwrap();
    t.clock.advance(ChronoDuration::seconds(5));
    t.store
        .record_app_activity(&current, ip(HOME), true, &photos);
    t.store.record_app_activity(&current, ip(HOME), true, &wiki);
    t.store.flush_activity().await.unwrap();
    t.clock.advance(ChronoDuration::seconds(5));
    t.store
        .record_app_activity(&current, ip(HOME), true, &photos);
    // Written and pending add up, the latest used first.
    let page = t.store.sessions_page(&current, &q).await.unwrap();
    assert_eq!(
        apps_of(&page, &view.id),
        [("Photos".to_owned(), 2), ("Wiki".to_owned(), 2)]
    );
    let own = page.active.iter().find(|s| s.id == view.id).unwrap();
    assert_eq!(own.pages_visited, 4);
    assert_eq!(own.started_app.as_deref(), Some("Wiki"));

    // An ended session keeps its apps in history; nothing is written after.
    t.store.flush_activity().await.unwrap();
    let (_, other) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    t.store.log_out(&current).await.unwrap();
    t.store.record_app_activity(&current, ip(HOME), true, &wiki);
    t.store.flush_activity().await.unwrap();
    let page = t.store.sessions_page(&other, &q).await.unwrap();
    assert!(page.active.iter().all(|s| s.id != view.id));
    assert_eq!(
        apps_of(&page, &view.id),
        [("Photos".to_owned(), 2), ("Wiki".to_owned(), 2)]
    );
    t.teardown().await;
}

/// `Remote-Email`: only a verified address, and a change through this
/// server is seen at once (not after the cache's 30 seconds).
async fn apps_are_told_only_a_verified_address(b: Backend) {
    let Some(t) = setup_with(b, crate::mail::mail_on()).await else {
        return;
    };
    let bob = user(&t.store, "bob").await;
    let (_, me) = login(&t.store, bob, FIREFOX_LINUX, "81.2.69.142").await;
    assert_eq!(t.store.verified_email(bob).await.unwrap(), None);
    t.store.set_email(&me, "bob@example.org").await.unwrap();
    assert_eq!(
        t.store.verified_email(bob).await.unwrap(),
        None,
        "waiting is not verified"
    );
    let sent = crate::mail::send_all(&t.store).await;
    let token = sent[0].1.clone().unwrap();
    t.store.verify_email(token.expose_secret()).await.unwrap();
    assert_eq!(
        t.store.verified_email(bob).await.unwrap().as_deref(),
        Some("bob@example.org")
    );
    t.teardown().await;
}

on_both_backends!(
    sessions_know_their_apps,
    apps_are_told_only_a_verified_address
);
