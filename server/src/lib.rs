#![recursion_limit = "256"]
//! The Sessionboard server as a library: [`router`] builds the whole app
//! (pages, server functions, live stream, health checks, static files)
//! inside the request policy, so that tests can drive it with `oneshot`.
mod admin_live;
pub mod api;
mod audit_export;
pub mod config;
pub mod demo;
mod forward_auth;
mod live;
pub mod mailer;
pub mod metrics;
pub mod policy;
mod startup;
mod state;

pub use state::{AppState, WebConfig};

use app::contract::{ADMIN_EVENTS_PATH, AUDIT_EXPORT_PATH, EVENTS_PATH, VERIFY_PATH};
use app::{App, shell};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{any, get};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use policy::headers::CspNonce;
use policy::{PageLayer, PageService};
use sessionboard_layer::SessionService;
use tower::Layer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// The whole app: the routes inside the request policy (the session
/// layer crate's service, with Sessionboard's pages inside it). The
/// policy wraps the router as a service rather than being one of its
/// layers, which would box and clone a service per request on every
/// route.
pub type Sessionboard = SessionService<PageService<Router>>;

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store().db().ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// A refusal of the admin endpoints: its status and its sentence.
fn refused(e: app::AppError) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::FORBIDDEN);
    (status, e.message()).into_response()
}

async fn ping() -> &'static str {
    "ok"
}

/// What every Leptos render and server function gets: the store, and the
/// nonce the policy will name in the page's `Content-Security-Policy`.
fn leptos_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let store = state.store().clone();
    let cookie = state.cookie().clone();
    let returns = app::server_fns::ReturnRules {
        apps: state.apps().clone(),
        origin: state.origin().to_owned(),
    };
    move || {
        provide_context(store.clone());
        provide_context(cookie.clone());
        provide_context(returns.clone());
        let nonce = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<CspNonce>().cloned());
        if let Some(CspNonce(n)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(n));
        }
    }
}

/// Builds the app over `state`.
pub fn router(state: AppState) -> Sessionboard {
    let leptos_options = state.leptos().clone();
    let routes = generate_route_list(App);
    let context = leptos_context(&state);
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route(EVENTS_PATH, get(live::events))
        .route(AUDIT_EXPORT_PATH, get(audit_export::export))
        .route(ADMIN_EVENTS_PATH, get(admin_live::events))
        .merge(api::router())
        .with_state(state.clone())
        .leptos_routes_with_context(&leptos_options, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(leptos_options)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(metrics::track))
        // Added after the layers, so without them: two-byte answers have
        // nothing to compress, and probes would flood a request log (a
        // layered route also costs a boxed clone per request).
        // The proxy's question before each request to an app: a status
        // and headers, nothing to compress or to log per request.
        .route(
            VERIFY_PATH,
            any(forward_auth::verify).with_state(state.clone()),
        )
        // A trivial route behind the session layer (the load benchmark's subject).
        .route("/api/ping", get(ping))
        // Liveness, passed through the session layer untouched: also the load
        // benchmark's baseline for /api/ping, which is the same handler.
        .route("/livez", get(ping));
    let pages = PageLayer(state.clone()).layer(app);
    state.session_layer().layer(pages)
}

/// What stops the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "{0:?} is not an origin: expected scheme://host[:port], e.g. https://sessions.example.com"
    )]
    InvalidOrigin(String),
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Startup(#[from] sessions::StartupError),
    #[error("email: {0}")]
    Mail(String),
    #[error("APPS_FILE {path}: {problem}")]
    Apps { path: String, problem: String },
    #[error("COOKIE_DOMAIN {0}")]
    CookieDomain(String),
    #[error("secret key: {0}")]
    SecretKey(String),
    #[error("metrics (METRICS_ADDR): {0}")]
    Metrics(String),
    #[error("could not create the demo data: {0}")]
    Demo(#[from] sessions::StoreError),
}
