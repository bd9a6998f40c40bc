//! Sessionboard's settings of the layer crate's `SessionLayer`.
use super::headers::HeaderPolicy;
use super::tracking;
use crate::api::problem::{Problem, is_api};
use app::contract::{API_PREFIX, Page, VERIFY_PATH};
use app::messages;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sessionboard_layer::{Activity, Counts, Refusal, SessionLayer};
use sessions::client_ip::ProxyHeader;
use sessions::{SessionStore, TrustedProxies};
use std::sync::Arc;

/// The session layer (the `sessionboard-layer` crate, as any app embeds
/// it) with Sessionboard's settings: its cookie, origin and proxies;
/// assets and health checks passed through; what counts as a page
/// visited; API tokens on the JSON API; refusals as pages or problems.
pub fn session_layer(
    store: &SessionStore,
    origin: &str,
    cookie_name: &str,
    trusted: (TrustedProxies, ProxyHeader),
    headers: HeaderPolicy,
) -> Result<SessionLayer, sessionboard_layer::LayerError> {
    SessionLayer::builder(store.clone(), origin)
        .cookie_name(cookie_name)
        .trusted_proxies(trusted.0, trusted.1)
        .activity(Activity::Custom(Arc::new(activity)))
        .bearer_tokens(API_PREFIX)
        .pass_through(tracking::is_untracked)
        // The proxy's question is no state change of ours (and Traefik
        // forwards the original method).
        .without_origin_check(VERIFY_PATH)
        .refusals(move |why, req| headers.tracked(refusal(why, req.uri().path()), None))
        .build()
}

/// Only what a person does moves last activity: page loads and actions.
/// The live stream and the board's own refreshes do not, or an open tab
/// would keep its session alive forever; the proxy's question records
/// the app's activity in its handler.
fn activity(req: &Request) -> Counts {
    if req.uri().path() == VERIFY_PATH {
        Counts::Nothing
    } else if tracking::wants_html(req) && tracking::page_of(req).is_some_and(Page::counts_as_visit)
    {
        Counts::PageVisit
    } else if matches!(*req.method(), Method::GET | Method::HEAD) {
        Counts::Nothing
    } else {
        Counts::Action
    }
}

fn refusal(why: Refusal, path: &str) -> Response {
    let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    match why {
        Refusal::CrossSite if is_api(path) => Problem::cross_site().into_response(),
        Refusal::CrossSite => (StatusCode::FORBIDDEN, plain, messages::CROSS_SITE).into_response(),
        Refusal::RateLimited { retry_after } => Problem::rate_limited(retry_after).into_response(),
        Refusal::DatabaseDown => (
            StatusCode::SERVICE_UNAVAILABLE,
            plain,
            messages::DATABASE_DOWN,
        )
            .into_response(),
    }
}
