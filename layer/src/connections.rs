//! [`Connections`]: what `axum::serve` takes to give each connection its
//! own [`SessionService`].
use crate::SessionService;
use axum::serve::{IncomingStream, Listener};
use futures::future::{Ready, ready};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::task::{Context, Poll};
use tower::Service;

/// Per connection, a [`SessionService`] that knows the peer's address
/// (rather than a `ConnectInfo` extension allocated into every request)
/// and remembers the connection's last cookie digest:
/// `axum::serve(listener, Connections(layer.layer(router)))`.
#[derive(Clone)]
pub struct Connections<S>(pub SessionService<S>);

impl<'a, S, L> Service<IncomingStream<'a, L>> for Connections<S>
where
    S: Clone,
    L: Listener<Addr = SocketAddr>,
{
    type Response = SessionService<S>;
    type Error = Infallible;
    type Future = Ready<Result<SessionService<S>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'a, L>) -> Self::Future {
        ready(Ok(self.0.for_peer(*stream.remote_addr())))
    }
}
