//! The request policy around the whole app: the `sessionboard-layer`
//! crate's session layer with Sessionboard's settings
//! ([`settings::session_layer`]: the origin check, the credentials, the client IP,
//! activity), and inside it [`PageService`]: page guards ([`guards`]),
//! a page's script nonce and the response headers ([`headers`]).
//! [`tracking`] says which requests are pages and which are assets.
pub mod guards;
pub mod headers;
pub mod settings;
pub mod tracking;

/// The credentials in a request and the origin check: the layer crate's.
pub use sessionboard_layer::{credentials as cookie, origin};

use crate::state::AppState;
use app::contract::VERIFY_PATH;
use axum::extract::Request;
use axum::response::Response;
use futures::future::{Either, Ready, ready};
use headers::{CspNonce, WithHeaders};
use sessions::CurrentSession;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// Wraps the router in [`PageService`].
#[derive(Clone)]
pub struct PageLayer(pub AppState);

impl<S> Layer<S> for PageLayer {
    type Service = PageService<S>;

    fn layer(&self, inner: S) -> PageService<S> {
        PageService {
            inner,
            state: self.0.clone(),
        }
    }
}

/// What Sessionboard adds inside the session layer: the page guards
/// (redirects that work without any script), a nonce for each page's
/// inline scripts, and the response headers (security headers
/// everywhere; `no-store` where the session matters). A tower service
/// for the session layer's reason: no boxing, no clone of the router.
#[derive(Clone)]
pub struct PageService<S> {
    inner: S,
    state: AppState,
}

type Reply = Result<Response, Infallible>;

impl<S> Service<Request> for PageService<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<WithHeaders<S::Future>, Ready<Reply>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let state = &self.state;
        let headers = *state.headers();
        let path = req.uri().path();
        // Assets and health checks are the same for everyone (browsers
        // may keep them); the proxy's question gets headers only.
        let tracked = !tracking::is_untracked(path);
        if !tracked || path == VERIFY_PATH {
            return Either::Left(WithHeaders::new(
                self.inner.call(req),
                headers,
                tracked,
                None,
            ));
        }
        if let Some(page) = tracking::page_of(&req) {
            let signed_in = req.extensions().get::<Arc<CurrentSession>>().is_some();
            if let Some(redirect) = guards::redirect(state, page, signed_in, &req) {
                return Either::Right(ready(Ok(headers.tracked(redirect, None))));
            }
        }
        let nonce = tracking::wants_html(&req).then(CspNonce::generate);
        if let Some(nonce) = &nonce {
            req.extensions_mut().insert(nonce.clone());
        }
        Either::Left(WithHeaders::new(self.inner.call(req), headers, true, nonce))
    }
}
