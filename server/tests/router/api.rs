//! The JSON API (`/api/v1`): owner scoping, re-authentication, problem
//! answers, the origin check, and the OpenAPI document against the routes.
use crate::harness::*;
use app::contract::SESSION_COOKIE;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode, header};
use serde_json::Value;
use sessions::RequestFacts;

/// An API call with the session cookie, as a script on Sessionboard's
/// own pages makes it.
fn call(method: Method, path: &str, cookie: &str, body: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header("sec-fetch-site", "same-origin");
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
        .unwrap()
}

async fn json(res: Response<Body>) -> Value {
    serde_json::from_str(&text(res).await).unwrap()
}

/// The problem a response carries, checked for RFC 9457's shape.
async fn problem(res: Response<Body>, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(
        header(&res, "content-type"),
        Some("application/problem+json")
    );
    let body = json(res).await;
    assert_eq!(body["status"], status);
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    body
}

fn kind(body: &Value) -> &str {
    body["type"]
        .as_str()
        .and_then(|t| t.strip_prefix("/api/v1/problems/"))
        .unwrap()
}

impl Harness {
    /// Another session of `user`: its cookie and public id.
    async fn second_session(&self, user: i64) -> (String, String) {
        self.session_on(user, UA).await
    }

    /// Another session of `user` on a device with user agent `ua`.
    async fn session_on(&self, user: i64, ua: &str) -> (String, String) {
        let facts = RequestFacts {
            user_agent: ua.into(),
            ip: "198.51.100.9".parse().unwrap(),
            app: None,
        };
        let (token, _) = self.store.start_session(user, &facts).await.unwrap();
        let current = self
            .store
            .authenticate(token.expose_secret())
            .await
            .unwrap()
            .unwrap();
        (
            format!("{SESSION_COOKIE}={}", token.expose_secret()),
            current.public_id,
        )
    }
}

#[tokio::test]
async fn without_a_session_every_call_is_a_401_problem() {
    let h = harness().await;
    let res = h.send(get("/api/v1/me")).await;
    assert_eq!(kind(&problem(res, 401).await), "not_signed_in");
    let res = h
        .send(call(Method::DELETE, "/api/v1/sessions/abc", "x=y", None))
        .await;
    assert_eq!(kind(&problem(res, 401).await), "not_signed_in");
}

