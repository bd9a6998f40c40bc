//! Sessionboard's session store: the one place where every session rule lives.
//!
//! The crate knows SeaORM, the user-agent parser, maxminddb and tokio's
//! channels, and nothing of HTTP frameworks: request facts come in as plain
//! values (a user-agent string, a client IP). An axum (or any other) app embeds
//! it by building a [`SessionStore`], calling [`SessionStore::authenticate`] on
//! each request and the action methods from its handlers.
//!
//! Each product concept is one module with its own `impl SessionStore` block:
//! accounts (register, change password), login (verify, start a session),
//! two-factor authentication, mail,
//! authentication, activity, history, ending sessions, review ("Was this
//! you?" and names) and retention.
#![warn(missing_docs)]

mod accounts;
mod activity;
mod admin;
pub mod agent;
mod api_tokens;
pub mod apps;
pub mod audit;
mod authn;
pub mod client_ip;
pub mod clock;
mod cluster;
mod config;
pub mod db;
mod digest_memo;
mod ending;
pub mod entity;
mod error;
pub mod events;
mod failed_sign_ins;
pub mod geo;
mod hashing;
mod history;
mod login;
mod login_throttle;
pub mod mail;
mod model;
mod password_reset;
mod per_thread;
mod reauth;
mod retention;
mod review;
mod review_rule;
mod room;
pub mod secret;
mod sessions_page;
mod sql;
mod stats;
mod store;
#[doc(hidden)]
pub mod testing;
mod two_factor;

pub use admin::{
    AccountSummary, AdminSession, AdminSessionPage, AdminUserView, SessionFilter, UserList,
    UserQuery,
};
pub use agent::{ClientInfo, UserAgentClassifier, UserAgents};
pub use api_tokens::{MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME};
pub use audit::{AuditEntry, AuditFilter, AuditLayer, AuditPage, AuditQueue};
pub use client_ip::{TrustedProxies, resolve_client_ip};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{HashingConfig, StoreConfig, StreamLimits, ThrottleConfig};
pub use digest_memo::DigestMemo;
pub use error::{StartupError, StoreError};
pub use events::{SessionEvent, UserEvents};
pub use failed_sign_ins::{FailedSignIn, FailedStep, SHOWN_DAYS};
pub use geo::{GeoIp, Location};
pub use history::{HistoryCursor, HistoryPage, HistoryQuery};
pub use mail::{
    AccountEmail, MailConfig, MailKind, QueuedMail, SecurityChange, SecurityNotice, SignInFacts,
};
pub use model::{
    Answer, AppUse, AuthMethod, CurrentSession, DeviceType, EndReason, Place, RequestFacts,
    SessionView, TokenScope, User,
};
pub use password_reset::{RESET_TTL_MS, ResetLink};
pub use review::{MAX_NAME_CHARS, normalize_name};
pub use secret::{PasswordHash, SessionToken, TokenDigest};
pub use sessions_page::SessionsPage;
pub use stats::StoreStats;
pub use store::{Background, SessionStore};
pub use two_factor::{
    CODES_PER_LOGIN, CodeLock, Enrolment, LoginStep, PendingLogin, RecoveryCodes, SecretKey,
    TwoFactorStatus,
};

/// Result type of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
