//! What the session layer reads off a request: the client's address and
//! whether the request opens a page.
use app::contract::Page;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request};
use axum::http::{Method, header};
use sessions::{TrustedProxies, resolve_client_ip};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Client IP: forwarding headers only matter behind a trusted proxy.
pub fn client_ip(trusted: &TrustedProxies, req: &Request) -> IpAddr {
    let ext = req.extensions();
    let peer = ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        // What `oneshot` tests provide instead of a real connection.
        .or_else(|| ext.get::<MockConnectInfo<SocketAddr>>().map(|m| m.0))
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    if !trusted.contains(peer) {
        return sessions::client_ip::canonical(peer);
    }
    let values = |name| {
        req.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
    };
    let (xff, fwd) = (values("x-forwarded-for"), values("forwarded"));
    resolve_client_ip(peer, &xff, &fwd, trusted)
}

/// A full load of a page: a document GET of one of the [`Page`]s.
pub fn is_page_open(req: &Request) -> bool {
    if req.method() != Method::GET || !Page::at(req.uri().path()).is_some_and(Page::counts_as_visit)
    {
        return false;
    }
    let headers = req.headers();
    match headers.get("sec-fetch-dest").and_then(|v| v.to_str().ok()) {
        Some(dest) => dest == "document",
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html")),
    }
}

/// Static assets and the health checks: no session work at all.
pub fn is_untracked(path: &str) -> bool {
    path.starts_with("/pkg/")
        || matches!(
            path,
            "/favicon.svg" | "/favicon.ico" | "/robots.txt" | "/livez" | "/healthz"
        )
}