#[tokio::test]
async fn lists_the_accounts_sessions_and_marks_this_one() {
    let h = harness().await;
    let (cookie, user) = h.session("alice").await;
    let (_, other) = h.second_session(user).await;
    h.session("bob").await;
    let res = h.send(get_with("/api/v1/sessions", &cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(cache_control(&res).is_some_and(|c| c.contains("no-store")));
    let body = json(res).await;
    let sessions = body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{body}");
    let this: Vec<_> = sessions
        .iter()
        .filter(|s| s["this_device"] == true)
        .collect();
    assert_eq!(this.len(), 1);
    assert_ne!(this[0]["id"], other.as_str());
    assert!(sessions.iter().any(|s| s["id"] == other.as_str()));
    assert_eq!(sessions[0]["browser"], "Firefox");
    assert_eq!(sessions[0]["auth_method"], "password");
    // No token, digest or hash leaves the server.
    let token = cookie.split_once('=').unwrap().1;
    assert!(!body.to_string().contains(token));

    let me = json(h.send(get_with("/api/v1/me", &cookie)).await).await;
    assert_eq!(me["username"], "alice");
    assert_eq!(me["session_id"], this[0]["id"]);
    assert_eq!(me["two_factor"], false);
}

#[tokio::test]
async fn another_accounts_session_is_not_found_exactly_like_an_unknown_id() {
    let h = harness().await;
    let (alice, _) = h.session("alice").await;
    let (_, bob) = h.session("bob").await;
    let (_, bobs) = h.second_session(bob).await;
    let theirs = h
        .send(call(
            Method::DELETE,
            &format!("/api/v1/sessions/{bobs}"),
            &alice,
            None,
        ))
        .await;
    let theirs = problem(theirs, 404).await;
    let unknown = h
        .send(call(
            Method::DELETE,
            "/api/v1/sessions/nonexistent",
            &alice,
            None,
        ))
        .await;
    assert_eq!(problem(unknown, 404).await, theirs);
    assert_eq!(kind(&theirs), "session_not_found");
    let rename = call(
        Method::PATCH,
        &format!("/api/v1/sessions/{bobs}"),
        &alice,
        Some(r#"{"name":"mine now"}"#),
    );
    assert_eq!(problem(h.send(rename).await, 404).await, theirs);
    let deny = call(
        Method::POST,
        &format!("/api/v1/sessions/{bobs}/deny"),
        &alice,
        None,
    );
    assert_eq!(problem(h.send(deny).await, 404).await, theirs);
    // Bob's session is untouched.
    let bob_sessions = h.store.list_active_sessions(bob).await.unwrap();
    assert!(
        bob_sessions
            .iter()
            .any(|s| s.id == bobs && s.name.is_none())
    );
}

#[tokio::test]
async fn terminating_needs_a_recent_proof_like_the_page() {
    let h = harness().await;
    let (cookie, user) = h.session("alice").await;
    let (other_cookie, other) = h.second_session(user).await;
    h.clock.advance(chrono::Duration::minutes(11));
    let path = format!("/api/v1/sessions/{other}");
    let res = h.send(call(Method::DELETE, &path, &cookie, None)).await;
    assert_eq!(kind(&problem(res, 403).await), "reauth_required");
    let sign_out = call(
        Method::POST,
        "/api/v1/sessions/sign-out-others",
        &cookie,
        None,
    );
    assert_eq!(
        kind(&problem(h.send(sign_out).await, 403).await),
        "reauth_required"
    );

    let wrong = call(
        Method::POST,
        "/api/v1/reauthenticate",
        &cookie,
        Some(r#"{"proof":"not the password"}"#),
    );
    assert_eq!(
        kind(&problem(h.send(wrong).await, 400).await),
        "wrong_password"
    );
    let malformed = call(Method::POST, "/api/v1/reauthenticate", &cookie, Some("{"));
    assert_eq!(
        kind(&problem(h.send(malformed).await, 400).await),
        "request"
    );
    let proof = format!(r#"{{"proof":"{PASSWORD}"}}"#);
    let right = call(
        Method::POST,
        "/api/v1/reauthenticate",
        &cookie,
        Some(&proof),
    );
    assert_eq!(h.send(right).await.status(), StatusCode::NO_CONTENT);

    let res = h.send(call(Method::DELETE, &path, &cookie, None)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // The ended session's next call is refused; ending it again is a 404.
    let res = h.send(get_with("/api/v1/me", &other_cookie)).await;
    assert_eq!(kind(&problem(res, 401).await), "not_signed_in");
    let res = h.send(call(Method::DELETE, &path, &cookie, None)).await;
    assert_eq!(kind(&problem(res, 404).await), "session_not_found");
    // Not this session: that is signing out.
    let me = json(h.send(get_with("/api/v1/me", &cookie)).await).await;
    let own = format!("/api/v1/sessions/{}", me["session_id"].as_str().unwrap());
    let res = h.send(call(Method::DELETE, &own, &cookie, None)).await;
    assert_eq!(kind(&problem(res, 409).await), "cannot_terminate_current");
}

#[tokio::test]
async fn signs_out_the_others_and_says_how_many() {
    let h = harness().await;
    let (cookie, user) = h.session("alice").await;
    let (a, _) = h.second_session(user).await;
    let (b, _) = h.second_session(user).await;
    let res = h
        .send(call(
            Method::POST,
            "/api/v1/sessions/sign-out-others",
            &cookie,
            None,
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["ended"], 2);
    for ended in [a, b] {
        let res = h.send(get_with("/api/v1/me", &ended)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(h.send(get_with("/api/v1/me", &cookie)).await.status(), 200);
}

#[tokio::test]
async fn renames_and_answers_was_this_you() {
    let h = harness().await;
    let (cookie, user) = h.session("alice").await;
    // A device the account never used: "Was this you?" asks about it.
    let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    let (_, other) = h.session_on(user, phone).await;
    let path = format!("/api/v1/sessions/{other}");
    let res = h
        .send(call(
            Method::PATCH,
            &path,
            &cookie,
            Some(r#"{"name":"Work laptop"}"#),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let long = format!(r#"{{"name":"{}"}}"#, "x".repeat(61));
    let res = h
        .send(call(Method::PATCH, &path, &cookie, Some(&long)))
        .await;
    assert_eq!(kind(&problem(res, 400).await), "invalid_name");
    let res = h
        .send(call(
            Method::POST,
            &format!("{path}/confirm"),
            &cookie,
            None,
        ))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = h
        .send(call(
            Method::POST,
            &format!("{path}/confirm"),
            &cookie,
            None,
        ))
        .await;
    assert_eq!(kind(&problem(res, 409).await), "already_answered");
    let list = json(h.send(get_with("/api/v1/sessions", &cookie)).await).await;
    let card = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == other.as_str())
        .unwrap()
        .clone();
    assert_eq!(card["name"], "Work laptop");
    assert_eq!(card["answer"], "confirmed");
}

#[tokio::test]
async fn history_pages_by_cursor_and_refuses_a_forged_one() {
    let h = harness().await;
    let (cookie, user) = h.session("alice").await;
    for _ in 0..4 {
        h.clock.advance(chrono::Duration::seconds(1));
        h.second_session(user).await;
    }
    let first = json(
        h.send(get_with("/api/v1/sessions/history?limit=3", &cookie))
            .await,
    )
    .await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 3);
    let older = first["older"].as_str().unwrap();
    let next = h
        .send(get_with(
            &format!("/api/v1/sessions/history?limit=3&before={older}"),
            &cookie,
        ))
        .await;
    let next = json(next).await;
    assert_eq!(next["entries"].as_array().unwrap().len(), 2);
    assert!(next["older"].is_null());
    let ids: std::collections::HashSet<_> = first["entries"]
        .as_array()
        .unwrap()
        .iter()
        .chain(next["entries"].as_array().unwrap())
        .map(|e| e["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 5);
    let res = h
        .send(get_with("/api/v1/sessions/history?before=forged!", &cookie))
        .await;
    assert_eq!(kind(&problem(res, 400).await), "invalid_cursor");
    let res = h
        .send(get_with("/api/v1/sessions/history?limit=lots", &cookie))
        .await;
    assert_eq!(kind(&problem(res, 400).await), "invalid_cursor");
}

#[tokio::test]
async fn cross_site_cookie_calls_are_refused_as_problems() {
    let h = harness().await;
    let (cookie, user) = h.session("alice").await;
    let (_, other) = h.second_session(user).await;
    let path = format!("/api/v1/sessions/{other}");
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let req = Request::delete(path.as_str())
            .header(header::COOKIE, cookie.as_str())
            .header(name, value)
            .body(Body::empty())
            .unwrap();
        let res = h.send(req).await;
        assert_eq!(kind(&problem(res, 403).await), "cross_site");
    }
    // A cookie with no origin at all is not enough either.
    let req = Request::delete(path.as_str())
        .header(header::COOKIE, cookie.as_str())
        .body(Body::empty())
        .unwrap();
    assert_eq!(kind(&problem(h.send(req).await, 403).await), "cross_site");
    assert!(
        h.store
            .list_active_sessions(user)
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == other)
    );
}

#[tokio::test]
async fn repeated_wrong_proofs_are_rate_limited_with_retry_after() {
    let h = harness().await;
    let (cookie, _) = h.session("alice").await;
    let wrong = || {
        call(
            Method::POST,
            "/api/v1/reauthenticate",
            &cookie,
            Some(r#"{"proof":"nope nope nope"}"#),
        )
    };
    let mut limited = None;
    for _ in 0..30 {
        let res = h.send(wrong()).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(res);
            break;
        }
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = limited.expect("never rate limited");
    let secs: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    let body = problem(res, 429).await;
    assert_eq!(kind(&body), "rate_limited");
    assert_eq!(body["retry_after"], secs);
}

#[tokio::test]
async fn an_unknown_endpoint_is_a_404_problem() {
    let h = harness().await;
    let cookie = h.signed_in("alice").await;
    let res = h.send(get_with("/api/v1/nothing/here", &cookie)).await;
    assert_eq!(kind(&problem(res, 404).await), "no_endpoint");
}

/// The document is what the code makes (regenerate the committed copy
/// with `UPDATE_OPENAPI=1 cargo test -p server --test router openapi`),
/// and every operation in it is routed: without a session each answers
/// 401, never "no such endpoint".
#[tokio::test]
async fn the_openapi_document_matches_the_committed_copy_and_the_routes() {
    let made = server::api::openapi_json();
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path, &made).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    assert!(
        made == committed,
        "docs/openapi.json is stale: run UPDATE_OPENAPI=1 cargo test -p server --test router openapi"
    );
    let h = harness().await;
    let served = json(h.send(get("/api/v1/openapi.json")).await).await;
    let doc: Value = serde_json::from_str(&made).unwrap();
    assert_eq!(served, doc);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 7);
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let uri = path.replace("{id}", "some-id");
            let method: Method = method.to_uppercase().parse().unwrap();
            let req = Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let res = h.send(req).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {uri}");
        }
    }
}

impl Harness {
    /// An API token of the account signed in with `cookie`.
    async fn api_token(&self, cookie: &str, scope: sessions::TokenScope, days: u64) -> String {
        let by = self
            .store
            .authenticate(cookie.split_once('=').unwrap().1)
            .await
            .unwrap()
            .unwrap();
        let (token, _) = self
            .store
            .create_api_token(
                &by,
                "backup script",
                scope,
                std::time::Duration::from_secs(days * 86_400),
                "203.0.113.7".parse().unwrap(),
            )
            .await
            .unwrap();
        token.expose_secret().to_owned()
    }
}

/// A script's call with an API token: no cookie, no origin headers.
fn bearer(method: Method, path: &str, token: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn an_api_token_is_a_session_that_calls_the_api_by_its_scope() {
    let h = harness().await;
    let (cookie, user) = h.session("alice").await;
    let (phone, phone_id) = h.second_session(user).await;
    let read = h.api_token(&cookie, sessions::TokenScope::Read, 30).await;
    let manage = h.api_token(&cookie, sessions::TokenScope::Manage, 30).await;

    let me = json(h.send(bearer(Method::GET, "/api/v1/me", &read)).await).await;
    assert_eq!(
        (me["username"].as_str(), me["token_scope"].as_str()),
        (Some("alice"), Some("read"))
    );
    let res = h
        .send_from(
            "198.51.100.20:4000",
            bearer(Method::GET, "/api/v1/sessions", &read),
        )
        .await;
    let list = json(res).await;
    let cards = list["sessions"].as_array().unwrap();
    assert_eq!(cards.len(), 4, "{list}");
    let own = cards.iter().find(|s| s["this_device"] == true).unwrap();
    assert_eq!(own["auth_method"], "api_token");
    assert_eq!(own["name"], "backup script");
    assert!(own["expires_at"].is_string());
    // Each call is the token's use: last used from where it came.
    h.store.flush_activity().await.unwrap();
    let list = json(h.send(bearer(Method::GET, "/api/v1/sessions", &read)).await).await;
    let own = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["this_device"] == true)
        .unwrap()
        .clone();
    assert_eq!(own["ip"], "198.51.100.20");

    // Read may not end; manage may, with no origin and no proof of its own.
    let path = format!("/api/v1/sessions/{phone_id}");
    let res = h.send(bearer(Method::DELETE, &path, &read)).await;
    assert_eq!(kind(&problem(res, 403).await), "wrong_scope");
    h.clock.advance(chrono::Duration::minutes(30));
    let res = h.send(bearer(Method::DELETE, &path, &manage)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(h.send(get_with("/api/v1/me", &phone)).await.status(), 401);
    // A token cannot prove itself.
    let mut req = bearer(Method::POST, "/api/v1/reauthenticate", &manage);
    *req.body_mut() = Body::from(format!(r#"{{"proof":"{PASSWORD}"}}"#));
    req.headers_mut()
        .insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
    assert_eq!(kind(&problem(h.send(req).await, 403).await), "wrong_scope");
}

#[tokio::test]
async fn tokens_and_cookies_do_not_stand_in_for_each_other() {
    let h = harness().await;
    let (cookie, _) = h.session("alice").await;
    let token = h.api_token(&cookie, sessions::TokenScope::Manage, 30).await;
    // A browser's session token as a bearer, an API token as a cookie.
    let session_token = cookie.split_once('=').unwrap().1;
    let res = h
        .send(bearer(Method::GET, "/api/v1/me", session_token))
        .await;
    assert_eq!(kind(&problem(res, 401).await), "not_signed_in");
    let as_cookie = format!("{SESSION_COOKIE}={token}");
    let res = h.send(get_with("/api/v1/me", &as_cookie)).await;
    assert_eq!(kind(&problem(res, 401).await), "not_signed_in");
    // Outside the API a bearer signs nobody in: the page guard sends it away.
    let res = h.send(bearer(Method::GET, "/sessions", &token)).await;
    assert_eq!(location(&res), Some("/login"));
    // With a cookie as well, the cookie decides (and the origin check applies).
    let mut req = bearer(Method::POST, "/api/v1/sessions/sign-out-others", &token);
    req.headers_mut()
        .insert(header::COOKIE, cookie.parse().unwrap());
    assert_eq!(kind(&problem(h.send(req).await, 403).await), "cross_site");
}

#[tokio::test]
async fn an_ended_or_expired_token_is_refused_on_its_next_call() {
    let h = harness().await;
    let (cookie, user) = h.session("alice").await;
    let token = h.api_token(&cookie, sessions::TokenScope::Read, 30).await;
    let short = h.api_token(&cookie, sessions::TokenScope::Read, 1).await;
    let me = json(h.send(bearer(Method::GET, "/api/v1/me", &token)).await).await;
    let id = me["session_id"].as_str().unwrap().to_owned();
    assert_eq!(
        h.send(bearer(Method::GET, "/api/v1/me", &short))
            .await
            .status(),
        200
    );
    // Terminated on the board (the API here), refused at once.
    let res = h
        .send(call(
            Method::DELETE,
            &format!("/api/v1/sessions/{id}"),
            &cookie,
            None,
        ))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = h.send(bearer(Method::GET, "/api/v1/me", &token)).await;
    assert_eq!(kind(&problem(res, 401).await), "not_signed_in");
    let ended = h
        .store
        .session_history(user, &Default::default())
        .await
        .unwrap();
    assert!(
        ended
            .entries
            .iter()
            .any(|s| s.id == id && s.end_reason.is_some())
    );
    h.clock.advance(chrono::Duration::hours(25));
    let res = h.send(bearer(Method::GET, "/api/v1/me", &short)).await;
    assert_eq!(kind(&problem(res, 401).await), "not_signed_in");
}

#[tokio::test]
async fn each_token_is_rate_limited_on_its_own() {
    let h = harness().await;
    let (cookie, _) = h.session("alice").await;
    let busy = h.api_token(&cookie, sessions::TokenScope::Read, 30).await;
    let quiet = h.api_token(&cookie, sessions::TokenScope::Read, 30).await;
    let mut limited = None;
    for _ in 0..200 {
        let res = h.send(bearer(Method::GET, "/api/v1/me", &busy)).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(res);
            break;
        }
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = limited.expect("never rate limited");
    assert!(header(&res, "retry-after").is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
    assert_eq!(kind(&problem(res, 429).await), "rate_limited");
    assert_eq!(
        h.send(bearer(Method::GET, "/api/v1/me", &quiet))
            .await
            .status(),
        200
    );
    // The browser's session is not limited by its tokens.
    assert_eq!(h.send(get_with("/api/v1/me", &cookie)).await.status(), 200);
}
