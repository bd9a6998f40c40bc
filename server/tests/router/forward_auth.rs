//! Forward authentication: every answer of `/auth/verify`, as a proxy on a
//! trusted address asks it.
use crate::harness::*;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use chrono::Duration as ChronoDuration;
use server::WebConfig;
use sessions::apps::Apps;
use sessions::{HistoryQuery, RequestFacts, TrustedProxies};
use std::sync::Arc;

/// The proxy, on loopback like nginx beside Sessionboard.
const PROXY: &str = "127.0.0.1:40000";

const APPS: &str = r#"
[[app]]
name = "Wiki"
url = "https://wiki.example.com/"

[[app]]
name = "Photos"
url = "https://example.com/photos/"
allow = ["alice"]

[[app]]
name = "Vault"
url = "https://vault.example.com/"
require_two_factor = true
"#;

async fn gateway() -> Harness {
    let mut web = WebConfig::new(ORIGIN);
    web.trusted = TrustedProxies::parse("127.0.0.1/32").unwrap();
    web.apps = Arc::new(Apps::from_toml(APPS).unwrap());
    harness_web(test_config(), web).await
}

/// nginx's subrequest for `url` with `cookie` (empty: none).
fn nginx(url: &str, cookie: &str) -> Request<Body> {
    let mut r = Request::get("/auth/verify").header("x-original-url", url);
    if !cookie.is_empty() {
        r = r.header("cookie", cookie);
    }
    r.body(Body::empty()).unwrap()
}

/// Caddy's or Traefik's (`X-Forwarded-*`, the original method).
fn caddy(query: &str, host: &str, uri: &str, cookie: &str) -> Request<Body> {
    let mut r = Request::post(format!("/auth/verify{query}"))
        .header("x-forwarded-method", "POST")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", host)
        .header("x-forwarded-uri", uri)
        .header("sec-fetch-site", "cross-site");
    if !cookie.is_empty() {
        r = r.header("cookie", cookie);
    }
    r.body(Body::empty()).unwrap()
}

async fn ask(h: &Harness, req: Request<Body>) -> Response<Body> {
    h.send_from(PROXY, req).await
}

fn refused_to(res: &Response<Body>, why: &str) -> bool {
    location(res).is_some_and(|l| l.contains("/auth/refused?") && l.contains(&format!("why={why}")))
}

#[tokio::test]
async fn a_signed_in_session_passes_with_who_it_is_and_its_use_is_recorded() {
    let h = gateway().await;
    let (alice, user) = h.session("alice").await;
    let res = ask(&h, nginx("https://photos.example.com/x", &alice)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "an unknown host");
    let mut doc = nginx("https://example.com/photos/album?id=1", &alice);
    doc.headers_mut()
        .insert("sec-fetch-dest", "document".parse().unwrap());
    let res = ask(&h, doc).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "remote-user"), Some("alice"));
    assert_eq!(header(&res, "remote-name"), Some("alice"));
    assert_eq!(
        header(&res, "remote-email"),
        Some(""),
        "no verified address"
    );
    let page = h.store.list_active_sessions(user).await.unwrap();
    assert_eq!(header(&res, "remote-session"), Some(page[0].id.as_str()));
    assert!(text(res).await.is_empty(), "no body work");
    // The request counts as activity in that app, the document as a page.
    let current = h
        .store
        .authenticate(alice.split_once('=').unwrap().1)
        .await
        .unwrap()
        .unwrap();
    let board = h
        .store
        .sessions_page(&current, &HistoryQuery::default())
        .await
        .unwrap();
    let apps = &board.active[0].apps;
    assert_eq!(apps.len(), 1);
    assert_eq!((apps[0].name.as_str(), apps[0].pages), ("Photos", 1));
}

