//! What the router and its policy share, behind one `Arc`.
use leptos::config::LeptosOptions;
use sessions::{SessionStore, TrustedProxies};
use std::sync::Arc;
use tokio::sync::watch;

struct Inner {
    store: SessionStore,
    trusted: TrustedProxies,
    origin: String,
    shutdown: watch::Receiver<bool>,
    leptos: LeptosOptions,
}

/// The server's shared state. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// `origin` is `PUBLIC_ORIGIN` as [`crate::policy::origin::origin_of`]
    /// normalises it; `shutdown` turns `true` when the server stops.
    pub fn new(
        store: SessionStore,
        trusted: TrustedProxies,
        origin: String,
        shutdown: watch::Receiver<bool>,
        leptos: LeptosOptions,
    ) -> Self {
        Self(Arc::new(Inner {
            store,
            trusted,
            origin,
            shutdown,
            leptos,
        }))
    }

    pub fn store(&self) -> &SessionStore {
        &self.0.store
    }

    pub fn trusted(&self) -> &TrustedProxies {
        &self.0.trusted
    }

    pub fn origin(&self) -> &str {
        &self.0.origin
    }

    /// A receiver that sees the server stop.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.0.shutdown.clone()
    }

    pub fn leptos(&self) -> &LeptosOptions {
        &self.0.leptos
    }
}
