//! Session tracking: the cookie, the authentication cache and the
//! database, activity, and what every tracked response carries.
use crate::harness::*;
use app::contract::SESSION_COOKIE;
use axum::http::StatusCode;
use chrono::Duration;
use tower::ServiceExt;

#[tokio::test]
async fn tracked_responses_are_no_store_and_assets_are_not_tracked() {
    let h = harness().await;
    let cookie = h.signed_in("nostore").await;
    for path in ["/login", "/register", "/api/whoami", "/nowhere"] {
        let res = h.send(get(path)).await;
        assert_eq!(cache_control(&res), Some("no-store"), "{path}");
    }
    for path in [
        "/sessions",
        "/account/password",
        "/api/whoami",
        "/api/ping",
        "/login",
    ] {
        let res = h.send(get_with(path, &cookie)).await;
        assert_eq!(cache_control(&res), Some("no-store"), "{path} signed in");
    }
    let res = h.send(post("/api/logout", &[], "")).await;
    assert_eq!(cache_control(&res), Some("no-store"), "a server function");
    // `no-store` keeps every cache from storing it: nothing to vary on.
    assert_eq!(header(&res, "vary"), None);
    let res = h.send(get("/livez")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(cache_control(&res), None, "untracked");
    for path in ["/pkg/sessionboard.css", "/flags/gb.svg", "/icons/local.svg"] {
        let res = h.send(get_with(path, &cookie)).await;
        assert_eq!(cache_control(&res), None, "{path} is the same for everyone");
    }
    assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn a_database_read_then_cache_hits_then_503_once_the_cache_lapses_with_the_database_down() {
    let h = harness().await;
    let cookie = h.signed_in("cached").await;
    // First request: not cached, read from the database.
    let res = h.send(get_with("/api/whoami", &cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(text(res).await, "\"cached\"");
    // The database goes away; within the cache's lifetime nothing needs it.
    h.store.db().clone().close().await.unwrap();
    let res = h.send(get_with("/api/whoami", &cookie)).await;
    assert_eq!(text(res).await, "\"cached\"", "served from the cache");
    // Once the entry lapses, the lookup needs the database: a clear 503.
    h.clock
        .advance(Duration::from_std(test_config().auth_cache_ttl).unwrap());
    let res = h.send(get_with("/api/whoami", &cookie)).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(cache_control(&res), Some("no-store"));
    assert!(text(res).await.contains("database is unavailable"));
    // A request without a cookie needs no database at all.
    let res = h.send(get("/login")).await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// A proxy's keep-alive connection carries many people's requests: the
/// digest remembered for the connection's last cookie never stands in for
/// another cookie, and never keeps an ended session alive.
#[tokio::test]
async fn one_connection_carrying_several_people_authenticates_each_and_honours_ends() {
    let h = harness().await;
    let a = h.signed_in("conn-a").await;
    let b = h.signed_in("conn-b").await;
    let conn = h.connection();
    let whoami = |cookie: &str| {
        let req = get_with("/api/whoami", cookie);
        let conn = conn.clone();
        async move { text(conn.oneshot(req).await.unwrap()).await }
    };
    for (cookie, who) in [
        (&a, "conn-a"),
        (&a, "conn-a"),
        (&b, "conn-b"),
        (&a, "conn-a"),
    ] {
        assert_eq!(whoami(cookie).await, format!("\"{who}\""));
    }
    // One character off the last cookie: no session.
    let mut near = a.clone();
    let last = near.pop().unwrap();
    near.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(whoami(&near).await, "null");
    assert_eq!(whoami(&a).await, "\"conn-a\"");
    // Ended while its digest is remembered: refused on the same connection.
    let res = conn
        .clone()
        .oneshot(post_as("/api/logout", &a, ""))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(whoami(&a).await, "null");
    assert_eq!(whoami(&b).await, "\"conn-b\"");
}

async fn last_seen_and_pages(h: &Harness, uid: i64) -> (i64, i64) {
    let s = &h.store.list_active_sessions(uid).await.unwrap()[0];
    (s.last_seen_at.timestamp_millis(), s.pages_visited)
}

#[tokio::test]
async fn only_what_a_person_does_is_activity() {
    let h = harness().await;
    let (cookie, uid) = h.session("streamer").await;
    let (start, _) = last_seen_and_pages(&h, uid).await;
    h.clock.advance(Duration::minutes(5));
    // The live stream and the board's own GETs keep nothing alive.
    for path in ["/api/events", "/api/whoami", "/api/board", "/api/ping"] {
        let res = h.send(get_with(path, &cookie)).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    assert_eq!(last_seen_and_pages(&h, uid).await, (start, 0));
    // A page load is activity and a page visited.
    assert_eq!(
        h.send(page("/sessions", &cookie)).await.status(),
        StatusCode::OK
    );
    assert_eq!(last_seen_and_pages(&h, uid).await, (start + 5 * 60_000, 1));
    // An action is activity, not a page.
    h.clock.advance(Duration::minutes(1));
    let res = h
        .send(post_as(
            "/api/terminate_session",
            &cookie,
            "id=AAAAAAAAAAAAAAAAAAAAAA",
        ))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(last_seen_and_pages(&h, uid).await, (start + 6 * 60_000, 1));
}

#[tokio::test]
async fn only_the_session_cookie_itself_signs_in() {
    let h = harness().await;
    let cookie = h.signed_in("cookie").await;
    let value = cookie.split_once('=').unwrap().1;
    let fakes = [
        format!("x_{SESSION_COOKIE}={value}"),
        format!("{SESSION_COOKIE}x={value}"),
        format!("{SESSION_COOKIE}="),
        format!("{SESSION_COOKIE}={}", "A".repeat(8 * 1024)),
    ];
    for fake in fakes {
        let res = h.send(get_with("/sessions", &fake)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", &fake[..20]);
        assert_eq!(location(&res), Some("/login"));
    }
    // Duplicates: the first one counts.
    let res = h
        .send(get_with(
            "/sessions",
            &format!("{cookie}; {SESSION_COOKIE}=junk"),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}
