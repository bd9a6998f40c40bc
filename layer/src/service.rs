//! [`SessionService`]: the session rules around an app, per request.
//! Cross-site state changes are refused; the session cookie (or, where
//! enabled, an API token) is authenticated through the store's cache; the
//! client IP is resolved; what counts as activity is recorded; and the
//! session and the IP are handed to the handlers ([`crate::extract`]).
//!
//! A hand-written tower service rather than `middleware::from_fn`, because
//! it runs on every request: a session found in the authentication cache
//! is handled without cloning the inner service or boxing a future (the
//! figure that justified it is in Sessionboard's PERFORMANCE.md, "Why some
//! code is hand-written"). Only a cache miss takes the boxed path.
use crate::config::{Config, Counts, Refusal, changes_state};
use crate::extract::{ClientIp, ProxyPeer};
use crate::{SessionLayer, credentials, origin};
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use futures::future::{BoxFuture, Either, Ready, ready};
use http::{Extensions, HeaderName};
use sessions::client_ip::{ProxyHeader, canonical};
use sessions::{CurrentSession, DigestMemo};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use tower::{Layer, Service};

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> SessionService<S> {
        SessionService {
            inner,
            conn: Arc::new(Connection::new(self.clone(), None)),
        }
    }
}

/// The service [`SessionLayer`] wraps around an app.
///
/// Cloned for every request (hyper's glue does), so what a request reads
/// sits behind one `Arc` per connection when it is served through
/// [`Connections`](crate::Connections).
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    conn: Arc<Connection>,
}

/// What the layer knows of one connection.
struct Connection {
    layer: SessionLayer,
    /// The peer, when served through [`crate::Connections`] (otherwise
    /// read from a `ConnectInfo` or, in tests, `MockConnectInfo`).
    peer: Option<SocketAddr>,
    /// The last credential's digest: a browser sends the same cookie on
    /// every request of a keep-alive connection.
    digests: DigestMemo,
}

impl Connection {
    fn new(layer: SessionLayer, peer: Option<SocketAddr>) -> Self {
        Self {
            layer,
            peer,
            digests: DigestMemo::default(),
        }
    }
}

impl<S> SessionService<S> {
    /// This service for one connection from `peer`: the peer is known
    /// without an extension, and the credential's digest is remembered for
    /// the connection.
    pub fn for_peer(&self, peer: SocketAddr) -> Self
    where
        S: Clone,
    {
        Self {
            inner: self.inner.clone(),
            conn: Arc::new(Connection::new(self.conn.layer.clone(), Some(peer))),
        }
    }

    /// The layer it runs.
    pub fn layer(&self) -> &SessionLayer {
        &self.conn.layer
    }
}

type Reply = Result<Response, Infallible>;
/// The inner service's call, or the layer's own answer.
type Admitted<F> = Either<F, Ready<Reply>>;

impl<S> Service<Request> for SessionService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Admitted<S::Future>, BoxFuture<'static, Reply>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let conn = &*self.conn;
        let config = &*conn.layer.0;
        let changes = changes_state(req.method());
        let cookie_name = config.cookie.name();
        // An API token, only where enabled and only without a cookie: it
        // is never sent by a browser on its own, so no origin check
        // applies. (In this order, so that pages pay one comparison.)
        let bearer = config.bearer_allowed(req.uri().path())
            && credentials::bearer(req.headers()).is_some()
            && credentials::named_cookie(req.headers(), cookie_name).is_none();
        if changes && !bearer && !config.no_origin_check.iter().any(|p| p == req.uri().path()) {
            let has_cookie = credentials::named_cookie(req.headers(), cookie_name).is_some();
            if !origin::state_change_allowed(req.headers(), &config.origin, has_cookie) {
                tracing::warn!(path = req.uri().path(), "refused a cross-site request");
                let refusal = config.refuse(Refusal::CrossSite, &req);
                return Either::Left(Either::Right(ready(Ok(refusal))));
            }
        }
        if config
            .untouched
            .as_ref()
            .is_some_and(|t| t(req.uri().path()))
        {
            return Either::Left(Either::Left(self.inner.call(req)));
        }
        presize_extensions(&mut req);
        let ip = client_ip(config, conn.peer, &mut req);
        req.extensions_mut().insert(ClientIp(ip));
        // A value without a token's exact shape is no session: never
        // hashed, never looked up. Hashed once per connection, for the
        // cache and the database alike.
        let credential = if bearer {
            credentials::bearer(req.headers())
        } else {
            credentials::named_cookie(req.headers(), cookie_name)
        };
        let digest = match credential.and_then(|v| conn.digests.of_cookie(v)) {
            None => return Either::Left(admit(&mut self.inner, config, req, None, bearer, ip)),
            Some(digest) => match config.store.authenticate_cached_digest(&digest) {
                Some(hit) => {
                    let hit = Some(hit);
                    return Either::Left(admit(&mut self.inner, config, req, hit, bearer, ip));
                }
                None => digest,
            },
        };
        // A database read: the future owns a ready copy of the inner service.
        let ready_copy = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready_copy);
        let layer = conn.layer.clone();
        Either::Right(Box::pin(async move {
            let config = &*layer.0;
            match config.store.authenticate_digest(digest).await {
                Ok(found) => admit(&mut inner, config, req, found.map(Arc::new), bearer, ip).await,
                Err(e) => {
                    tracing::error!(error = %e, "session lookup failed");
                    Ok(config.refuse(Refusal::DatabaseDown, &req))
                }
            }
        }))
    }
}

