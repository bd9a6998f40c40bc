//! What the router and its policy share, behind one `Arc`.
use crate::policy::headers::HeaderPolicy;
use app::contract::CookieScope;
use leptos::config::LeptosOptions;
use sessions::apps::Apps;
use sessions::client_ip::ProxyHeader;
use sessions::{SessionStore, TrustedProxies};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::watch;

/// How requests are read and answered, beyond the store.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// `PUBLIC_ORIGIN` as [`crate::policy::origin::origin_of`] normalises it.
    pub origin: String,
    pub trusted: TrustedProxies,
    pub proxy_header: ProxyHeader,
    /// The apps behind the proxy (`APPS_FILE`; none without one).
    pub apps: Arc<Apps>,
    /// Where the session cookie is sent (`COOKIE_DOMAIN`).
    pub cookie: CookieScope,
}

impl WebConfig {
    /// The settings of a server on `origin` with no proxy in front.
    pub fn new(origin: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            trusted: TrustedProxies::default(),
            proxy_header: ProxyHeader::XForwardedFor,
            apps: Arc::default(),
            cookie: CookieScope::default(),
        }
    }
}

struct Inner {
    store: SessionStore,
    web: WebConfig,
    headers: HeaderPolicy,
    shutdown: watch::Receiver<bool>,
    leptos: LeptosOptions,
    warned_untrusted_forwarding: AtomicBool,
    token_limits: crate::api::limits::TokenLimits,
}

/// The server's shared state. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// `shutdown` turns `true` when the server stops.
    pub fn new(
        store: SessionStore,
        web: WebConfig,
        shutdown: watch::Receiver<bool>,
        leptos: LeptosOptions,
    ) -> Self {
        let https = web.origin.starts_with("https://");
        store.set_forward_auth(!web.apps.is_empty());
        Self(Arc::new(Inner {
            store,
            headers: HeaderPolicy::new(https),
            web,
            shutdown,
            leptos,
            warned_untrusted_forwarding: AtomicBool::new(false),
            token_limits: Default::default(),
        }))
    }

    pub fn store(&self) -> &SessionStore {
        &self.0.store
    }

    pub fn trusted(&self) -> &TrustedProxies {
        &self.0.web.trusted
    }

    pub fn proxy_header(&self) -> ProxyHeader {
        self.0.web.proxy_header
    }

    pub fn origin(&self) -> &str {
        &self.0.web.origin
    }

    pub fn apps(&self) -> &Arc<Apps> {
        &self.0.web.apps
    }

    pub fn cookie(&self) -> &CookieScope {
        &self.0.web.cookie
    }

    pub fn headers(&self) -> &HeaderPolicy {
        &self.0.headers
    }

    /// A receiver that sees the server stop.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.0.shutdown.clone()
    }

    /// The API tokens' rate limits.
    pub fn token_limits(&self) -> &crate::api::limits::TokenLimits {
        &self.0.token_limits
    }

    pub fn leptos(&self) -> &LeptosOptions {
        &self.0.leptos
    }

    /// Whether the untrusted-forwarding warning was given.
    pub fn warned_untrusted_forwarding(&self) -> bool {
        self.0.warned_untrusted_forwarding.load(Ordering::Relaxed)
    }

    /// True the first time it is asked, then false.
    pub fn first_untrusted_forwarding(&self) -> bool {
        !self
            .0
            .warned_untrusted_forwarding
            .swap(true, Ordering::Relaxed)
    }
}
