//! The request policy around the whole app, by concern: the origin check
//! ([`origin`]), the session cookie ([`cookie`]) and what is tracked of a
//! request ([`tracking`]), page guards ([`guards`]) and response headers
//! ([`headers`]). [`SessionService`] runs them in that order.
pub mod guards;
pub mod headers;
pub mod tracking;

/// The credentials in a request and the origin check: the layer crate's.
pub use sessionboard_layer::{credentials as cookie, origin};

use crate::api::problem::is_api;
use crate::state::AppState;
use app::contract::{Page, VERIFY_PATH};
use app::messages;
use app::session::ClientIp;
use axum::extract::Request;
use axum::http::{Extensions, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::future::{BoxFuture, Either, Ready, ready};
use headers::{CspNonce, WithHeaders};
use sessions::{CurrentSession, DigestMemo};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// Wraps a service in [`SessionService`].
#[derive(Clone)]
pub struct SessionLayer(pub AppState);

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> SessionService<S> {
        SessionService {
            inner,
            conn: Arc::new(Connection::new(self.0.clone(), None)),
        }
    }
}

/// Refuses cross-site state-changing requests (403); then, except for
/// static assets and health checks, authenticates the session cookie,
/// resolves the client IP, records what a person did (page loads and
/// actions) in memory, puts [`ClientIp`] and the `CurrentSession` into the
/// request for handlers and server functions, guards the pages, and adds
/// the response headers (security headers everywhere; `no-store` where
/// the session matters).
///
/// A hand-written tower service rather than `middleware::from_fn` because
/// it runs on every request: a session found in the authentication cache
/// is handled without cloning the inner service or boxing a future (the
/// figure that justified it is in PERFORMANCE.md). Only a cache miss takes
/// the boxed path.
///
/// Cloned for every request (hyper's glue does), so what a request reads
/// sits behind one `Arc` per connection: its reference count is touched by
/// that connection alone, not by every thread as the shared state's is.
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    conn: Arc<Connection>,
}

/// What the policy knows of one connection.
struct Connection {
    state: AppState,
    /// The connection's peer, when served by [`crate::Connections`] (tests
    /// give it as a `MockConnectInfo` extension instead).
    peer: Option<SocketAddr>,
    /// The last session cookie's digest: a browser sends the same cookie
    /// on every request of a keep-alive connection.
    digests: DigestMemo,
}

impl Connection {
    fn new(state: AppState, peer: Option<SocketAddr>) -> Self {
        Self {
            state,
            peer,
            digests: DigestMemo::default(),
        }
    }
}

impl<S> SessionService<S> {
    /// This service for one connection from `peer`.
    pub fn for_peer(&self, peer: SocketAddr) -> Self
    where
        S: Clone,
    {
        Self {
            inner: self.inner.clone(),
            conn: Arc::new(Connection::new(self.conn.state.clone(), Some(peer))),
        }
    }
}

type Reply = Result<Response, Infallible>;
type Decided<F> = Either<WithHeaders<F>, Ready<Reply>>;

fn refused(path: &str) -> Response {
    tracing::warn!(path, "refused a cross-site request");
    if is_api(path) {
        return crate::api::problem::Problem::cross_site().into_response();
    }
    let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    (StatusCode::FORBIDDEN, plain, messages::CROSS_SITE).into_response()
}

fn database_down() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, messages::DATABASE_DOWN).into_response()
}

