//! The CSRF origin check in front of every state-changing request.
use crate::harness::*;
use axum::http::StatusCode;

#[tokio::test]
async fn origin_matrix_for_state_changing_requests() {
    let h = harness().await;
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], StatusCode);
    let cases: &[Case] = &[
        (
            "same-origin",
            &[("sec-fetch-site", "same-origin")],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "cross-site",
            &[("sec-fetch-site", "cross-site"), ("origin", ORIGIN)],
            StatusCode::FORBIDDEN,
        ),
        (
            "same-site, other port",
            &[
                ("sec-fetch-site", "same-site"),
                ("origin", "http://localhost:4000"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "Origin: null with a same-origin Referer",
            &[
                ("origin", "null"),
                ("referer", "http://localhost:3000/sessions"),
            ],
            StatusCode::UNAUTHORIZED,
        ),
        (
            "Origin: null alone",
            &[("origin", "null")],
            StatusCode::FORBIDDEN,
        ),
        ("no browser headers", &[], StatusCode::UNAUTHORIZED),
        (
            "look-alike host",
            &[("origin", "http://localhost:3000.evil.com")],
            StatusCode::FORBIDDEN,
        ),
        (
            "userinfo trick",
            &[("origin", "http://localhost:3000@evil.com")],
            StatusCode::FORBIDDEN,
        ),
        (
            "foreign Referer",
            &[("referer", "http://evil.example/x")],
            StatusCode::FORBIDDEN,
        ),
    ];
    for (name, headers, want) in cases {
        let res = h
            .send(post("/api/terminate_session", headers, "id=x"))
            .await;
        // Allowed requests reach the server function, which wants a session.
        assert_eq!(res.status(), *want, "{name}");
        if *want == StatusCode::FORBIDDEN {
            assert!(text(res).await.starts_with("Refused"), "{name}");
        }
    }
}

#[tokio::test]
async fn reads_are_not_origin_checked_but_the_live_stream_is() {
    let h = harness().await;
    let cookie = h.signed_in("reader").await;
    let mut req = get_with("/api/events", &cookie);
    req.headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    assert_eq!(h.send(req).await.status(), StatusCode::FORBIDDEN);
    let mut req = get_with("/api/whoami", &cookie);
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(h.send(req).await.status(), StatusCode::OK);
}
