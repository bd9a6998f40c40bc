//! The layer around a tiny app, driven with `oneshot`: what it hands to
//! handlers, which credentials it takes, where the client is, and what
//! counts as activity.
use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use migrations::{Migrator, MigratorTrait};
use sessionboard_layer::{Activity, ClientIp, MaybeSignedIn, SessionLayer};
use sessions::client_ip::ProxyHeader;
use sessions::{
    HashingConfig, RequestFacts, SessionStore, StoreConfig, TokenScope, TrustedProxies,
};
use std::net::SocketAddr;
use tower::{Layer, ServiceExt};

const ORIGIN: &str = "https://app.example.com";

async fn store() -> (SessionStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("l.db").display());
    let db = sessions::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let config = StoreConfig {
        hashing: HashingConfig {
            memory_kib: 64,
            iterations: 1,
            ..HashingConfig::default()
        },
        ..StoreConfig::default()
    };
    (
        SessionStore::new(db, config, sessions::GeoIp::disabled()),
        dir,
    )
}

/// Who the handler sees, and from where.
async fn who(MaybeSignedIn(me): MaybeSignedIn, ClientIp(ip): ClientIp) -> String {
    format!(
        "{} {ip}",
        me.map_or("nobody".to_owned(), |m| m.username.clone())
    )
}

async fn send(layer: &SessionLayer, peer: &str, req: Request<Body>) -> (StatusCode, String) {
    let app = Router::new()
        .route("/", get(who).post(who))
        .layer(layer.clone());
    let peer: SocketAddr = peer.parse().unwrap();
    let res = MockConnectInfo(peer).layer(app).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn signed_up(store: &SessionStore) -> (String, sessions::CurrentSession) {
    let ip = "203.0.113.1".parse().unwrap();
    let user = store.register("ada", "correct horse", ip).await.unwrap();
    let facts = RequestFacts {
        user_agent: String::new(),
        ip,
        app: None,
    };
    let (token, _) = store.start_session(user.id, &facts).await.unwrap();
    let current = store
        .authenticate(token.expose_secret())
        .await
        .unwrap()
        .unwrap();
    (token.expose_secret().to_owned(), current)
}

#[tokio::test]
async fn the_cookie_signs_in_and_other_sites_cannot_post_with_it() {
    let (store, _dir) = store().await;
    let (token, _) = signed_up(&store).await;
    let layer = SessionLayer::builder(store, ORIGIN).build().unwrap();
    assert_eq!(layer.cookie().name(), "__Host-session");
    let cookie = format!("__Host-session={token}");
    let get = Request::get("/")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&layer, "198.51.100.2:1", get).await,
        (StatusCode::OK, "ada 198.51.100.2".into())
    );
    let forged = Request::post("/")
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&layer, "198.51.100.2:1", forged).await.0,
        StatusCode::FORBIDDEN
    );
    let ours = Request::post("/")
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, ORIGIN)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&layer, "198.51.100.2:1", ours).await.0, StatusCode::OK);
    assert!(
        SessionLayer::builder(layer.store().clone(), "not an origin")
            .build()
            .is_err()
    );
    for bad in ["", "my session", "sid;x", "sïd"] {
        let built = SessionLayer::builder(layer.store().clone(), ORIGIN)
            .cookie_name(bad)
            .build();
        assert!(built.is_err(), "{bad:?}");
    }
    let named = SessionLayer::builder(layer.store().clone(), ORIGIN)
        .cookie_name("__Host-app_sid")
        .build();
    assert_eq!(named.unwrap().cookie().name(), "__Host-app_sid");
}

#[tokio::test]
async fn bearer_tokens_only_when_enabled_and_only_api_tokens() {
    let (store, _dir) = store().await;
    let (session_token, current) = signed_up(&store).await;
    let ip = "203.0.113.1".parse().unwrap();
    let day = std::time::Duration::from_secs(86_400);
    let (api, _) = store
        .create_api_token(&current, "script", TokenScope::Read, day, ip)
        .await
        .unwrap();
    let bearer = |t: &str| {
        Request::post("/")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    let off = SessionLayer::builder(store.clone(), ORIGIN)
        .build()
        .unwrap();
    assert_eq!(
        send(&off, "198.51.100.2:1", bearer(api.expose_secret()))
            .await
            .1,
        "nobody 198.51.100.2"
    );
    let on = SessionLayer::builder(store, ORIGIN)
        .bearer_tokens(true)
        .build()
        .unwrap();
    // No origin check for a bearer: no browser sends one by itself.
    assert_eq!(
        send(&on, "198.51.100.2:1", bearer(api.expose_secret())).await,
        (StatusCode::OK, "ada 198.51.100.2".into())
    );
    assert_eq!(
        send(&on, "198.51.100.2:1", bearer(&session_token)).await.1,
        "nobody 198.51.100.2"
    );
}

#[tokio::test]
async fn the_client_is_the_peer_unless_a_trusted_proxy_says_otherwise() {
    let (store, _dir) = store().await;
    let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
    let layer = SessionLayer::builder(store, ORIGIN)
        .trusted_proxies(trusted, ProxyHeader::XForwardedFor)
        .build()
        .unwrap();
    let forwarded = || {
        Request::get("/")
            .header("x-forwarded-for", "81.2.69.142")
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        send(&layer, "10.1.2.3:1", forwarded()).await.1,
        "nobody 81.2.69.142"
    );
    assert_eq!(
        send(&layer, "198.51.100.2:1", forwarded()).await.1,
        "nobody 198.51.100.2"
    );
}

#[tokio::test]
async fn page_loads_and_actions_are_activity_and_background_reads_are_not() {
    let (store, _dir) = store().await;
    let (token, current) = signed_up(&store).await;
    let layer = SessionLayer::builder(store.clone(), ORIGIN)
        .activity(Activity::PagesAndActions)
        .build()
        .unwrap();
    let cookie = format!("__Host-session={token}");
    let pages = || async {
        store.flush_activity().await.unwrap();
        let list = store.list_active_sessions(current.user_id).await.unwrap();
        (list[0].pages_visited, list[0].ip.clone())
    };
    let fetch = Request::get("/")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    send(&layer, "198.51.100.7:1", fetch).await;
    assert_eq!(pages().await, (0, "203.0.113.1".to_owned()));
    let load = Request::get("/")
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-dest", "document")
        .body(Body::empty())
        .unwrap();
    send(&layer, "198.51.100.7:1", load).await;
    assert_eq!(pages().await, (1, "198.51.100.7".to_owned()));
}