#[tokio::test]
async fn not_signed_in_is_401_with_the_login_page_or_a_redirect_there() {
    let h = gateway().await;
    let res = ask(&h, nginx("https://wiki.example.com/page?a=1", "")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        location(&res),
        Some("http://localhost:3000/login?rd=https%3A%2F%2Fwiki.example.com%2Fpage%3Fa%3D1")
    );
    // Caddy and Traefik pass the answer to the browser: a redirect, unless
    // told otherwise; a junk cookie is no session.
    let res = ask(
        &h,
        caddy("", "wiki.example.com", "/page", "__Host-sb_session=junk"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert!(
        location(&res)
            .unwrap()
            .ends_with("/login?rd=https%3A%2F%2Fwiki.example.com%2Fpage")
    );
    let res = ask(&h, caddy("?redirect=0", "wiki.example.com", "/page", "")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // An unknown host carries no return address (never an open redirect).
    let res = ask(&h, nginx("https://evil.example/", "")).await;
    assert_eq!(location(&res), Some("http://localhost:3000/login"));
}

#[tokio::test]
async fn ended_expired_and_idle_sessions_are_401() {
    let h = gateway().await;
    let (ended, user) = h.session("ended").await;
    let url = "https://wiki.example.com/";
    assert_eq!(ask(&h, nginx(url, &ended)).await.status(), StatusCode::OK);
    let sessions = h.store.list_active_sessions(user).await.unwrap();
    let facts = RequestFacts {
        user_agent: UA.into(),
        ip: "203.0.113.7".parse().unwrap(),
        app: None,
    };
    let (other, _) = h.store.start_session(user, &facts).await.unwrap();
    let other = h
        .store
        .authenticate(other.expose_secret())
        .await
        .unwrap()
        .unwrap();
    h.store
        .reauthenticate(&other, PASSWORD, "203.0.113.7".parse().unwrap())
        .await
        .unwrap();
    h.store
        .terminate_session(&other, &sessions[0].id)
        .await
        .unwrap();
    assert_eq!(
        ask(&h, nginx(url, &ended)).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let (idle, _) = h.session("idle").await;
    let (old, _) = h.session("old").await;
    assert_eq!(ask(&h, nginx(url, &idle)).await.status(), StatusCode::OK);
    // Past the idle timeout (and the cache's lifetime)...
    h.clock.advance(ChronoDuration::days(15));
    assert_eq!(
        ask(&h, nginx(url, &idle)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // ...and past the absolute lifetime, though used every day.
    let (fresh, _) = h.session("fresh").await;
    for _ in 0..31 {
        h.clock.advance(ChronoDuration::days(1));
        let _ = ask(&h, nginx(url, &fresh)).await;
        h.store.flush_activity().await.unwrap();
    }
    assert_eq!(
        ask(&h, nginx(url, &fresh)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ask(&h, nginx(url, &old)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn refusals_say_why_and_where_to_read_it() {
    let h = gateway().await;
    let (bob, _) = h.session("bob").await;
    let photos = "https://example.com/photos/";
    let res = ask(&h, nginx(photos, &bob)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "not on the allow list");
    assert!(refused_to(&res, "not_allowed") && location(&res).unwrap().contains("app=Photos"));
    let res = ask(&h, caddy("", "example.com", "/photos/", &bob)).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert!(refused_to(&res, "not_allowed"));
    // Another prefix of the same host is no app.
    let res = ask(&h, nginx("https://example.com/photosx", &bob)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(refused_to(&res, "unknown"));
    // A password alone does not open an app that requires a second factor.
    let res = ask(&h, nginx("https://vault.example.com/", &bob)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(refused_to(&res, "two_factor") && location(&res).unwrap().contains("app=Vault"));
    // The page that says so links to setting it up.
    let to = location(&res)
        .unwrap()
        .trim_start_matches(ORIGIN)
        .to_owned();
    let html = text(h.send(page(&to, &bob)).await).await;
    assert!(html.contains("Vault asks for a second factor"), "{html}");
    assert!(html.contains("href=\"/account/two-factor\""));
    // An address that is no app says so, not "not open to you".
    let res = ask(&h, nginx("https://nowhere.example.com/", &bob)).await;
    let to = location(&res)
        .unwrap()
        .trim_start_matches(ORIGIN)
        .to_owned();
    let html = text(h.send(page(&to, &bob)).await).await;
    assert!(html.contains("not one of the apps"), "{html}");
}

#[tokio::test]
async fn a_sign_in_with_a_second_factor_opens_an_app_that_requires_one() {
    let h = gateway().await;
    let (strong, user) = h.strong_session("carol", Some("Vault")).await;
    let current = h
        .store
        .authenticate(strong.split_once('=').unwrap().1)
        .await
        .unwrap()
        .unwrap();
    let view = h
        .store
        .list_active_sessions(user)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == current.public_id)
        .unwrap();
    assert_eq!(view.started_app.as_deref(), Some("Vault"));
    let res = ask(&h, nginx("https://vault.example.com/", &strong)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(h.store.list_active_sessions(user).await.unwrap().len() >= 2);
}

#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
    let h = gateway().await;
    let (alice, _) = h.session("alice").await;
    // Straight to Sessionboard, claiming to be the proxy asking for Wiki.
    let res = h.send(nginx("https://wiki.example.com/", &alice)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(refused_to(&res, "unknown"));
    let res = h.send(caddy("", "wiki.example.com", "/", "")).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        location(&res),
        Some("http://localhost:3000/login"),
        "no return address"
    );
}

#[tokio::test]
async fn a_signed_in_visitor_sent_to_log_in_goes_straight_back() {
    let h = gateway().await;
    let (alice, _) = h.session("alice").await;
    let res = h
        .send(get_with(
            "/login?rd=https%3A%2F%2Fwiki.example.com%2Fa",
            &alice,
        ))
        .await;
    assert_eq!(location(&res), Some("https://wiki.example.com/a"));
    for evil in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example",
        "javascript%3Aalert(1)",
    ] {
        let res = h.send(get_with(&format!("/login?rd={evil}"), &alice)).await;
        assert_eq!(location(&res), Some("/sessions"), "{evil}");
    }
    // Signed out, the login page carries the return address in its form.
    let html = text(
        h.send(get("/login?rd=https%3A%2F%2Fwiki.example.com%2Fa"))
            .await,
    )
    .await;
    assert!(
        html.contains(r#"name="rd" value="https://wiki.example.com/a""#),
        "{html}"
    );
    let html = text(h.send(get("/login?rd=https%3A%2F%2Fevil.example%2F")).await).await;
    assert!(!html.contains(r#"name="rd""#));
}

#[tokio::test]
async fn a_sign_in_returns_to_the_app_and_records_where_it_started() {
    let h = gateway().await;
    let user = h
        .store
        .register("dave", PASSWORD, "203.0.113.7".parse().unwrap())
        .await
        .unwrap();
    let form = format!(
        "username=dave&password={}&rd=https%3A%2F%2Fwiki.example.com%2Fa",
        PASSWORD.replace(' ', "+")
    );
    let mut req = post("/api/login", &[("sec-fetch-site", "same-origin")], &form);
    req.headers_mut()
        .insert("accept", "text/html".parse().unwrap());
    let res = h.send(req).await;
    assert_eq!(location(&res), Some("https://wiki.example.com/a"));
    let sessions = h.store.list_active_sessions(user.id).await.unwrap();
    assert_eq!(sessions[0].started_app.as_deref(), Some("Wiki"));
    // Elsewhere is never a destination.
    let form = format!(
        "username=dave&password={}&rd=https%3A%2F%2Fevil.example%2F",
        PASSWORD.replace(' ', "+")
    );
    let mut req = post("/api/login", &[("sec-fetch-site", "same-origin")], &form);
    req.headers_mut()
        .insert("accept", "text/html".parse().unwrap());
    assert_eq!(location(&h.send(req).await), Some("/sessions"));
}

#[tokio::test]
async fn an_apps_sign_out_link_asks_then_signs_out_and_returns() {
    let h = gateway().await;
    let (alice, user) = h.session("alice").await;
    let rd = "rd=https%3A%2F%2Fwiki.example.com%2F";
    let res = h.send(page(&format!("/logout?{rd}"), &alice)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        h.store.list_active_sessions(user).await.unwrap().len(),
        1,
        "a GET never signs out"
    );
    let html = text(res).await;
    assert!(html.contains("Sign out?") && html.contains(r#"name="rd""#));
    let mut req = post_as("/api/logout", &alice, rd);
    req.headers_mut()
        .insert("accept", "text/html".parse().unwrap());
    let res = h.send(req).await;
    assert_eq!(location(&res), Some("https://wiki.example.com/"));
    assert!(h.store.list_active_sessions(user).await.unwrap().is_empty());
}

#[tokio::test]
async fn subdomain_mode_shares_a_secure_cookie_with_the_domain() {
    let mut web = WebConfig::new(ORIGIN);
    web.trusted = TrustedProxies::parse("127.0.0.1/32").unwrap();
    web.apps = Arc::new(Apps::from_toml(APPS).unwrap());
    web.cookie = app::contract::CookieScope {
        domain: Some("example.com".into()),
    };
    let h = harness_web(test_config(), web).await;
    h.store
        .register("erin", PASSWORD, "203.0.113.7".parse().unwrap())
        .await
        .unwrap();
    let form = format!("username=erin&password={}", PASSWORD.replace(' ', "+"));
    let res = h
        .send(post(
            "/api/login",
            &[("sec-fetch-site", "same-origin")],
            &form,
        ))
        .await;
    let set = header(&res, "set-cookie").unwrap().to_owned();
    assert!(set.starts_with("__Secure-sb_session="), "{set}");
    assert!(
        set.contains("Domain=example.com") && set.contains("Secure") && set.contains("HttpOnly"),
        "{set}"
    );
    let token = set.split(';').next().unwrap().to_owned();
    let res = ask(&h, nginx("https://wiki.example.com/", &token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The host-only name means nothing in this mode.
    let host_only = token.replace("__Secure-", "__Host-");
    let res = ask(&h, nginx("https://wiki.example.com/", &host_only)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
