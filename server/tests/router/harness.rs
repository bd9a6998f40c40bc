//! A router over a fresh SQLite database with a manual clock, and requests.
#![allow(dead_code)]
use app::contract::SESSION_COOKIE;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, Response, header};
use chrono::{TimeZone, Utc};
use leptos::config::LeptosOptions;
use migrations::{Migrator, MigratorTrait};
use server::{AppState, WebConfig, router};
use sessions::client_ip::ProxyHeader;
use sessions::{
    GeoIp, HashingConfig, LoginStep, ManualClock, RequestFacts, SessionStore, StoreConfig,
    TrustedProxies,
};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::{Layer, ServiceExt};

pub const ORIGIN: &str = "http://localhost:3000";
pub const PASSWORD: &str = "correct horse battery";
pub const UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
/// The address every request comes from, unless a test says otherwise.
pub const PEER: &str = "203.0.113.7:50000";

pub struct Harness {
    pub store: SessionStore,
    pub clock: Arc<ManualClock>,
    state: AppState,
    _shutdown: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

/// Argon2 at its cheapest: these tests are about the policy.
pub fn test_config() -> StoreConfig {
    StoreConfig {
        hashing: HashingConfig {
            memory_kib: 64,
            iterations: 1,
            ..HashingConfig::default()
        },
        ..StoreConfig::default()
    }
}

pub async fn harness() -> Harness {
    harness_with(
        test_config(),
        TrustedProxies::none(),
        ProxyHeader::default(),
    )
    .await
}

pub async fn harness_with(
    config: StoreConfig,
    trusted: TrustedProxies,
    proxy_header: ProxyHeader,
) -> Harness {
    let mut web = WebConfig::new(ORIGIN);
    web.trusted = trusted;
    web.proxy_header = proxy_header;
    harness_web(config, web).await
}

/// A harness with these web settings (apps, cookie scope).
pub async fn harness_web(config: StoreConfig, web: WebConfig) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("r.db").display());
    let db = sessions::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let store = SessionStore::with_clock(db, config, GeoIp::disabled(), clock.clone());
    let (tx, rx) = tokio::sync::watch::channel(false);
    let leptos = LeptosOptions::builder().output_name("sessionboard").build();
    let state = AppState::new(store.clone(), web, rx, leptos).unwrap();
    Harness {
        store,
        clock,
        state,
        _shutdown: tx,
        _dir: dir,
    }
}

impl Harness {
    /// Sends one request through a freshly built router.
    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        self.send_from(PEER, req).await
    }

    /// Sends one request as if from `peer`.
    pub async fn send_from(&self, peer: &str, req: Request<Body>) -> Response<Body> {
        let peer: SocketAddr = peer.parse().unwrap();
        let app = MockConnectInfo(peer).layer(router(self.state.clone()));
        app.oneshot(req).await.unwrap()
    }

    /// One connection's service, for several requests in turn (a
    /// browser's keep-alive connection, or a proxy's to the app).
    pub fn connection(&self) -> server::Sessionboard {
        router(self.state.clone()).for_peer(PEER.parse().unwrap())
    }

    /// A signed-in user's cookie header value.
    pub async fn signed_in(&self, name: &str) -> String {
        self.session(name).await.0
    }

    /// A new user with one session: its cookie header value and user id.
    pub async fn session(&self, name: &str) -> (String, i64) {
        let peer = "203.0.113.7".parse().unwrap();
        let user = self.store.register(name, PASSWORD, peer).await.unwrap();
        let facts = RequestFacts {
            user_agent: UA.into(),
            ip: peer,
            app: None,
        };
        let (token, _) = self.store.start_session(user.id, &facts).await.unwrap();
        (
            format!("{SESSION_COOKIE}={}", token.expose_secret()),
            user.id,
        )
    }
}

impl Harness {
    /// A new user with two-factor on, signed in with a code (from `app`,
    /// if given) just now: its cookie header value and user id.
    pub async fn strong_session(&self, name: &str, app: Option<&str>) -> (String, i64) {
        let (cookie, user) = self.session(name).await;
        let token = cookie.split_once('=').unwrap().1;
        let first = self.store.authenticate(token).await.unwrap().unwrap();
        self.store.begin_two_factor(&first).await.unwrap();
        let e = self
            .store
            .two_factor_enrolment(&first)
            .await
            .unwrap()
            .unwrap();
        let code = |at| sessions::testing::totp_code_at(&e.secret_base32, at);
        self.store
            .confirm_two_factor(&first, &code(self.store.now()), false)
            .await
            .unwrap();
        let facts = RequestFacts {
            user_agent: UA.into(),
            ip: "203.0.113.7".parse().unwrap(),
            app: app.map(Into::into),
        };
        let LoginStep::SecondFactor(pending) =
            self.store.login(name, PASSWORD, &facts).await.unwrap()
        else {
            panic!("a second factor is asked for");
        };
        self.clock.advance(chrono::Duration::seconds(31));
        let (token, _) = self
            .store
            .complete_login(pending.expose_secret(), &code(self.store.now()), &facts)
            .await
            .unwrap();
        (format!("{SESSION_COOKIE}={}", token.expose_secret()), user)
    }
}

pub fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

pub fn get_with(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

/// A document load of a page, as a browser makes it.
pub fn page(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .header("sec-fetch-dest", "document")
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap()
}

/// A form post, with these extra headers.
pub fn post(path: &str, headers: &[(&str, &str)], form: &str) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(Body::from(form.to_owned())).unwrap()
}

/// A same-origin form post of a signed-in browser.
pub fn post_as(path: &str, cookie: &str, form: &str) -> Request<Body> {
    post(
        path,
        &[("cookie", cookie), ("sec-fetch-site", "same-origin")],
        form,
    )
}

pub fn header<'a>(res: &'a Response<Body>, name: &str) -> Option<&'a str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

pub fn location(res: &Response<Body>) -> Option<&str> {
    header(res, "location")
}

pub fn cache_control(res: &Response<Body>) -> Option<&str> {
    header(res, "cache-control")
}

pub async fn text(res: Response<Body>) -> String {
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}
