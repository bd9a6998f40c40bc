//! Forward authentication: `/auth/verify`, which a reverse proxy (nginx
//! `auth_request`, Caddy `forward_auth`, Traefik `forwardAuth`) asks before
//! each request to a protected app. The session layer has authenticated
//! the cookie already; this reads which app the original request was for,
//! applies the app's rule, records the request as the session's activity
//! in that app, and answers with a status and headers only.
//!
//! Answers: `200` with `Remote-User`, `Remote-Name`, `Remote-Email`
//! (verified addresses only; empty otherwise) and `Remote-Session`; `401` not signed in;
//! `403` signed in but refused (unknown app, not on its `allow` list, or
//! a second factor required). Refusals carry `Location`, the page to send
//! the browser to (the login page with `rd`, or the page that says why),
//! for nginx's `error_page` (Authelia's convention); asked for a redirect
//! they are that `302` instead.
use crate::state::AppState;
use app::contract::{Page, query};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sessionboard_layer::{ClientIp, ProxyPeer};
use sessions::CurrentSession;
use sessions::apps::{App, Reach};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

const X_ORIGINAL_URL: HeaderName = HeaderName::from_static("x-original-url");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_URI: HeaderName = HeaderName::from_static("x-forwarded-uri");
const SEC_FETCH_DEST: HeaderName = HeaderName::from_static("sec-fetch-dest");
const REMOTE_USER: HeaderName = HeaderName::from_static("remote-user");
const REMOTE_NAME: HeaderName = HeaderName::from_static("remote-name");
const REMOTE_EMAIL: HeaderName = HeaderName::from_static("remote-email");
const REMOTE_SESSION: HeaderName = HeaderName::from_static("remote-session");

/// The URL the proxy was asked for: nginx's `X-Original-URL`, or the
/// `X-Forwarded-Proto`/`-Host`/`-Uri` Caddy and Traefik send.
fn original_url(headers: &HeaderMap) -> Option<String> {
    let get = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(url) = get(&X_ORIGINAL_URL) {
        return Some(url.to_owned());
    }
    let (proto, host) = (get(&X_FORWARDED_PROTO)?, get(&X_FORWARDED_HOST)?);
    let uri = get(&X_FORWARDED_URI).unwrap_or("/");
    // Several proxies in a row list theirs; the first is the client's.
    let first = |v: &str| v.split(',').next().unwrap_or("").trim().to_owned();
    Some(format!("{}://{}{}", first(proto), first(host), uri))
}

/// Whether to answer refusals with `302`: `?redirect=1` or `0` says; by
/// default the proxies that pass answers to the browser (Caddy, Traefik:
/// `X-Forwarded-*`) get redirects, nginx (`X-Original-URL`) statuses.
fn wants_redirect(req: &Request) -> bool {
    let asked = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "redirect")
            .map(|(_, v)| !matches!(&*v, "0" | "false" | "no"))
    });
    asked.unwrap_or_else(|| !req.headers().contains_key(X_ORIGINAL_URL))
}

fn encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A refusal: `status`, with where the browser should go (or `302` there).
fn refuse(status: StatusCode, to: String, redirect: bool) -> Response {
    let location = HeaderValue::from_str(&to).ok();
    let status = if redirect && location.is_some() {
        StatusCode::FOUND
    } else {
        status
    };
    let mut res = status.into_response();
    if let Some(location) = location {
        res.headers_mut().insert(header::LOCATION, location);
    }
    res
}

fn refused_page(state: &AppState, app: Option<&App>, why: &str) -> String {
    let mut to = format!(
        "{}{}?{}={why}",
        state.origin(),
        Page::AppRefused.path(),
        query::WHY
    );
    if let Some(app) = app {
        to.push_str(&format!("&{}={}", query::APP, encoded(&app.name)));
    }
    to
}

/// `/auth/verify` (any method: Traefik forwards the original one).
pub async fn verify(State(state): State<AppState>, req: Request) -> Response {
    // Timed here rather than by a layer: this route stays unlayered.
    let start = std::time::Instant::now();
    let res = answer(state, req).await;
    metrics::histogram!(crate::metrics::REQUEST_SECONDS, "class" => "verify")
        .record(start.elapsed().as_secs_f64());
    res
}

