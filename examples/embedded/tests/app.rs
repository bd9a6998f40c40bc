//! The example, driven with `oneshot`: sign up, sign in on a second
//! device, see both on "Your sessions", end the other one from the first.
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use migrations::{Migrator, MigratorTrait};
use std::net::SocketAddr;
use tower::{Layer, ServiceExt};

const ORIGIN: &str = "http://localhost:3300";
const FORM: &str = "username=ada&password=correct%20horse";

struct App {
    router: axum::Router,
    _dir: tempfile::TempDir,
}

impl App {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("e.db").display());
        let db = sessions::db::connect(&url).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let store =
            sessions::SessionStore::new(db, Default::default(), sessions::GeoIp::disabled());
        let router = embedded_example::app(store, ORIGIN).unwrap();
        App { router, _dir: dir }
    }

    async fn send(&self, req: Request<Body>) -> axum::response::Response {
        let peer: SocketAddr = "203.0.113.9:4000".parse().unwrap();
        let app = MockConnectInfo(peer).layer(self.router.clone());
        app.oneshot(req).await.unwrap()
    }
}

fn post(path: &str, cookie: Option<&str>, form: &str, ua: &str) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::ORIGIN, ORIGIN)
        .header(header::USER_AGENT, ua)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::from(form.to_owned())).unwrap()
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn cookie_of(res: &axum::response::Response) -> String {
    let set = res.headers()[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn text(res: axum::response::Response) -> String {
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

#[tokio::test]
async fn sign_up_see_both_devices_and_end_the_other() {
    let app = App::new().await;
    let res = app.send(post("/signup", None, FORM, FIREFOX)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("HttpOnly")
    );
    let laptop = cookie_of(&res);
    let phone = cookie_of(&app.send(post("/signin", None, FORM, IPHONE)).await);
    assert_eq!(
        app.send(get("/notes", &phone)).await.status(),
        StatusCode::OK
    );

    let page = text(app.send(get("/sessions", &laptop)).await).await;
    assert_eq!(page.matches("<li>").count(), 2, "{page}");
    assert!(
        page.contains("Firefox on Linux") && page.contains("Mobile Safari on iOS"),
        "{page}"
    );
    assert_eq!(page.matches("This device").count(), 1);
    let id = page
        .split("/sessions/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();

    // Another site cannot end it with the visitor's cookie.
    let mut forged = post(&format!("/sessions/{id}/end"), Some(&laptop), "", FIREFOX);
    forged
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(app.send(forged).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.send(get("/notes", &phone)).await.status(),
        StatusCode::OK
    );

    let res = app
        .send(post(
            &format!("/sessions/{id}/end"),
            Some(&laptop),
            "",
            FIREFOX,
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.send(get("/notes", &phone)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let page = text(app.send(get("/sessions", &laptop)).await).await;
    assert_eq!(page.matches("<li>").count(), 1);

    // Signing out ends this one too and clears the cookie.
    let res = app.send(post("/signout", Some(&laptop), "", FIREFOX)).await;
    assert!(
        res.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        app.send(get("/profile", &laptop)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn wrong_passwords_are_refused_with_a_message() {
    let app = App::new().await;
    app.send(post("/signup", None, FORM, FIREFOX)).await;
    let res = app
        .send(post(
            "/signin",
            None,
            "username=ada&password=nope%20nope",
            FIREFOX,
        ))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("Wrong username or password."));
}