/// Records what the person did and hands the session to the handlers;
/// refuses a token over its rate limit.
fn admit<S>(
    inner: &mut S,
    config: &Config,
    mut req: Request,
    current: Option<Arc<CurrentSession>>,
    bearer: bool,
    ip: IpAddr,
) -> Admitted<S::Future>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    // A bearer must be an API token, a cookie a browser's session.
    if let Some(current) = current.filter(|c| c.scope.is_some() == bearer) {
        let counts = if bearer {
            if let Err(retry_after) = config.token_limits.check(&current.public_id) {
                let refusal = config.refuse(Refusal::RateLimited { retry_after }, &req);
                return Either::Right(ready(Ok(refusal)));
            }
            // A token's every call is its use (last used, IP, country).
            Counts::Action
        } else {
            config.activity.of(&req)
        };
        if counts != Counts::Nothing {
            let visit = counts == Counts::PageVisit;
            config.store.record_activity(&current, ip, visit);
        }
        req.extensions_mut().insert(current);
    }
    Either::Left(inner.call(req))
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

/// The client: the peer, or what a trusted proxy says (then the proxy's
/// address goes into the request as [`ProxyPeer`]).
fn client_ip(config: &Config, peer: Option<SocketAddr>, req: &mut Request) -> IpAddr {
    let peer = peer_ip(peer, req);
    if !config.trusted.contains(peer) {
        if config.trusted.is_empty() {
            warn_once_if_forwarded(config, req);
        }
        return canonical(peer);
    }
    let header = config.proxy_header;
    let name = FORWARDING
        .iter()
        .find_map(|(h, name)| (*h == header).then_some(name))
        .expect("every header is named");
    let values: Vec<&str> = req
        .headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ip = sessions::resolve_client_ip(peer, &values, header, &config.trusted);
    req.extensions_mut().insert(ProxyPeer(peer));
    ip
}

/// The connection's peer address (unspecified when unknown).
fn peer_ip(peer: Option<SocketAddr>, req: &Request) -> IpAddr {
    let ext = req.extensions();
    peer.or_else(|| ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0))
        .or_else(|| ext.get::<MockConnectInfo<SocketAddr>>().map(|m| m.0))
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip())
}

/// Forwarding headers from a peer nobody trusts are ignored: say so once,
/// since behind a proxy it means every client looks like the proxy.
fn warn_once_if_forwarded(config: &Config, req: &Request) {
    if config.warned_forwarding.load(Ordering::Relaxed) {
        return;
    }
    // A walk over the request's few names beats three hashed lookups.
    let forwarded = req
        .headers()
        .keys()
        .find_map(|k| FORWARDING.iter().find(|(_, name)| name == k));
    if let Some((h, _)) = forwarded
        && !config.warned_forwarding.swap(true, Ordering::Relaxed)
    {
        tracing::warn!(
            header = h.name(),
            "a request carried a forwarding header but no proxy is trusted: it is ignored \
             and clients are seen at the proxy's address. Trust the proxy (Sessionboard: \
             TRUSTED_PROXIES and PROXY_HEADER) if the app runs behind one."
        );
    }
}

/// Makes room in the request's extensions for what the layer and its app
/// put in (client IP, session, a page's nonce) and the three entries
/// axum's router adds (`OriginalUri`, `MatchedPath`, `UrlParams`):
/// otherwise the fourth entry grows the map. The empty map is cloned with
/// its capacity from one made at start.
fn presize_extensions(req: &mut Request) {
    static ROOMY: LazyLock<Extensions> = LazyLock::new(|| {
        #[derive(Clone)]
        struct Slot<const N: u8>;
        let mut e = Extensions::new();
        e.insert(Slot::<0>);
        e.insert(Slot::<1>);
        e.insert(Slot::<2>);
        e.insert(Slot::<3>);
        e.insert(Slot::<4>);
        e.insert(Slot::<5>);
        e.clear();
        e
    });
    if req.extensions().is_empty() {
        *req.extensions_mut() = ROOMY.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    #[test]
    fn presized_extensions_are_empty_and_hold_what_is_put_in() {
        let mut req = Request::get("/").body(Body::empty()).unwrap();
        presize_extensions(&mut req);
        assert!(req.extensions().is_empty());
        req.extensions_mut().insert(7u32);
        presize_extensions(&mut req);
        assert_eq!(req.extensions().get::<u32>(), Some(&7));
        assert_eq!(req.extensions().len(), 1);
    }
}
