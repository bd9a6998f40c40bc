//! [`SessionLayer`] and its [`Builder`]: what the layer is told once, at
//! start.
use crate::limits::TokenLimits;
use crate::origin;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use sessions::client_ip::ProxyHeader;
use sessions::{SessionStore, TrustedProxies};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Which requests count as something the person did (they move the
/// session's last activity, IP and country). An API token's every call
/// counts, whatever this says: it is the token's use.
#[derive(Clone)]
pub enum Activity {
    /// Page loads (`Sec-Fetch-Dest: document`, also counted as pages
    /// visited) and every request that changes state: the default.
    PagesAndActions,
    /// Every request.
    Every,
    /// Whatever the function says, given the request.
    Custom(Arc<dyn Fn(&Request) -> Counts + Send + Sync>),
}

/// What a request counts as, for [`Activity::Custom`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counts {
    /// Nothing the person did (a live stream, a background refresh).
    Nothing,
    /// An action: moves last activity, IP and country.
    Action,
    /// An action that is also a page visited.
    PageVisit,
}

impl Activity {
    pub(crate) fn of(&self, req: &Request) -> Counts {
        match self {
            Self::PagesAndActions if is_document(req) => Counts::PageVisit,
            Self::PagesAndActions if changes_state(req.method()) => Counts::Action,
            Self::PagesAndActions => Counts::Nothing,
            Self::Every if is_document(req) => Counts::PageVisit,
            Self::Every => Counts::Action,
            Self::Custom(f) => f(req),
        }
    }
}

/// What the layer refuses on its own, for [`Builder::refusals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A state-changing request from another site (403 by default).
    CrossSite,
    /// An API token over its rate limit (429 by default), with the
    /// seconds to wait.
    RateLimited {
        /// Whole seconds until the token may call again.
        retry_after: u64,
    },
    /// The session database did not answer (503 by default).
    DatabaseDown,
}

impl Refusal {
    /// The plain-text answer the layer gives unless told otherwise.
    pub fn default_response(self) -> Response {
        match self {
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                "Refused: this request came from another site.",
            )
                .into_response(),
            Self::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, HeaderValue::from(retry_after))],
                "Too many calls with this API token: wait a moment.",
            )
                .into_response(),
            Self::DatabaseDown => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The session database cannot be reached.",
            )
                .into_response(),
        }
    }
}

type Refusals = Arc<dyn Fn(Refusal, &Request) -> Response + Send + Sync>;
type PathTest = Arc<dyn Fn(&str) -> bool + Send + Sync>;

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
    /// The cookie domain is no host name, or the public origin's host is
    /// not in it (browsers would refuse the cookie).
    #[error(
        "cookie domain {domain:?} does not cover {origin}: use the origin's host or a parent of it, e.g. example.com for https://app.example.com"
    )]
    InvalidCookieDomain {
        /// The domain given.
        domain: String,
        /// The public origin.
        origin: String,
    },
    /// A `__Host-` cookie cannot carry a `Domain` (RFC 6265bis).
    #[error(
        "{0:?} cannot be sent to a domain: the __Host- prefix forbids it (use __Secure- or no prefix)"
    )]
    HostPrefixWithDomain(String),
    /// A rate limit of zero calls.
    #[error("an API token's rate limit needs at least one call per second and a burst of one")]
    InvalidRateLimit,
}

pub(crate) struct Config {
    pub(crate) store: SessionStore,
    pub(crate) cookie: crate::SessionCookie,
    pub(crate) origin: String,
    pub(crate) trusted: TrustedProxies,
    pub(crate) proxy_header: ProxyHeader,
    pub(crate) activity: Activity,
    /// Where `Authorization: Bearer` is read, if anywhere.
    pub(crate) bearer_under: Option<String>,
    pub(crate) token_limits: TokenLimits,
    pub(crate) untouched: Option<PathTest>,
    pub(crate) no_origin_check: Vec<String>,
    refusals: Option<Refusals>,
    /// Whether the "forwarding header from an untrusted peer" warning was
    /// given (once per layer).
    pub(crate) warned_forwarding: AtomicBool,
}

impl Config {
    pub(crate) fn refuse(&self, why: Refusal, req: &Request) -> Response {
        match &self.refusals {
            Some(f) => f(why, req),
            None => why.default_response(),
        }
    }

    pub(crate) fn bearer_allowed(&self, path: &str) -> bool {
        self.bearer_under
            .as_deref()
            .is_some_and(|p| path.starts_with(p))
    }
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
    cookie_domain: Option<String>,
    trusted: TrustedProxies,
    proxy_header: ProxyHeader,
    activity: Activity,
    bearer_under: Option<String>,
    rate: (u32, u32),
    untouched: Option<PathTest>,
    no_origin_check: Vec<String>,
    refusals: Option<Refusals>,
}

