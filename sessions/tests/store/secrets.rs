use crate::common::*;
use sea_orm::{ConnectionTrait, Statement};
async fn tokens_are_unique_and_only_hashes_are_stored(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let issued: HashSet<String> = (0..10_000)
        .map(|_| SessionToken::generate().expose_secret().to_owned())
        .collect();
    assert_eq!(issued.len(), 10_000);

    let uid = user(&t.store, "alice").await;
    let mut tokens = Vec::new();
    for _ in 0..20 {
        let (token, view) = t
            .store
            .start_session(uid, &facts(FIREFOX_LINUX, "81.2.69.142"))
            .await
            .unwrap();
        assert!(!view.id.is_empty());
        assert_ne!(view.id, token.expose_secret());
        tokens.push(token);
    }
    // Read every text column back as the database holds it.
    let rows =
        t.db.query_all_raw(Statement::from_string(
            t.db.get_database_backend(),
            "SELECT public_id, token_hash, user_agent, login_ip, last_ip FROM sessions",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 20);
    let mut stored_hashes = HashSet::new();
    for row in &rows {
        let mut text = String::new();
        for col in [
            "public_id",
            "token_hash",
            "user_agent",
            "login_ip",
            "last_ip",
        ] {
            text.push_str(&row.try_get::<String>("", col).unwrap());
            text.push('|');
        }
        for token in &tokens {
            assert!(
                !text.contains(token.expose_secret()),
                "a token is stored in clear"
            );
        }
        let hash: String = row.try_get("", "token_hash").unwrap();
        assert_eq!(hash.len(), 64);
        stored_hashes.insert(hash);
    }
    // Each stored value is the SHA-256 of one issued token.
    let expected: HashSet<String> = tokens
        .iter()
        .map(|tok| {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(tok.expose_secret().as_bytes()))
        })
        .collect();
    assert_eq!(stored_hashes, expected);
    t.teardown().await;
}

async fn authenticate_accepts_only_valid_tokens(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let uid = user(&t.store, "alice").await;
    let (token, current) = login(&t.store, uid, FIREFOX_LINUX, "81.2.69.142").await;
    assert_eq!(current.user_id, uid);
    assert_eq!(current.username, "alice");
    let before = count_rows(&t).await;
    let unknown = SessionToken::generate();
    for bad in [
        unknown.expose_secret(),
        "",
        "not-a-token",
        &"x".repeat(43),
        "' OR 1=1 --",
        &"é".repeat(30),
    ] {
        assert_eq!(t.store.authenticate(bad).await.unwrap(), None, "{bad:?}");
    }
    assert_eq!(
        count_rows(&t).await,
        before,
        "authenticate must never create rows"
    );
    assert!(is_active(&t.store, &token).await);
    t.teardown().await;
}

/// A server that never saw the logins reads each owner's name itself, then
/// keeps it.
async fn a_server_that_saw_no_login_names_each_owner(b: Backend) {
    let Some(t) = setup(b).await else { return };
    let alice = user(&t.store, "alice").await;
    let bob = user(&t.store, "bob").await;
    let (alices, _) = login(&t.store, alice, FIREFOX_LINUX, "81.2.69.142").await;
    let (bobs, _) = login(&t.store, bob, SAFARI_IPHONE, "89.160.20.128").await;
    // Without an authentication cache: both rounds read the sessions.
    let other = t.second_store(StoreConfig {
        auth_cache_ttl: Duration::ZERO,
        ..test_config()
    });
    for _ in 0..2 {
        for (token, id, name) in [(&bobs, bob, "bob"), (&alices, alice, "alice")] {
            let current = other
                .authenticate(token.expose_secret())
                .await
                .unwrap()
                .unwrap();
            assert_eq!((current.user_id, current.username.as_str()), (id, name));
        }
    }
    t.teardown().await;
}

on_both_backends!(
    tokens_are_unique_and_only_hashes_are_stored,
    authenticate_accepts_only_valid_tokens,
    a_server_that_saw_no_login_names_each_owner,
);
