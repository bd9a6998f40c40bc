//! Sessionboard's session store: the one place where every session rule lives.
//!
//! The crate knows SeaORM, the user-agent parser, maxminddb and tokio's
//! channels, and nothing of HTTP frameworks: request facts come in as plain
//! values (a user-agent string, a client IP). An axum (or any other) app embeds
//! it by building a [`SessionStore`], calling [`SessionStore::authenticate`] on
//! each request and the action methods from its handlers.

mod activity;
pub mod agent;
mod auth_cache;
pub mod client_ip;
pub mod clock;
mod countries;
pub mod db;
pub mod entity;
mod error;
pub mod events;
pub mod geo;
pub mod secret;
mod store;
pub mod throttle;
mod view;

pub use agent::{ClientInfo, DeviceType, UserAgentClassifier};
pub use client_ip::{TrustedProxies, resolve_client_ip};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::StoreError;
pub use events::{EventHub, SessionEvent, UserEvents};
pub use geo::{GeoIp, Location, country_name, flag_emoji};
pub use secret::{PasswordHash, SessionToken, TokenDigest, TokenHash};
pub use store::{
    CurrentSession, HistoryCursor, HistoryPage, HistoryQuery, RequestFacts, SessionStore,
    StoreConfig, User,
};
pub use throttle::{LoginThrottle, ThrottleConfig};
pub use view::{EndReason, SessionView};

/// Result type of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
