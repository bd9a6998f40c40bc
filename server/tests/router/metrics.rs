//! The Prometheus scrape: sign-ins by result and method, ends by reason,
//! active sessions, the authentication cache and request latency by class.
use crate::harness::*;
use metrics_exporter_prometheus::PrometheusHandle;
use sessions::RequestFacts;
use std::sync::OnceLock;
use tower::ServiceExt;

/// The process's recorder: installed once for the whole test binary.
fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| server::metrics::install().unwrap())
        .clone()
}

/// The sample lines of `name` that carry every label of `labels`.
fn samples<'a>(body: &'a str, name: &str, labels: &[&str]) -> Vec<&'a str> {
    body.lines()
        .filter(|l| l.starts_with(name) && labels.iter().all(|want| l.contains(want)))
        .collect()
}

#[tokio::test]
async fn the_scrape_counts_sign_ins_ends_sessions_and_latency() {
    let handle = handle();
    let h = harness().await;
    let (cookie, _) = h.session("alice").await;
    let facts = RequestFacts {
        user_agent: UA.into(),
        ip: "203.0.113.9".parse().unwrap(),
        app: None,
    };
    assert!(h.store.login("alice", "not it", &facts).await.is_err());
    h.send(page("/sessions", &cookie)).await;
    h.send(page("/sessions", &cookie)).await;
    let current = h
        .store
        .authenticate(cookie.split_once('=').unwrap().1)
        .await
        .unwrap()
        .unwrap();
    h.store.log_out(&current).await.unwrap();

    let scrape = server::metrics::router(handle, h.store.clone());
    let res = scrape.oneshot(get("/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    let body = text(res).await;
    let sign_ins = "sessionboard_sign_ins_total{";
    assert!(
        !samples(
            &body,
            sign_ins,
            &["result=\"success\"", "method=\"password\""]
        )
        .is_empty(),
        "{body}"
    );
    assert!(!samples(&body, sign_ins, &["result=\"wrong_credentials\""]).is_empty());
    assert!(
        !samples(
            &body,
            "sessionboard_session_ends_total{",
            &["reason=\"signed_out\""]
        )
        .is_empty()
    );
    // Read from this store's database at the scrape: alice signed out.
    assert!(
        body.lines().any(|l| l == "sessionboard_active_sessions 0"),
        "{body}"
    );
    assert!(!samples(&body, "sessionboard_auth_cache_total{", &["result=\"hit\""]).is_empty());
    assert!(body.contains("sessionboard_cluster_listener_up 1"));
    assert!(body.contains("sessionboard_mail_queue_depth 0"));
    let latency = "sessionboard_http_request_duration_seconds_bucket{";
    assert!(
        !samples(&body, latency, &["class=\"page\""]).is_empty(),
        "{body}"
    );
    // A Prometheus text-format parser reads all of it.
    let lines = body.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid exposition format");
    let active = scrape
        .samples
        .iter()
        .find(|s| s.metric == "sessionboard_active_sessions")
        .expect("active sessions sampled");
    assert!(matches!(active.value, prometheus_parse::Value::Gauge(v) if v == 0.0));
    let page_latency = scrape.samples.iter().find(|s| {
        s.metric == "sessionboard_http_request_duration_seconds"
            && s.labels.get("class") == Some("page")
    });
    assert!(
        matches!(
            page_latency.map(|s| &s.value),
            Some(prometheus_parse::Value::Histogram(_))
        ),
        "{body}"
    );
}
