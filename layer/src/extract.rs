//! The session of a request, the axum way: extractors over what
//! [`SessionLayer`](crate::SessionLayer) (or Sessionboard's own server)
//! put into the request.
use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{StatusCode, header};
use sessions::{CurrentSession, RequestFacts};
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;

/// What a request without a session gets from [`SignedIn`].
pub const NOT_SIGNED_IN: &str = "Please sign in to continue.";

/// The client's address as the layer resolved it (the peer, or what a
/// trusted proxy says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The trusted proxy a request came through, when it came through one
/// (then [`ClientIp`] is what the proxy said).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyPeer(pub IpAddr);

/// The signed-in session; a request without one is refused with 401.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Arc<CurrentSession>);

/// The signed-in session, if there is one.
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<Arc<CurrentSession>>);

/// User agent and client IP, for starting a session.
#[derive(Debug, Clone)]
pub struct Facts(pub RequestFacts);

/// The session the layer found for this request, if any.
pub fn of(parts: &Parts) -> Option<Arc<CurrentSession>> {
    parts.extensions.get::<Arc<CurrentSession>>().cloned()
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeSignedIn {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self(of(parts)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        of(parts)
            .map(Self)
            .ok_or((StatusCode::UNAUTHORIZED, NOT_SIGNED_IN))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<ClientIp>().copied().ok_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "The client address is unknown: is the session layer installed?",
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Facts {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state).await?;
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Ok(Self(RequestFacts {
            user_agent,
            ip,
            app: None,
        }))
    }
}
