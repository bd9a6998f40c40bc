use crate::common::*;
use sea_orm::EntityTrait;
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
    assert_eq!(row.end_reason, Some(EndReason::Expired));
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
    assert_eq!(row.end_reason, Some(EndReason::Expired));
    assert_eq!(row.pages_visited, 29);
    t.teardown().await;
}

async fn pruning_expires_stale_and_deletes_old_history(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let (_, old) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (_, stale) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    t.store.log_out(&old).await.unwrap();
    t.clock.advance(ChronoDuration::days(20));
    let (_, fresh) = login(&t.store, alice, SAFARI_IPHONE, "81.2.69.142").await;
    assert_eq!(t.store.prune_history().await.unwrap(), 0);
    // `stale` was never seen again: pruning ends it at its idle deadline.
    let row = row_of(&t, &stale.public_id).await;
    assert_eq!(row.end_reason, Some(EndReason::Expired));
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

on_both_backends!(
    idle_timeout_expires_session,
    absolute_lifetime_expires_active_session,
    pruning_expires_stale_and_deletes_old_history,
);
