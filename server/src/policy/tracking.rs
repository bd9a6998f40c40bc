//! What the session layer reads off a request: the client's address and
//! whether the request opens a page.
use crate::state::AppState;
use app::contract::Page;
use axum::extract::Request;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderName, Method, header};
use sessions::client_ip::{ProxyHeader, canonical};
use sessions::resolve_client_ip;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Client IP: the configured forwarding header only matters behind a
/// trusted proxy. `peer` is the connection's, when the service knows it.
pub fn client_ip(state: &AppState, peer: Option<SocketAddr>, req: &Request) -> IpAddr {
    let peer = peer_ip(peer, req);
    let trusted = state.trusted();
    if !trusted.contains(peer) {
        if trusted.is_empty() {
            warn_once_if_forwarded(state, req);
        }
        return canonical(peer);
    }
    let header = state.proxy_header();
    let values: Vec<&str> = req
        .headers()
        .get_all(header_name(header))
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    resolve_client_ip(peer, &values, header, trusted)
}

/// The connection's peer address (unspecified when unknown).
pub fn peer_ip(peer: Option<SocketAddr>, req: &Request) -> IpAddr {
    peer
        // What `oneshot` tests provide instead of a real connection.
        .or_else(|| {
            req.extensions()
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|m| m.0)
        })
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip())
}

/// The forwarding headers by name, built once (a lookup by `&str` parses
/// the name on every request).
static FORWARDING: [(ProxyHeader, HeaderName); 3] = [
    named(ProxyHeader::ALL[0]),
    named(ProxyHeader::ALL[1]),
    named(ProxyHeader::ALL[2]),
];

const fn named(h: ProxyHeader) -> (ProxyHeader, HeaderName) {
    (h, HeaderName::from_static(h.name()))
}

fn header_name(h: ProxyHeader) -> &'static HeaderName {
    let (_, name) = FORWARDING
        .iter()
        .find(|(p, _)| *p == h)
        .expect("every header is named");
    name
}

const SEC_FETCH_DEST: HeaderName = HeaderName::from_static("sec-fetch-dest");

/// Forwarding headers from a peer nobody trusts are ignored: say so once,
/// since behind a proxy it means every client looks like the proxy.
fn warn_once_if_forwarded(state: &AppState, req: &Request) {
    if state.warned_untrusted_forwarding() {
        return;
    }
    // A walk over the request's few names beats three hashed lookups.
    let forwarded = req
        .headers()
        .keys()
        .find_map(|k| FORWARDING.iter().find(|(_, name)| name == k));
    if let Some((h, _)) = forwarded
        && state.first_untrusted_forwarding()
    {
        tracing::warn!(
            header = h.name(),
            "a request carried a forwarding header but TRUSTED_PROXIES is empty: it is ignored \
             and clients are seen at the proxy's address. Set TRUSTED_PROXIES (and PROXY_HEADER) \
             if Sessionboard runs behind a proxy."
        );
    }
}

/// The [`Page`] a GET asks for, if any (a page open when it also
/// [`wants_html`]; the page guards apply to any GET of it).
pub fn page_of(req: &Request) -> Option<Page> {
    if req.method() != Method::GET {
        return None;
    }
    Page::at(req.uri().path())
}

/// A GET that a browser makes for a document (a page, or a not-found
/// page): it accepts `text/html` (every browser's navigation does) and,
/// where the browser says what the response is for, it is a document (so
/// a script's fetch that accepts HTML is not). `Accept` is read first: a
/// standard header's lookup is cheaper, and an API call's ends there.
pub fn wants_html(req: &Request) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let headers = req.headers();
    let accepts_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    accepts_html
        && headers
            .get(SEC_FETCH_DEST)
            .is_none_or(|dest| dest.as_bytes() == b"document")
}

/// Static assets and the health checks: no session work at all (and no
/// `no-store`: flags and icons are the same for everyone, so browsers may
/// keep them).
pub fn is_untracked(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/flags/")
        || path.starts_with("/icons/")
        || matches!(
            path,
            "/favicon.svg" | "/favicon.ico" | "/robots.txt" | "/livez" | "/healthz"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn get(headers: &[(&str, &str)]) -> Request {
        let mut req = Request::get("/sessions");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(Body::empty()).unwrap()
    }

    #[test]
    fn documents_are_told_apart_from_fetches_and_api_calls() {
        let html = "text/html,application/xhtml+xml,*/*;q=0.8";
        assert!(wants_html(&get(&[
            ("accept", html),
            ("sec-fetch-dest", "document")
        ])));
        // A browser that does not say what the response is for.
        assert!(wants_html(&get(&[("accept", html)])));
        // A script's fetch that accepts HTML.
        assert!(!wants_html(&get(&[
            ("accept", html),
            ("sec-fetch-dest", "empty")
        ])));
        assert!(!wants_html(&get(&[("accept", "*/*")])));
        assert!(!wants_html(&get(&[])));
        let mut head = get(&[("accept", html)]);
        *head.method_mut() = Method::HEAD;
        assert!(!wants_html(&head));
    }
}