impl<S> Service<Request> for SessionService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Decided<S::Future>, BoxFuture<'static, Reply>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let conn = &*self.conn;
        let state = &conn.state;
        let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let cookie_name = state.cookie().name();
        // An API token, only for the JSON API and only without a cookie: it
        // is never sent by a browser on its own, so no origin check applies.
        // (Checked in this order so that pages pay one prefix comparison.)
        let bearer = is_api(req.uri().path())
            && cookie::bearer(req.headers()).is_some()
            && cookie::named_cookie(req.headers(), cookie_name).is_none();
        if changes_state && !bearer {
            let has_cookie = cookie::named_cookie(req.headers(), cookie_name).is_some();
            // The proxy's verification is no state change of ours (and
            // Traefik forwards the original method).
            let verify = req.uri().path() == VERIFY_PATH;
            if !verify && !origin::state_change_allowed(req.headers(), state.origin(), has_cookie) {
                let refusal = state.headers().tracked(refused(req.uri().path()), None);
                return Either::Left(Either::Right(ready(Ok(refusal))));
            }
        }
        if tracking::is_untracked(req.uri().path()) {
            let call = self.inner.call(req);
            return Either::Left(Either::Left(WithHeaders::new(
                call,
                *state.headers(),
                false,
                None,
            )));
        }
        presize_extensions(&mut req);
        // Only state-changing server functions (login, register) read it;
        // otherwise it is resolved when activity is recorded.
        let ip = changes_state.then(|| tracking::client_ip(state, conn.peer, &req));
        if let Some(ip) = ip {
            req.extensions_mut().insert(ClientIp(ip));
        }
        let client = Client {
            peer: conn.peer,
            ip,
            bearer,
        };
        // A value without a token's exact shape is no session: never
        // hashed, never looked up. Hashed once per connection, for the
        // cache and the database alike.
        let credential = if bearer {
            cookie::bearer(req.headers())
        } else {
            cookie::named_cookie(req.headers(), cookie_name)
        };
        let digest = credential.and_then(|v| conn.digests.of_cookie(v));
        let digest = match digest {
            None => return Either::Left(decide(&mut self.inner, state, req, None, client)),
            Some(digest) => match state.store().authenticate_cached_digest(&digest) {
                Some(current) => {
                    let current = Some(current);
                    return Either::Left(decide(&mut self.inner, state, req, current, client));
                }
                None => digest,
            },
        };
        // A database read: the future owns a ready copy of the inner service.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let state = state.clone();
        Either::Right(Box::pin(async move {
            match state.store().authenticate_digest(digest).await {
                Ok(current) => decide(&mut inner, &state, req, current.map(Arc::new), client).await,
                Err(e) => {
                    tracing::error!(error = %e, "session lookup failed");
                    Ok(state.headers().tracked(database_down(), None))
                }
            }
        }))
    }
}

/// Where a request came from: the connection's peer, and the client IP
/// if it was resolved already.
#[derive(Clone, Copy)]
struct Client {
    peer: Option<SocketAddr>,
    ip: Option<IpAddr>,
    /// The credential was an API token (`Authorization: Bearer`).
    bearer: bool,
}

/// Records what a person did, hands the session to the handlers, applies
/// the page guards, and adds the headers.
fn decide<S>(
    inner: &mut S,
    state: &AppState,
    mut req: Request,
    current: Option<Arc<CurrentSession>>,
    client: Client,
) -> Decided<S::Future>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    if req.uri().path() == VERIFY_PATH {
        // The proxy's question: the handler records the app's activity
        // and answers with headers only (no page, no nonce).
        req.extensions_mut()
            .insert(crate::forward_auth::Peer(client.peer));
        if let Some(current) = current {
            req.extensions_mut().insert(current);
        }
        let call = inner.call(req);
        return Either::Left(WithHeaders::new(call, *state.headers(), true, None));
    }
    // A bearer must be an API token, a cookie a browser's session.
    let current = current.filter(|c| c.scope.is_some() == client.bearer);
    if client.bearer
        && let Some(current) = &current
        && let Err(wait) = state.token_limits().check(&current.public_id)
    {
        let limited = crate::api::problem::Problem::rate_limited(wait);
        return Either::Right(ready(Ok(state
            .headers()
            .tracked(limited.into_response(), None))));
    }
    let signed_in = current.is_some();
    let page = tracking::page_of(&req);
    let html = tracking::wants_html(&req);
    let page_open = html && page.is_some_and(Page::counts_as_visit);
    if let Some(current) = current {
        // Only what a person does moves last activity: page loads and
        // actions. The live stream and the board's own refreshes do not,
        // or an open tab would keep its session alive forever.
        // A token's every call is its use (last used, IP, country).
        let acts =
            page_open || client.bearer || !matches!(*req.method(), Method::GET | Method::HEAD);
        if acts {
            let ip = client
                .ip
                .unwrap_or_else(|| tracking::client_ip(state, client.peer, &req));
            state.store().record_activity(&current, ip, page_open);
        }
        req.extensions_mut().insert(current);
    }
    if let Some(redirect) = page.and_then(|p| guards::redirect(state, p, signed_in, &req)) {
        return Either::Right(ready(Ok(state.headers().tracked(redirect, None))));
    }
    // Pages get a nonce for their inline scripts.
    let nonce = html.then(CspNonce::generate);
    if let Some(nonce) = &nonce {
        req.extensions_mut().insert(nonce.clone());
    }
    let call = inner.call(req);
    Either::Left(WithHeaders::new(call, *state.headers(), true, nonce))
}

/// Makes room in the request's extensions for what the policy puts in
/// (client IP, session, nonce) and the three entries axum's router adds
/// (`OriginalUri`, which leptos_axum's default features turn on,
/// `MatchedPath`, `UrlParams`): otherwise the fourth entry grows the map.
/// The empty map is cloned with its capacity from one made at start.
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
