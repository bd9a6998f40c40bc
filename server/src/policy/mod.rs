//! The request policy around the whole app, by concern: the origin check
//! ([`origin`]), the session cookie ([`cookie`]) and what is tracked of a
//! request ([`tracking`]), page guards ([`guards`]) and response headers
//! ([`headers`]). [`SessionService`] runs them in that order.
pub mod cookie;
pub mod guards;
pub mod headers;
pub mod origin;
pub mod tracking;

use crate::state::AppState;
use app::contract::EVENTS_PATH;
use app::messages;
use app::session::ClientIp;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::future::{BoxFuture, Either, FutureExt, Map, Ready, ready};
use headers::no_store;
use sessions::CurrentSession;
use std::convert::{Infallible, identity};
use std::net::IpAddr;
use std::sync::Arc;
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
            state: self.0.clone(),
        }
    }
}

/// Refuses cross-site state-changing requests (403); then, except for
/// static assets and health checks, authenticates the session cookie,
/// resolves the client IP, records activity in memory, puts [`ClientIp`]
/// and the `CurrentSession` into the request for handlers and server
/// functions, guards the pages and marks responses `Cache-Control: no-store`.
///
/// A hand-written tower service rather than `middleware::from_fn` because
/// it runs on every request: a session found in the authentication cache
/// is handled synchronously, without cloning the inner service or boxing a
/// future (the web bench measured 0.74 → 0.90 of a bare handler's
/// throughput for this change). Only a cache miss takes the boxed path.
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    state: AppState,
}

type Reply = Result<Response, Infallible>;
type Passed<F> = Map<F, fn(Reply) -> Reply>;
type Decided<F> = Either<Passed<F>, Ready<Reply>>;

fn refused(path: &str) -> Response {
    tracing::warn!(path, "refused a cross-site request");
    let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    (StatusCode::FORBIDDEN, plain, messages::CROSS_SITE).into_response()
}

fn database_down() -> Response {
    no_store((StatusCode::SERVICE_UNAVAILABLE, messages::DATABASE_DOWN).into_response())
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
        let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if changes_state && !origin::state_change_allowed(req.headers(), self.state.origin()) {
            return Either::Left(Either::Right(ready(Ok(refused(req.uri().path())))));
        }
        if tracking::is_untracked(req.uri().path()) {
            return Either::Left(Either::Left(
                self.inner.call(req).map(identity as fn(_) -> _),
            ));
        }
        let ip = tracking::client_ip(self.state.trusted(), &req);
        // Only state-changing server functions (login, register) read it.
        if changes_state {
            req.extensions_mut().insert(ClientIp(ip));
        }
        let token = match cookie::session_cookie(req.headers()) {
            None => return Either::Left(decide(&mut self.inner, &self.state, req, None, ip)),
            Some(token) => match self.state.store().authenticate_cached(token) {
                Some(current) => {
                    let current = Some(current);
                    return Either::Left(decide(&mut self.inner, &self.state, req, current, ip));
                }
                None => token.to_owned(),
            },
        };
        // A database read: the future owns a ready copy of the inner service.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let state = self.state.clone();
        Either::Right(Box::pin(async move {
            match state.store().authenticate(&token).await {
                Ok(current) => decide(&mut inner, &state, req, current.map(Arc::new), ip).await,
                Err(e) => {
                    tracing::error!(error = %e, "session lookup failed");
                    Ok(database_down())
                }
            }
        }))
    }
}

/// Records the request's activity, hands the session to the handlers and
/// applies the page guards.
fn decide<S>(
    inner: &mut S,
    state: &AppState,
    mut req: Request,
    current: Option<Arc<CurrentSession>>,
    ip: IpAddr,
) -> Decided<S::Future>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let signed_in = current.is_some();
    if let Some(current) = current {
        // The live stream is not activity: an open tab must be able to idle out.
        if req.uri().path() != EVENTS_PATH {
            let page_open = tracking::is_page_open(&req);
            state.store().record_activity(&current, ip, page_open);
        }
        req.extensions_mut().insert(current);
    }
    if let Some(redirect) = guards::redirect(&req, signed_in) {
        return Either::Right(ready(Ok(no_store(redirect))));
    }
    Either::Left(inner.call(req).map(no_store_reply as fn(_) -> _))
}

fn no_store_reply(reply: Reply) -> Reply {
    reply.map(no_store)
}