impl SessionLayer {
    /// A layer over `store` for an app served at `public_origin` (what
    /// browsers show in the address bar, e.g. `https://app.example.com`).
    pub fn builder(store: SessionStore, public_origin: &str) -> Builder {
        Builder {
            store,
            origin: public_origin.to_owned(),
            cookie_name: None,
            cookie_domain: None,
            trusted: TrustedProxies::none(),
            proxy_header: ProxyHeader::default(),
            activity: Activity::PagesAndActions,
            bearer_under: None,
            rate: (TokenLimits::PER_SECOND, TokenLimits::BURST),
            untouched: None,
            no_origin_check: Vec::new(),
            refusals: None,
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

    /// The public origin, as the layer normalised it.
    pub fn origin(&self) -> &str {
        &self.0.origin
    }
}

impl Builder {
    /// The session cookie's name. Default: `__Host-session` on `https`
    /// (the prefix pins it to this host), `session` on plain `http`.
    pub fn cookie_name(mut self, name: &str) -> Self {
        self.cookie_name = Some(name.to_owned());
        self
    }

    /// Send the cookie to `domain` and its subdomains too (`Domain=`), for
    /// apps on several subdomains; the public origin's host must be in it.
    /// Without it the cookie stays on the origin's host. With it the
    /// default name is `__Secure-session`, since `__Host-` forbids a domain.
    pub fn cookie_domain(mut self, domain: &str) -> Self {
        self.cookie_domain = Some(domain.trim_start_matches('.').to_ascii_lowercase());
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

    /// Also accept API tokens as `Authorization: Bearer` on paths that
    /// start with `path_prefix` (e.g. `/api/`): only from requests without
    /// the cookie, only tokens (never a browser's session), and rate
    /// limited per token (see [`Builder::token_rate_limit`]). Off by
    /// default.
    pub fn bearer_tokens(mut self, path_prefix: &str) -> Self {
        self.bearer_under = Some(path_prefix.to_owned());
        self
    }

    /// Calls per second an API token may make on average, and at once
    /// after a quiet while. Default: 10 and 30.
    pub fn token_rate_limit(mut self, per_second: u32, burst: u32) -> Self {
        self.rate = (per_second, burst);
        self
    }

    /// Requests the layer passes through untouched, by path: no session,
    /// no client address, no origin check's second look (static assets,
    /// health checks).
    pub fn pass_through(mut self, test: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.untouched = Some(Arc::new(test));
        self
    }

    /// A path whose state-changing requests are not origin-checked: one a
    /// proxy calls rather than a browser (a forward-authentication
    /// endpoint, which Traefik asks with the original method).
    pub fn without_origin_check(mut self, path: &str) -> Self {
        self.no_origin_check.push(path.to_owned());
        self
    }

    /// The answers to what the layer refuses on its own, instead of
    /// [`Refusal::default_response`].
    pub fn refusals(
        mut self,
        answer: impl Fn(Refusal, &Request) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.refusals = Some(Arc::new(answer));
        self
    }

    /// The layer.
    pub fn build(self) -> Result<SessionLayer, LayerError> {
        let origin = origin::origin_of(&self.origin)
            .ok_or_else(|| LayerError::InvalidOrigin(self.origin.clone()))?;
        let secure = origin.starts_with("https://");
        if let Some(domain) = &self.cookie_domain
            && !domain_covers(domain, &origin)
        {
            return Err(LayerError::InvalidCookieDomain {
                domain: domain.clone(),
                origin,
            });
        }
        let default_name = match (secure, self.cookie_domain.is_some()) {
            (true, false) => "__Host-session",
            (true, true) => "__Secure-session",
            (false, _) => "session",
        };
        let name = self.cookie_name.unwrap_or_else(|| default_name.to_owned());
        if self.cookie_domain.is_some() && name.starts_with("__Host-") {
            return Err(LayerError::HostPrefixWithDomain(name));
        }
        let token_char = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token_char) {
            return Err(LayerError::InvalidCookieName(name));
        }
        let token_limits =
            TokenLimits::new(self.rate.0, self.rate.1).ok_or(LayerError::InvalidRateLimit)?;
        let max_age = self.store.config().max_age;
        Ok(SessionLayer(Arc::new(Config {
            cookie: crate::SessionCookie::new(name, secure, self.cookie_domain, max_age),
            store: self.store,
            origin,
            trusted: self.trusted,
            proxy_header: self.proxy_header,
            activity: self.activity,
            bearer_under: self.bearer_under,
            token_limits,
            untouched: self.untouched,
            no_origin_check: self.no_origin_check,
            refusals: self.refusals,
            warned_forwarding: AtomicBool::new(false),
        })))
    }
}

/// Whether a cookie for `domain` reaches the host of `origin` (the host
/// itself or a subdomain of it; a host name, not an IP address).
fn domain_covers(domain: &str, origin: &str) -> bool {
    let Some(host) = url::Url::parse(origin)
        .ok()
        .and_then(|u| u.domain().map(str::to_owned))
    else {
        return false;
    };
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    labels_ok
        && (host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.')))
}

/// Anything but a read.
pub(crate) fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A browser's page load.
fn is_document(req: &Request) -> bool {
    req.method() == Method::GET
        && req
            .headers()
            .get("sec-fetch-dest")
            .is_some_and(|v| v == "document")
}
