//! A router over a fresh SQLite database with a manual clock, and requests.
#![allow(dead_code)]
use app::contract::SESSION_COOKIE;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, Response, header};
use chrono::{TimeZone, Utc};
use leptos::config::LeptosOptions;
use migrations::{Migrator, MigratorTrait};
use server::{AppState, router};
use sessions::{GeoIp, ManualClock, RequestFacts, SessionStore, StoreConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::{Layer, ServiceExt};

pub const ORIGIN: &str = "http://localhost:3000";
pub const UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

pub struct Harness {
    pub store: SessionStore,
    pub clock: Arc<ManualClock>,
    state: AppState,
    _shutdown: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

pub async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("r.db").display());
    let db = sessions::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap(),
    ));
    let store =
        SessionStore::with_clock(db, StoreConfig::default(), GeoIp::disabled(), clock.clone());
    let (tx, rx) = tokio::sync::watch::channel(false);
    let leptos = LeptosOptions::builder().output_name("sessionboard").build();
    let state = AppState::new(
        store.clone(),
        sessions::TrustedProxies::none(),
        ORIGIN.to_owned(),
        rx,
        leptos,
    );
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
        let peer: SocketAddr = "203.0.113.7:50000".parse().unwrap();
        let app = MockConnectInfo(peer).layer(router(self.state.clone()));
        app.oneshot(req).await.unwrap()
    }

    /// A signed-in user's cookie header value.
    pub async fn signed_in(&self, name: &str) -> String {
        self.session(name).await.0
    }

    /// A new user with one session: its cookie header value and user id.
    pub async fn session(&self, name: &str) -> (String, i64) {
        let user = self
            .store
            .register(name, "correct horse battery")
            .await
            .unwrap();
        let facts = RequestFacts {
            user_agent: UA.into(),
            ip: "203.0.113.7".parse().unwrap(),
        };
        let (token, _) = self.store.start_session(user.id, &facts).await.unwrap();
        (
            format!("{SESSION_COOKIE}={}", token.expose_secret()),
            user.id,
        )
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

pub fn location(res: &Response<Body>) -> Option<&str> {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
}

pub fn cache_control(res: &Response<Body>) -> Option<&str> {
    res.headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
}

pub async fn text(res: Response<Body>) -> String {
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}
