//! The layer around a tiny app, driven with `oneshot`: what it hands to
//! handlers, which credentials it takes, where the client is, and what
//! counts as activity.
use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use migrations::{Migrator, MigratorTrait};
use sessionboard_layer::{
    Activity, ClientIp, Counts, MaybeSignedIn, ProxyPeer, Refusal, SessionLayer,
};
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

/// What a request passed through untouched carries: nothing.
async fn bare(MaybeSignedIn(me): MaybeSignedIn, req: axum::extract::Request) -> String {
    let ip = req.extensions().get::<ClientIp>().is_some();
    format!("session {} ip {ip}", me.is_some())
}

async fn proxy(req: axum::extract::Request) -> String {
    format!("{:?}", req.extensions().get::<ProxyPeer>())
}

async fn send(layer: &SessionLayer, peer: &str, req: Request<Body>) -> (StatusCode, String) {
    let app = Router::new()
        .route("/", get(who).post(who))
        .route("/api/who", get(who).post(who))
        .route("/static/x", get(bare).post(bare))
        .route("/proxy", get(proxy))
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

/// A request with these headers and no body.
fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.body(Body::empty()).unwrap()
}

/// A read-scoped API token of `current`'s account, valid for a day.
async fn read_token(
    store: &SessionStore,
    current: &sessions::CurrentSession,
) -> sessions::SessionToken {
    let ip = "203.0.113.1".parse().unwrap();
    let day = std::time::Duration::from_secs(86_400);
    let (api, _) = store
        .create_api_token(current, "script", TokenScope::Read, day, ip)
        .await
        .unwrap();
    api
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
    let api = read_token(&store, &current).await;
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
        .bearer_tokens("/")
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
    // The proxy itself is named only when it is trusted.
    let get = || Request::get("/proxy").body(Body::empty()).unwrap();
    assert_eq!(
        send(&layer, "10.1.2.3:1", get()).await.1,
        "Some(ProxyPeer(10.1.2.3))"
    );
    assert_eq!(send(&layer, "198.51.100.2:1", get()).await.1, "None");
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

#[tokio::test]
async fn bearer_tokens_only_under_their_prefix_and_rate_limited_per_token() {
    let (store, _dir) = store().await;
    let (_, current) = signed_up(&store).await;
    let api = read_token(&store, &current).await;
    let layer = SessionLayer::builder(store, ORIGIN)
        .bearer_tokens("/api/")
        .token_rate_limit(1, 2)
        .refusals(|why, _| match why {
            Refusal::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("slow down {retry_after}"),
            )
                .into_response(),
            other => other.default_response(),
        })
        .build()
        .unwrap();
    let auth = format!("Bearer {}", api.expose_secret());
    let call = |path: &str| request("GET", path, &[("authorization", &auth)]);
    let peer = "198.51.100.2:1";
    assert_eq!(send(&layer, peer, call("/")).await.1, "nobody 198.51.100.2");
    assert_eq!(
        send(&layer, peer, call("/api/who")).await.1,
        "ada 198.51.100.2"
    );
    assert_eq!(send(&layer, peer, call("/api/who")).await.0, StatusCode::OK);
    // The burst of two is spent; the next call waits a second.
    assert_eq!(
        send(&layer, peer, call("/api/who")).await,
        (StatusCode::TOO_MANY_REQUESTS, "slow down 1".into())
    );
    assert!(
        SessionLayer::builder(layer.store().clone(), ORIGIN)
            .token_rate_limit(0, 5)
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn passed_through_paths_carry_nothing_and_exempt_paths_skip_the_origin_check() {
    let (store, _dir) = store().await;
    let (token, _) = signed_up(&store).await;
    let layer = SessionLayer::builder(store, ORIGIN)
        .pass_through(|path| path.starts_with("/static/"))
        .without_origin_check("/api/who")
        .build()
        .unwrap();
    let cookie = format!("__Host-session={token}");
    let get = request("GET", "/static/x", &[("cookie", &cookie)]);
    assert_eq!(
        send(&layer, "198.51.100.2:1", get).await,
        (StatusCode::OK, "session false ip false".into())
    );
    let evil = [
        ("cookie", cookie.as_str()),
        ("origin", "https://evil.example"),
    ];
    let post = |path: &str| request("POST", path, &evil);
    // Passing through is no way around the origin check.
    assert_eq!(
        send(&layer, "198.51.100.2:1", post("/static/x")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&layer, "198.51.100.2:1", post("/api/who")).await,
        (StatusCode::OK, "ada 198.51.100.2".into())
    );
}

#[tokio::test]
async fn custom_activity_decides_what_counts() {
    let (store, _dir) = store().await;
    let (token, current) = signed_up(&store).await;
    // Here only a GET of /api/who is a page visit; nothing else counts.
    let layer = SessionLayer::builder(store.clone(), ORIGIN)
        .activity(Activity::Custom(std::sync::Arc::new(|req| {
            if req.uri().path() == "/api/who" {
                Counts::PageVisit
            } else {
                Counts::Nothing
            }
        })))
        .build()
        .unwrap();
    let cookie = format!("__Host-session={token}");
    let visits = || async {
        store.flush_activity().await.unwrap();
        store.list_active_sessions(current.user_id).await.unwrap()[0].pages_visited
    };
    let headers = [
        ("cookie", cookie.as_str()),
        ("origin", ORIGIN),
        ("sec-fetch-dest", "document"),
    ];
    let req = |method: &str, path: &str| request(method, path, &headers);
    send(&layer, "198.51.100.7:1", req("POST", "/")).await;
    send(&layer, "198.51.100.7:1", req("GET", "/")).await;
    assert_eq!(visits().await, 0);
    send(&layer, "198.51.100.7:1", req("GET", "/api/who")).await;
    assert_eq!(visits().await, 1);
}

#[tokio::test]
async fn a_cookie_domain_must_cover_the_origin_and_drops_the_host_prefix() {
    let (store, _dir) = store().await;
    let (_, current) = signed_up(&store).await;
    let build = |origin: &str, domain: &str| {
        SessionLayer::builder(store.clone(), origin)
            .cookie_domain(domain)
            .build()
    };
    let shared = build(ORIGIN, "example.com").unwrap();
    assert_eq!(shared.cookie().name(), "__Secure-session");
    let facts = RequestFacts {
        user_agent: String::new(),
        ip: "203.0.113.1".parse().unwrap(),
        app: None,
    };
    let (token, _) = store.start_session(current.user_id, &facts).await.unwrap();
    let set = shared.cookie().set(&token);
    let set = set.to_str().unwrap();
    assert!(set.contains("Domain=example.com"), "{set}");
    assert!(set.contains("Secure") && set.contains("HttpOnly"), "{set}");
    // Without a domain the cookie stays on the host.
    let host_only = SessionLayer::builder(store.clone(), ORIGIN)
        .build()
        .unwrap();
    assert!(
        !host_only
            .cookie()
            .set(&token)
            .to_str()
            .unwrap()
            .contains("Domain")
    );
    assert!(build(ORIGIN, "app.example.com").is_ok());
    for wrong in [
        "other.com",
        "ple.com",
        "wiki.app.example.com",
        "",
        "exa mple.com",
    ] {
        assert!(build(ORIGIN, wrong).is_err(), "{wrong:?}");
    }
    assert!(build("http://127.0.0.1:3000", "127.0.0.1").is_err());
    let host_prefixed = SessionLayer::builder(store.clone(), ORIGIN)
        .cookie_domain("example.com")
        .cookie_name("__Host-sid")
        .build();
    assert!(host_prefixed.is_err());
}
