use crate::common::*;
/// Two servers on one database: an end through one is seen by the other
/// once its authentication cache entry (1 s by default) has lapsed.
async fn another_server_sees_an_end_within_the_cache_ttl(b: Backend) {
    let config = StoreConfig {
        auth_cache_ttl: Duration::from_millis(300),
        ..test_config()
    };
    let Some(t) = setup_with(b, config).await else {
        return;
    };
    let other_server =
        SessionStore::with_clock(t.db.clone(), config, test_geoip(), t.clock.clone());
    let alice = user(&t.store, "alice").await;
    let (_, keeper) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (token, victim) = login(&t.store, alice, SAFARI_IPHONE, "89.160.20.128").await;
    let secret = token.expose_secret();
    // Nothing cached before the first database read.
    assert_eq!(other_server.authenticate_cached(secret), None);
    assert!(other_server.authenticate(secret).await.unwrap().is_some());
    assert_eq!(
        other_server
            .authenticate_cached(secret)
            .map(|c| c.public_id.clone()),
        Some(victim.public_id.clone())
    );
    assert!(t.store.authenticate(secret).await.unwrap().is_some());
    assert!(t.store.authenticate_cached(secret).is_some());
    t.store
        .terminate_session(&keeper, &victim.public_id)
        .await
        .unwrap();
    // This server: at once, cache included.
    assert_eq!(t.store.authenticate_cached(secret), None);
    assert!(!is_active(&t.store, &token).await);
    // The other one: after its cache entry lapses (by the stores' clock).
    assert!(other_server.authenticate_cached(secret).is_some());
    t.clock.advance(ChronoDuration::milliseconds(299));
    assert!(other_server.authenticate_cached(secret).is_some());
    t.clock.advance(ChronoDuration::milliseconds(1));
    assert_eq!(other_server.authenticate_cached(secret), None);
    assert_eq!(
        other_server
            .authenticate(token.expose_secret())
            .await
            .unwrap(),
        None
    );
    t.teardown().await;
}

on_both_backends!(another_server_sees_an_end_within_the_cache_ttl,);
