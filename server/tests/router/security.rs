//! The hardening rules at the HTTP boundary.
use crate::harness::*;
use axum::http::StatusCode;
use sessions::TrustedProxies;
use sessions::client_ip::ProxyHeader;

#[tokio::test]
async fn pages_carry_the_security_headers_and_their_scripts_the_nonce() {
    let h = harness().await;
    let res = h.send(page("/login", "")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = header(&res, "content-security-policy").unwrap().to_owned();
    for part in [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "'wasm-unsafe-eval'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert_eq!(header(&res, "x-frame-options"), Some("DENY"));
    assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&res, "referrer-policy"), Some("same-origin"));
    assert_eq!(
        header(&res, "strict-transport-security"),
        None,
        "http origin"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    let html = text(res).await;
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for s in scripts {
        assert!(
            s.contains(&format!("nonce=\"{nonce}\"")),
            "inline script without the nonce: {s:.80}"
        );
    }
    // Another page load, another nonce.
    let again = h.send(page("/login", "")).await;
    assert!(
        !header(&again, "content-security-policy")
            .unwrap()
            .contains(&nonce)
    );
}

#[tokio::test]
async fn what_is_not_a_page_gets_a_policy_that_allows_nothing() {
    let h = harness().await;
    let cookie = h.signed_in("strict").await;
    // An API answer and a health check: no nonce, nothing may load, run or
    // frame them.
    for req in [get_with("/api/ping", &cookie), get("/livez")] {
        let path = req.uri().path().to_owned();
        let res = h.send(req).await;
        let csp = header(&res, "content-security-policy").unwrap();
        for part in [
            "default-src 'none'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("script-src"), "{path}: {csp}");
        assert_eq!(header(&res, "x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
    }
    // HTML is a page whoever asked: the page's policy, without a nonce
    // when the request did not look like a document load.
    let res = h.send(get("/login")).await;
    assert!(
        header(&res, "content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let csp = header(&res, "content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(!csp.contains("'nonce-"), "{csp}");
}

#[tokio::test]
async fn a_cookie_with_no_origin_hints_is_refused() {
    let h = harness().await;
    let cookie = h.signed_in("silent").await;
    let bare = post("/api/sign_out_everywhere", &[("cookie", &cookie)], "");
    assert_eq!(h.send(bare).await.status(), StatusCode::FORBIDDEN);
    let from_us = post(
        "/api/sign_out_everywhere",
        &[("cookie", &cookie), ("origin", ORIGIN)],
        "",
    );
    assert_eq!(h.send(from_us).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn saturated_password_hashing_is_503_with_retry_after() {
    let mut config = test_config();
    config.hashing.permits = 1;
    config.hashing.max_wait = std::time::Duration::ZERO;
    config.hashing.memory_kib = 8 * 1024;
    config.hashing.iterations = 4;
    let h = harness_with(config, TrustedProxies::none(), ProxyHeader::default()).await;
    let logins = (0..8).map(|i| {
        h.send(post(
            "/api/login",
            &[],
            &format!("username=nobody{i}&password=whatever1"),
        ))
    });
    let responses = futures::future::join_all(logins).await;
    let busy: Vec<_> = responses
        .iter()
        .filter(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        !busy.is_empty(),
        "{:?}",
        responses.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    for r in busy {
        assert_eq!(header(r, "retry-after"), Some("1"));
    }
}

#[tokio::test]
async fn logout_ends_the_row_before_dropping_the_cookie() {
    let h = harness().await;
    let cookie = h.signed_in("leaver").await;
    let res = h.send(post_as("/api/logout", &cookie, "")).await;
    assert_eq!(
        header(&res, "clear-site-data"),
        Some("\"cookies\", \"storage\"")
    );
    assert!(header(&res, "set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(
        h.send(get_with("/sessions", &cookie)).await.status(),
        StatusCode::SEE_OTHER
    );

    // With the database down, the session is not ended: say so, keep the cookie.
    let cookie = h.signed_in("stayer").await;
    assert_eq!(
        h.send(get_with("/api/whoami", &cookie)).await.status(),
        StatusCode::OK
    );
    h.store.db().clone().close().await.unwrap();
    let res = h.send(post_as("/api/logout", &cookie, "")).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&res, "set-cookie"), None);
    assert_eq!(header(&res, "clear-site-data"), None);
}

#[tokio::test]
async fn logging_in_while_signed_in_ends_the_previous_session() {
    let h = harness().await;
    let (old, uid) = h.session("twice").await;
    let res = h
        .send(post_as(
            "/api/login",
            &old,
            &format!("username=twice&password={}", PASSWORD.replace(' ', "+")),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        header(&res, "set-cookie")
            .unwrap()
            .starts_with("__Host-sb_session=")
    );
    assert_eq!(
        h.send(get_with("/sessions", &old)).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(h.store.list_active_sessions(uid).await.unwrap().len(), 1);
}

#[tokio::test]
async fn only_the_configured_forwarding_header_is_believed() {
    let trusted = TrustedProxies::parse("203.0.113.7").unwrap();
    let h = harness_with(test_config(), trusted, ProxyHeader::Forwarded).await;
    let (cookie, uid) = h.session("proxied").await;
    h.clock.advance(chrono::Duration::seconds(1));
    let mut req = page("/sessions", &cookie);
    // The client sent its own X-Forwarded-For; the proxy set Forwarded.
    req.headers_mut()
        .insert("x-forwarded-for", "6.6.6.6".parse().unwrap());
    req.headers_mut()
        .insert("forwarded", "for=81.2.69.142;proto=https".parse().unwrap());
    assert_eq!(h.send(req).await.status(), StatusCode::OK);
    let s = &h.store.list_active_sessions(uid).await.unwrap()[0];
    assert_eq!(s.ip, "81.2.69.142");
}

/// Collects what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn forwarding_headers_without_trusted_proxies_are_ignored_with_one_warning() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // A current-thread runtime: everything below logs through this one.
    let _guard = tracing::subscriber::set_default(subscriber);
    let h = harness().await;
    let (cookie, uid) = h.session("unproxied").await;
    let warnings = || {
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        text.matches("no proxy is trusted").count()
    };
    assert_eq!(
        h.send(page("/sessions", &cookie)).await.status(),
        StatusCode::OK
    );
    assert_eq!(warnings(), 0, "no forwarding header, nothing to say");
    for _ in 0..3 {
        let mut req = page("/sessions", &cookie);
        req.headers_mut()
            .insert("x-forwarded-for", "81.2.69.142".parse().unwrap());
        assert_eq!(h.send(req).await.status(), StatusCode::OK);
    }
    assert_eq!(warnings(), 1, "said once");
    h.clock.advance(chrono::Duration::seconds(10));
    h.store.flush_activity().await.unwrap();
    let s = &h.store.list_active_sessions(uid).await.unwrap()[0];
    assert_eq!(
        s.ip,
        PEER.split(':').next().unwrap(),
        "the peer, not the header"
    );
}