async fn answer(state: AppState, req: Request) -> Response {
    let current = req.extensions().get::<Arc<CurrentSession>>().cloned();
    // The session layer resolved the client, through the proxy if trusted.
    let ext = req.extensions();
    let ip = ext
        .get::<ClientIp>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0);
    let proxied = ext.get::<ProxyPeer>().is_some();
    // Only a trusted proxy says what the original request was.
    let original = if proxied {
        original_url(req.headers())
    } else {
        None
    };
    let redirect = wants_redirect(&req);
    let app = original.as_deref().and_then(|u| state.apps().for_url(u));
    let Some(current) = current else {
        let mut login = format!("{}{}", state.origin(), Page::Login.path());
        if let Some(back) = app.and(original.as_deref()) {
            login.push_str(&format!("?{}={}", query::RETURN, encoded(back)));
        }
        return refuse(StatusCode::UNAUTHORIZED, login, redirect);
    };
    let Some(app) = app else {
        if !proxied {
            tracing::warn!(peer = %ip, "/auth/verify asked by a peer outside TRUSTED_PROXIES: refused");
        }
        return refuse(
            StatusCode::FORBIDDEN,
            refused_page(&state, None, query::WHY_UNKNOWN),
            redirect,
        );
    };
    match app.reach(&current) {
        Reach::Allowed => {}
        Reach::NotAllowed => {
            let to = refused_page(&state, Some(app), query::WHY_NOT_ALLOWED);
            return refuse(StatusCode::FORBIDDEN, to, redirect);
        }
        Reach::SecondFactorRequired => {
            let to = refused_page(&state, Some(app), query::WHY_TWO_FACTOR);
            return refuse(StatusCode::FORBIDDEN, to, redirect);
        }
    }
    // A document the browser opened in the app is a page visited there.
    let page = req
        .headers()
        .get(SEC_FETCH_DEST)
        .is_some_and(|d| d.as_bytes() == b"document");
    state
        .store()
        .record_app_activity(&current, ip, page, app.shared_name());
    let email = match state.store().verified_email(current.user_id).await {
        Ok(email) => email,
        Err(e) => {
            tracing::error!(error = %e, "reading the address for Remote-Email failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let mut res = StatusCode::OK.into_response();
    let h = res.headers_mut();
    let user = HeaderValue::from_str(&current.username).ok();
    if let Some(user) = user {
        h.insert(REMOTE_USER, user.clone());
        h.insert(REMOTE_NAME, user);
    }
    // Always sent, empty without a verified address: Caddy before 2.9
    // passes a missing header's placeholder to the app literally.
    let email = email.and_then(|e| HeaderValue::from_str(&e).ok());
    h.insert(REMOTE_EMAIL, email.unwrap_or(HeaderValue::from_static("")));
    if let Ok(id) = HeaderValue::from_str(&current.public_id) {
        h.insert(REMOTE_SESSION, id);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn req(uri: &str, headers: &[(&str, &str)]) -> Request {
        let mut r = Request::get(uri);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::empty()).unwrap()
    }

    #[test]
    fn the_original_request_from_either_convention() {
        let nginx = req("/", &[("x-original-url", "https://wiki.example.com/a?b=1")]);
        assert_eq!(
            original_url(nginx.headers()).as_deref(),
            Some("https://wiki.example.com/a?b=1")
        );
        let caddy = req(
            "/",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "photos.example.com, inner"),
                ("x-forwarded-uri", "/album/1"),
            ],
        );
        assert_eq!(
            original_url(caddy.headers()).as_deref(),
            Some("https://photos.example.com/album/1")
        );
        assert_eq!(
            original_url(req("/", &[("x-forwarded-proto", "https")]).headers()),
            None
        );
    }

    #[test]
    fn redirects_by_default_only_for_the_forwarded_convention() {
        assert!(!wants_redirect(&req(
            "/auth/verify",
            &[("x-original-url", "https://a/")]
        )));
        assert!(wants_redirect(&req(
            "/auth/verify",
            &[("x-forwarded-host", "a")]
        )));
        assert!(!wants_redirect(&req(
            "/auth/verify?redirect=0",
            &[("x-forwarded-host", "a")]
        )));
        assert!(wants_redirect(&req(
            "/auth/verify?redirect=1",
            &[("x-original-url", "https://a/")]
        )));
    }
}
