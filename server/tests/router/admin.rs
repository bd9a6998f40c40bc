//! The admin console through the router: the gate says what is missing,
//! an administrator's form ends another account's session, the audit
//! export is JSON lines for administrators only.
use crate::harness::*;
use axum::http::StatusCode;
use sessions::{AuditQueue, EndReason, HistoryQuery};

#[tokio::test]
async fn the_console_says_what_is_missing() {
    let h = harness().await;
    let (bob, _) = h.session("bob").await;
    let html = text(h.send(page("/admin", &bob)).await).await;
    assert!(html.contains("This page is for administrators"), "{html}");
    assert!(html.contains("sessionboard admin grant USERNAME"));
    // An administrator signed in with the password alone.
    h.store.grant_admin("bob").await.unwrap();
    let html = text(h.send(page("/admin", &bob)).await).await;
    assert!(
        html.contains("needs a sign-in with a second factor"),
        "{html}"
    );
    assert!(!html.contains("Audit log"));
    // With a second factor and a fresh proof: the console.
    let (alice, _) = h.strong_session("alice", None).await;
    h.store.grant_admin("alice").await.unwrap();
    let html = text(h.send(page("/admin", &alice)).await).await;
    assert!(html.contains("href=\"/admin/users\""), "{html}");
    assert!(html.contains("href=\"/admin/audit\""));
    // The proof ages: it asks for a code first.
    h.clock.advance(chrono::Duration::minutes(11));
    let html = text(h.send(page("/admin/users", &alice)).await).await;
    assert!(
        html.contains("Confirm it&#x27;s you") || html.contains("Confirm it's you"),
        "{html}"
    );
    assert!(html.contains("one-time-code"));
    assert!(!html.contains("bob"));
}

#[tokio::test]
async fn an_administrators_form_ends_another_accounts_session() {
    let h = harness().await;
    let (alice, _) = h.strong_session("alice", None).await;
    h.store.grant_admin("alice").await.unwrap();
    let (bob, bob_id) = h.session("bob").await;
    let (carol, _) = h.session("carol").await;
    let id = h.store.list_active_sessions(bob_id).await.unwrap()[0]
        .id
        .clone();
    let html = text(h.send(page("/admin/users?user=bob", &alice)).await).await;
    assert!(html.contains(&id), "the account page lists the session");

    // Someone who is no administrator: refused, nothing ends.
    let res = h
        .send(post_as(
            "/api/admin_terminate",
            &carol,
            &format!("user=bob&id={id}"),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(h.store.list_active_sessions(bob_id).await.unwrap().len(), 1);
    // Cross-site, even an administrator's cookie does nothing.
    let cross = post(
        "/api/admin_terminate",
        &[("cookie", alice.as_str()), ("sec-fetch-site", "cross-site")],
        &format!("user=bob&id={id}"),
    );
    assert_eq!(h.send(cross).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(h.store.list_active_sessions(bob_id).await.unwrap().len(), 1);

    let res = h
        .send(post_as(
            "/api/admin_terminate",
            &alice,
            &format!("user=bob&id={id}"),
        ))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(
        h.store
            .list_active_sessions(bob_id)
            .await
            .unwrap()
            .is_empty()
    );
    let history = h
        .store
        .session_history(bob_id, &HistoryQuery::default())
        .await
        .unwrap();
    assert_eq!(
        history.entries[0].end_reason,
        Some(EndReason::ByAdministrator)
    );
    // Bob's browser is signed out; his history says who ended it.
    let res = h.send(page("/sessions", &bob)).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(location(&res).unwrap().starts_with("/login"));
}

#[tokio::test]
async fn the_audit_export_is_json_lines_for_administrators_only() {
    let h = harness().await;
    let queue = AuditQueue::new();
    let _capture = sessions::testing::capture(&queue);
    h.store.keep_audit(queue);
    let (alice, _) = h.strong_session("alice", None).await;
    h.store.grant_admin("alice").await.unwrap();
    let (bob, _) = h.session("bob").await;
    h.store.write_audit().await.unwrap();

    assert_eq!(
        h.send(get("/admin/audit.jsonl")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.send(get_with("/admin/audit.jsonl", &bob)).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = h
        .send(get_with("/admin/audit.jsonl?user=bob", &alice))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        header(&res, "content-type"),
        Some("application/jsonl; charset=utf-8")
    );
    let body = text(res).await;
    let lines: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l["user"] == "bob"), "{body}");
    assert!(lines.iter().any(|l| l["kind"] == "account registered"));
    // No session token, password or hash, ever.
    for secret in [
        bob.split_once('=').unwrap().1,
        alice.split_once('=').unwrap().1,
        PASSWORD,
        "$argon2",
    ] {
        assert!(!body.contains(secret));
    }
    // The page shows the same rows, and a bad date is a clear refusal.
    let html = text(h.send(page("/admin/audit?user=bob", &alice)).await).await;
    assert!(html.contains("account registered"));
    let res = h
        .send(get_with("/admin/audit.jsonl?since=yesterday", &alice))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_administrator_locked_out_by_another_loses_the_console() {
    let h = harness().await;
    let (alice, _) = h.strong_session("alice", None).await;
    let (bob, _) = h.strong_session("bob", None).await;
    h.store.grant_admin("alice").await.unwrap();
    h.store.grant_admin("bob").await.unwrap();
    let html = text(h.send(page("/admin", &bob)).await).await;
    assert!(html.contains("href=\"/admin/audit\""), "bob is in");
    // Bob may not lock himself; Alice locks him.
    let res = h.send(post_as("/api/admin_lock", &bob, "user=bob")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = h.send(post_as("/api/admin_lock", &alice, "user=bob")).await;
    assert!(res.status().is_success(), "{}", res.status());
    // His session is over: the console sends him to the login page, his
    // forms do nothing, and his password no longer signs in.
    let res = h.send(page("/admin", &bob)).await;
    assert!(res.status().is_redirection());
    assert!(location(&res).unwrap().starts_with("/login"));
    let res = h.send(post_as("/api/admin_lock", &bob, "user=alice")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let facts = sessions::RequestFacts {
        user_agent: UA.into(),
        ip: "203.0.113.7".parse().unwrap(),
        app: None,
    };
    assert!(matches!(
        h.store.login("bob", PASSWORD, &facts).await,
        Err(sessions::StoreError::AccountLocked)
    ));
    let html = text(h.send(page("/admin", &alice)).await).await;
    assert!(html.contains("href=\"/admin/audit\""), "alice still is");
}

#[tokio::test]
async fn the_administrators_stream_and_data_are_for_administrators_only() {
    let h = harness().await;
    let (bob, _) = h.session("bob").await;
    let (alice, _) = h.strong_session("alice", None).await;
    h.store.grant_admin("alice").await.unwrap();
    assert_eq!(
        h.send(get("/admin/events")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.send(get_with("/admin/events", &bob)).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = h.send(get_with("/admin/events", &alice)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-type"), Some("text/event-stream"));
    // The page's refetch: the filtered sessions as data.
    let data = "/api/admin_sessions_data?query=device%3DDesktop";
    assert_eq!(
        h.send(get_with(data, &bob)).await.status(),
        StatusCode::FORBIDDEN
    );
    let body = text(h.send(get_with(data, &alice)).await).await;
    assert!(body.contains("\"user\":\"bob\""), "{body}");
}
