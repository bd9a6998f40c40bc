use crate::model::RequestFacts;
use crate::store::testing::sqlite_store;

fn facts() -> RequestFacts {
    RequestFacts {
        user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0".into(),
        ip: "81.2.69.142".parse().unwrap(),
        app: None,
    }
}

/// An authentication that read the row just before the session was
/// terminated must not leave it in the cache: without the recently-ended
/// guard the ended session would be served from the cache for a whole TTL.
#[tokio::test]
async fn an_end_during_a_database_read_keeps_the_session_out_of_the_cache() {
    let (store, _dir) = sqlite_store().await;
    let user = store
        .register(
            "alice",
            "correct horse battery",
            "127.0.0.1".parse().unwrap(),
        )
        .await
        .unwrap();
    let (keeper_token, _) = store.start_session(user.id, &facts()).await.unwrap();
    let keeper = store
        .authenticate(keeper_token.expose_secret())
        .await
        .unwrap()
        .unwrap();
    let (token, view) = store.start_session(user.id, &facts()).await.unwrap();

    let read_before_the_end = store.read_session(token.digest()).await.unwrap().unwrap();
    store.terminate_session(&keeper, &view.id).await.unwrap();
    let handed_out = store.admit(token.digest(), read_before_the_end);
    assert_eq!(handed_out.public_id, view.id);

    assert!(store.authenticate_cached(token.expose_secret()).is_none());
    assert_eq!(
        store.authenticate(token.expose_secret()).await.unwrap(),
        None
    );
    // The keeper, read and admitted normally, is cached.
    assert!(
        store
            .authenticate_cached(keeper_token.expose_secret())
            .is_some()
    );
}
