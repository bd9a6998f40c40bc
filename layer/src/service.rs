//! [`SessionLayer`]: the session rules around an axum app, as one tower
//! layer. Per request: cross-site state changes are refused; the session
//! cookie (or, if enabled, an API token) is authenticated through the
//! store's cache; the client IP is resolved; what counts as activity is
//! recorded; and the session and the IP are handed to the handlers
//! ([`crate::extract`]).
use crate::extract::ClientIp;
use crate::{credentials, origin};
use axum::extract::ConnectInfo;
use axum::extract::connect_info::MockConnectInfo;
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use http::{Method, Request, StatusCode, header};
use sessions::client_ip::ProxyHeader;
use sessions::{CurrentSession, SessionStore, TokenDigest, TrustedProxies};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// Which requests count as something the person did (they move the
/// session's last activity, IP and country).
#[derive(Clone)]
pub enum Activity {
    /// Page loads (`Sec-Fetch-Dest: document`, also counted as pages
    /// visited) and every request that changes state: the default.
    PagesAndActions,
    /// Every request.
    Every,
    /// Whatever the function says, given the request.
    Custom(Arc<dyn Fn(&http::request::Parts) -> bool + Send + Sync>),
}

/// Why a layer could not be built.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    /// The public origin is not `scheme://host[:port]`.
    #[error("{0:?} is not an origin: expected scheme://host[:port], e.g. https://app.example.com")]
    InvalidOrigin(String),
    /// The cookie name is not an HTTP token (RFC 6265: letters, digits and
    /// `!#$%&'*+-.^_`|~`).
    #[error("{0:?} cannot be a cookie name: use letters, digits and - or _")]
    InvalidCookieName(String),
}

pub(crate) struct Config {
    pub(crate) store: SessionStore,
    pub(crate) cookie: crate::SessionCookie,
    origin: String,
    trusted: TrustedProxies,
    proxy_header: ProxyHeader,
    activity: Activity,
    bearer: bool,
}

/// Sessionboard's session rules for an axum app. Build one with
/// [`SessionLayer::builder`], add it with `Router::layer`, and read the
/// session with the [`SignedIn`](crate::SignedIn) and
/// [`MaybeSignedIn`](crate::MaybeSignedIn) extractors.
#[derive(Clone)]
pub struct SessionLayer(pub(crate) Arc<Config>);

/// Settings of a [`SessionLayer`].
pub struct Builder {
    store: SessionStore,
    origin: String,
    cookie_name: Option<String>,
    trusted: TrustedProxies,
    proxy_header: ProxyHeader,
    activity: Activity,
    bearer: bool,
}

impl SessionLayer {
    /// A layer over `store` for an app served at `public_origin` (what
    /// browsers show in the address bar, e.g. `https://app.example.com`).
    pub fn builder(store: SessionStore, public_origin: &str) -> Builder {
        Builder {
            store,
            origin: public_origin.to_owned(),
            cookie_name: None,
            trusted: TrustedProxies::none(),
            proxy_header: ProxyHeader::default(),
            activity: Activity::PagesAndActions,
            bearer: false,
        }
    }

    /// The store it authenticates with.
    pub fn store(&self) -> &SessionStore {
        &self.0.store
    }

    /// The session cookie it reads, to set and clear.
    pub fn cookie(&self) -> &crate::SessionCookie {
        &self.0.cookie
    }
}

impl Builder {
    /// The session cookie's name. Default: `__Host-session` on `https`
    /// (the prefix pins it to this host), `session` on plain `http`.
    pub fn cookie_name(mut self, name: &str) -> Self {
        self.cookie_name = Some(name.to_owned());
        self
    }

    /// The proxies whose `header` says who the client is (none by
    /// default: the peer is the client).
    pub fn trusted_proxies(mut self, trusted: TrustedProxies, header: ProxyHeader) -> Self {
        self.trusted = trusted;
        self.proxy_header = header;
        self
    }

