//! Page guards and exact status codes of the routes.
use crate::harness::*;
use axum::http::StatusCode;

#[tokio::test]
async fn pages_redirect_by_who_may_open_them() {
    let h = harness().await;
    let cookie = h.signed_in("guard").await;
    let signed_out = [
        ("/", "/login"),
        ("/sessions", "/login"),
        ("/account/password", "/login"),
    ];
    for (path, to) in signed_out {
        let res = h.send(get(path)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), Some(to), "{path}");
    }
    for path in ["/login", "/register"] {
        assert_eq!(h.send(get(path)).await.status(), StatusCode::OK, "{path}");
        let res = h.send(get_with(path, &cookie)).await;
        assert_eq!(location(&res), Some("/sessions"), "{path} signed in");
    }
    let res = h.send(get_with("/", &cookie)).await;
    assert_eq!(location(&res), Some("/sessions"));
    let res = h.send(page("/sessions", &cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = text(res).await;
    assert!(html.contains("This device"), "the board is rendered");
    assert!(html.contains("data-field=\"pages-visited\""));
}

#[tokio::test]
async fn exact_status_codes() {
    let h = harness().await;
    assert_eq!(
        h.send(get("/api/terminate_session")).await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        h.send(get("/api/sign_out_everywhere")).await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        h.send(get("/no/such/page")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(h.send(get("/healthz")).await.status(), StatusCode::OK);
}
