//! Sessionboard's sessions inside any axum app: every device signed in to
//! an account, listed, ended one by one or all at once, with history —
//! the part that cookie-session crates leave out.
//!
//! [`SessionLayer`] authenticates the session cookie on each request
//! through the store's cache, refuses cross-site state changes, resolves
//! the client IP (behind trusted proxies too) and records activity; the
//! [`SignedIn`] and [`MaybeSignedIn`] extractors hand the session to
//! handlers; [`SessionLayer::sign_in`] and [`SessionLayer::sign_out`]
//! give the cookie to set. The session rules themselves live in the
//! [`sessions`] store.
//!
//! ```no_run
//! use axum::{Router, routing::get, extract::State};
//! use sessionboard_layer::{SessionLayer, SignedIn};
//! use sessions::SessionStore;
//!
//! async fn your_sessions(State(store): State<SessionStore>, SignedIn(me): SignedIn) -> String {
//!     let list = store.list_active_sessions(me.user_id).await.unwrap_or_default();
//!     list.iter().map(|s| format!("{} ({})\n", s.display_name(), s.ip)).collect()
//! }
//!
//! # async fn run(store: SessionStore) -> Result<(), Box<dyn std::error::Error>> {
//! let layer = SessionLayer::builder(store.clone(), "http://localhost:3000").build()?;
//! let app = Router::new()
//!     .route("/sessions", get(your_sessions))
//!     .with_state(store)
//!     .layer(layer);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
//! # Ok(()) }
//! ```
//!
//! `examples/embedded` is a whole app on it: sign-up, sign-in, two pages of
//! its own and a "Your sessions" page. Sessionboard's own server runs on it
//! too, with its pages' guards and headers in a service inside the layer;
//! it serves through [`Connections`], which gives each connection its own
//! service (the peer known without an extension per request, a keep-alive
//! connection's cookie hashed once).
#![warn(missing_docs)]

mod config;
mod connections;
mod cookies;
pub mod credentials;
pub mod extract;
mod limits;
pub mod origin;
mod service;

pub use config::{Activity, Builder, Counts, LayerError, Refusal, SessionLayer};
pub use connections::Connections;
pub use cookies::{SessionCookie, SignIn};
pub use extract::{ClientIp, Facts, MaybeSignedIn, ProxyPeer, SignedIn};
pub use service::SessionService;
