//! What the router and its policy share, behind one `Arc`.
use crate::policy::headers::HeaderPolicy;
use app::contract::CookieScope;
use leptos::config::LeptosOptions;
use sessions::apps::Apps;
use sessions::client_ip::ProxyHeader;
use sessions::{SessionStore, TrustedProxies};
use std::sync::Arc;
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
    /// Built once: its token rate limits and warnings are the server's.
    session_layer: sessionboard_layer::SessionLayer,
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
    ) -> Result<Self, sessionboard_layer::LayerError> {
        let https = web.origin.starts_with("https://");
        store.set_forward_auth(!web.apps.is_empty());
        let headers = HeaderPolicy::new(https);
        let session_layer = crate::policy::settings::session_layer(
            &store,
            &web.origin,
            web.cookie.name(),
            (web.trusted.clone(), web.proxy_header),
            headers,
        )?;
        Ok(Self(Arc::new(Inner {
            store,
            headers,
            web,
            shutdown,
            leptos,
            session_layer,
        })))
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

    /// The session layer with Sessionboard's settings.
    pub fn session_layer(&self) -> &sessionboard_layer::SessionLayer {
        &self.0.session_layer
    }

    pub fn leptos(&self) -> &LeptosOptions {
        &self.0.leptos
    }
}