    /// Which requests count as activity.
    pub fn activity(mut self, activity: Activity) -> Self {
        self.activity = activity;
        self
    }

    /// Also accept API tokens as `Authorization: Bearer` (only from
    /// requests without the cookie, and only tokens, never a browser's).
    pub fn bearer_tokens(mut self, on: bool) -> Self {
        self.bearer = on;
        self
    }

    /// The layer.
    pub fn build(self) -> Result<SessionLayer, LayerError> {
        let origin = origin::origin_of(&self.origin)
            .ok_or_else(|| LayerError::InvalidOrigin(self.origin.clone()))?;
        let secure = origin.starts_with("https://");
        let name = self
            .cookie_name
            .unwrap_or_else(|| if secure { "__Host-session" } else { "session" }.to_owned());
        let token_char = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token_char) {
            return Err(LayerError::InvalidCookieName(name));
        }
        let max_age = self.store.config().max_age;
        Ok(SessionLayer(Arc::new(Config {
            cookie: crate::SessionCookie::new(name, secure, max_age),
            store: self.store,
            origin,
            trusted: self.trusted,
            proxy_header: self.proxy_header,
            activity: self.activity,
            bearer: self.bearer,
        })))
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> SessionService<S> {
        SessionService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`SessionLayer`] wraps around an app.
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    layer: SessionLayer,
}

impl<S, B> Service<Request<B>> for SessionService<S>
where
    S: Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let config = self.layer.0.clone();
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let cookie = credentials::named_cookie(&parts.headers, config.cookie.name());
            let bearer = match cookie {
                None if config.bearer => credentials::bearer(&parts.headers),
                _ => None,
            };
            let changes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if changes
                && bearer.is_none()
                && !origin::state_change_allowed(&parts.headers, &config.origin, cookie.is_some())
            {
                return Ok((
                    StatusCode::FORBIDDEN,
                    "Refused: this request came from another site.",
                )
                    .into_response());
            }
            let ip = client_ip(&config, &parts);
            parts.extensions.insert(ClientIp(ip));
            let digest = cookie.or(bearer).and_then(TokenDigest::of_cookie);
            let current = match digest {
                None => None,
                Some(d) => match config.store.authenticate_cached_digest(&d) {
                    Some(hit) => Some(hit),
                    None => match config.store.authenticate_digest(d).await {
                        Ok(found) => found.map(Arc::new),
                        Err(e) => {
                            tracing::error!(error = %e, "session lookup failed");
                            return Ok((
                                StatusCode::SERVICE_UNAVAILABLE,
                                "The session database cannot be reached.",
                            )
                                .into_response());
                        }
                    },
                },
            };
            // A bearer must be an API token, the cookie a browser's session.
            let current = current.filter(|c| c.scope.is_some() == bearer.is_some());
            if let Some(current) = &current {
                let page = is_document(&parts);
                let acts = match &config.activity {
                    Activity::PagesAndActions => page || changes,
                    Activity::Every => true,
                    Activity::Custom(f) => f(&parts),
                };
                if acts {
                    config.store.record_activity(current, ip, page);
                }
            }
            if let Some(current) = current {
                parts.extensions.insert::<Arc<CurrentSession>>(current);
            }
            inner.call(Request::from_parts(parts, body)).await
        })
    }
}

/// A browser's page load.
fn is_document(parts: &http::request::Parts) -> bool {
    parts.method == Method::GET
        && parts
            .headers
            .get("sec-fetch-dest")
            .is_some_and(|v| v == "document")
}

/// The client: the peer (from `into_make_service_with_connect_info`, or a
/// test's `MockConnectInfo`), or what a trusted proxy says.
fn client_ip(config: &Config, parts: &http::request::Parts) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| {
            parts
                .extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|m| m.0)
        })
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let name = header::HeaderName::from_static(config.proxy_header.name());
    let values: Vec<&str> = parts
        .headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    sessions::resolve_client_ip(peer, &values, config.proxy_header, &config.trusted)
}
