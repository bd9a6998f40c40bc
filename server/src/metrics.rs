//! Prometheus metrics on their own address (`METRICS_ADDR`, off by
//! default), so the scrape endpoint is never on the public listener. The
//! `metrics` facade records sign-ins and ends in the store, live streams
//! and request latency here; gauges that need a count (active sessions,
//! mail waiting) are read from the database per scrape.
use crate::StartError;
use app::contract::{EVENTS_PATH, Page, VERIFY_PATH};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sessions::SessionStore;
use std::time::Instant;

/// The request latency histogram's name.
pub const REQUEST_SECONDS: &str = "sessionboard_http_request_duration_seconds";

/// Installs the process's Prometheus recorder; call once, before serving.
pub fn install() -> Result<PrometheusHandle, StartError> {
    let buckets = [
        0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    ];
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.into()), &buckets)
        .and_then(|b| b.install_recorder())
        .map_err(|e| StartError::Metrics(e.to_string()))
}

/// The scrape endpoint, `GET /metrics`, for the metrics listener.
pub fn router(handle: PrometheusHandle, store: SessionStore) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state((handle, store))
}

async fn scrape(State((handle, store)): State<(PrometheusHandle, SessionStore)>) -> Response {
    let stats = store.stats();
    metrics::counter!("sessionboard_auth_cache_total", "result" => "hit")
        .absolute(stats.auth_cache_hits);
    metrics::counter!("sessionboard_auth_cache_total", "result" => "miss")
        .absolute(stats.auth_cache_misses);
    metrics::gauge!("sessionboard_cluster_listener_up").set(f64::from(u8::from(stats.listener_up)));
    match store.active_session_count().await {
        Ok(n) => metrics::gauge!("sessionboard_active_sessions").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "metrics: active sessions not counted"),
    }
    match store.mail_queue_depth().await {
        Ok(n) => metrics::gauge!("sessionboard_mail_queue_depth").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "metrics: mail queue not counted"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// The class of a request's path, the latency histogram's one label (a
/// bounded set: never the path itself).
pub fn route_class(path: &str) -> &'static str {
    if path == VERIFY_PATH {
        "verify"
    } else if path == EVENTS_PATH {
        "events"
    } else if Page::at(path).is_some() || Page::at(path.trim_end_matches('/')).is_some() {
        "page"
    } else if path.starts_with("/api/") {
        "api"
    } else if path.starts_with("/admin/") {
        "admin"
    } else if path.starts_with("/pkg/") || path.starts_with("/flags/") || path.contains('.') {
        "asset"
    } else {
        "other"
    }
}

/// Records how long each request took to answer, by route class.
pub async fn track(req: Request, next: Next) -> Response {
    let class = route_class(req.uri().path());
    let start = Instant::now();
    let res = next.run(req).await;
    metrics::histogram!(REQUEST_SECONDS, "class" => class).record(start.elapsed().as_secs_f64());
    res
}

/// One open live stream, counted while it lives.
pub struct OpenStream(());

impl OpenStream {
    /// Counts a stream opening; the count drops with the value.
    pub fn open() -> Self {
        metrics::gauge!("sessionboard_live_streams").increment(1.0);
        Self(())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!("sessionboard_live_streams").decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::route_class;

    #[test]
    fn paths_fall_into_a_few_classes() {
        assert_eq!(route_class("/sessions"), "page");
        assert_eq!(route_class("/admin/users"), "page");
        assert_eq!(route_class("/auth/verify"), "verify");
        assert_eq!(route_class("/api/events"), "events");
        assert_eq!(route_class("/api/login"), "api");
        assert_eq!(route_class("/admin/audit.jsonl"), "admin");
        assert_eq!(route_class("/pkg/sessionboard.wasm"), "asset");
        assert_eq!(route_class("/no/such/thing"), "other");
    }
}
