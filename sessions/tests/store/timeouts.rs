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

/// More rows than one batch holds, and two servers pruning at once: every
/// stale session ends, every old one goes, none twice.
async fn pruning_goes_in_batches_and_servers_share_it(b: Backend) {
    use sea_orm::ConnectionTrait;
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let now = t.store.now().timestamp_millis();
    let day = 24 * 3600 * 1000i64;
    let hex = match t.db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => "printf('%064x', i)",
        _ => "lpad(to_hex(i), 64, '0')",
    };
    // 7,000 ended 100 days ago, 6,000 idle for 20 days, 10 fresh.
    let seed = |n: i64, offset: i64, seen: i64, ended: &str| {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT {offset} UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
             INSERT INTO sessions (public_id, token_hash, user_id, created_at, last_seen_at, user_agent, \
               device_type, platform, browser_name, browser_version, login_ip, last_ip, pages_visited, \
               ended_at, end_reason, authenticated_at) \
             SELECT 'p' || i, {hex}, {alice}, {seen}, {seen}, 'x', 'Desktop', 'Linux', 'Firefox', '1', \
               '10.0.0.1', '10.0.0.1', 0, {ended}, {reason}, {seen} FROM n",
            last = offset + n - 1,
            reason = if ended == "NULL" {
                "NULL"
            } else {
                "'signed_out'"
            },
        )
    };
    for sql in [
        seed(7_000, 1, now - 101 * day, &(now - 100 * day).to_string()),
        seed(6_000, 10_001, now - 20 * day, "NULL"),
        seed(10, 20_001, now - 1_000, "NULL"),
    ] {
        t.db.execute_unprepared(&sql).await.unwrap();
    }
    let other = t.second_store(test_config());
    let (a, b2) = tokio::join!(t.store.prune_history(), other.prune_history());
    let (a, b2) = (a.unwrap(), b2.unwrap());
    // A server that found the other pruning stops; a second round finishes.
    let rest = t.store.prune_history().await.unwrap();
    assert_eq!(a + b2 + rest, 7_000);
    let count = |sql: &'static str| {
        let db = t.db.clone();
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    sql,
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM sessions").await, 6_010);
    assert_eq!(
        count("SELECT COUNT(*) FROM sessions WHERE end_reason = 'expired'").await,
        6_000
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL").await,
        10
    );
    t.teardown().await;
}

on_both_backends!(
    pruning_goes_in_batches_and_servers_share_it,
    idle_timeout_expires_session,
    absolute_lifetime_expires_active_session,
    pruning_expires_stale_and_deletes_old_history,
);
