//! The store's domain types: accounts, the session of a request, the public
//! view of a session, and the two enumerations stored with sessions.
use crate::geo::Location;
use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use std::net::IpAddr;

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Internal id.
    pub id: i64,
    /// Username as registered.
    pub username: String,
}

/// What the web layer knows about a request, as plain values.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    /// The `User-Agent` header (empty if none).
    pub user_agent: String,
    /// The client address, already resolved with [`crate::resolve_client_ip`].
    pub ip: IpAddr,
    /// The protected app a sign-in started from (forward authentication).
    pub app: Option<String>,
}

/// The authenticated session of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentSession {
    /// Internal row id: never leaves the store.
    pub(crate) row_id: i64,
    /// Public id of the session.
    pub public_id: String,
    /// Owner.
    pub user_id: i64,
    /// Owner's username.
    pub username: String,
    /// Login time.
    pub created_at: DateTime<Utc>,
    /// How it signed in (whether with a second factor).
    pub auth_method: AuthMethod,
    /// For an API token, what its bearer may do; `None` for a browser's
    /// session.
    pub scope: Option<TokenScope>,
}

/// What an API token's bearer may do.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Read the account's sessions and history.
    #[sea_orm(string_value = "read")]
    Read,
    /// Read, and end, name or answer for sessions (no re-authentication:
    /// creating the token took one).
    #[sea_orm(string_value = "manage")]
    Manage,
}

/// The kind of device a session runs on (stored as its name).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeviceType {
    /// A desktop or laptop computer.
    #[sea_orm(string_value = "Desktop")]
    Desktop,
    /// A phone.
    #[sea_orm(string_value = "Mobile")]
    Mobile,
    /// A tablet.
    #[sea_orm(string_value = "Tablet")]
    Tablet,
    /// A crawler, an HTTP library or a headless browser.
    #[sea_orm(string_value = "Bot")]
    Bot,
    /// Anything else: TVs, consoles, unknown agents.
    #[sea_orm(string_value = "Other")]
    Other,
}

/// Why a session ended (stored in snake case, e.g. `signed_out_everywhere`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum EndReason {
    /// The user logged out on that device.
    #[sea_orm(string_value = "signed_out")]
    SignedOut,
    /// Ended from another device with "Terminate".
    #[sea_orm(string_value = "terminated")]
    Terminated,
    /// Ended by "Sign out everywhere" on another device.
    #[sea_orm(string_value = "signed_out_everywhere")]
    SignedOutEverywhere,
    /// Idle timeout or absolute lifetime passed.
    #[sea_orm(string_value = "expired")]
    Expired,
    /// The password was changed with "sign out all other devices".
    #[sea_orm(string_value = "password_changed")]
    PasswordChanged,
    /// A new password was set through a reset link: every session ended.
    #[sea_orm(string_value = "password_reset")]
    PasswordReset,
    /// Ended by an administrator from the admin console.
    #[sea_orm(string_value = "by_administrator")]
    ByAdministrator,
    /// An administrator locked the account: every session ended.
    #[sea_orm(string_value = "account_locked")]
    AccountLocked,
    /// Ended by its owner to make room for a new sign-in, at the account's
    /// session limit.
    #[sea_orm(string_value = "made_room")]
    MadeRoom,
}

/// The owner's answer to "Was this you?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Answer {
    /// "Yes, it was me".
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    /// "No — sign it out".
    #[sea_orm(string_value = "denied")]
    Denied,
}

/// How a session was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AuthMethod {
    /// The password alone.
    #[sea_orm(string_value = "password")]
    Password,
    /// The password and a code from an authenticator app.
    #[sea_orm(string_value = "totp")]
    PasswordAndAuthenticator,
    /// The password and a recovery code.
    #[sea_orm(string_value = "recovery")]
    PasswordAndRecoveryCode,
    /// A personal API token (created by a signed-in, re-authenticated
    /// session), sent as `Authorization: Bearer`.
    #[sea_orm(string_value = "api_token")]
    ApiToken,
}

/// A place a session was used from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The client IP.
    pub ip: String,
    /// Where it is.
    pub location: Location,
    /// First request from it.
    pub first_seen_at: DateTime<Utc>,
    /// Latest request from it.
    pub last_seen_at: DateTime<Utc>,
}

/// One session as the dashboard shows it: no token, no hash, no row id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// Public id (random; not the token).
    pub id: String,
    /// Desktop, Mobile, Tablet, Bot or Other.
    pub device_type: DeviceType,
    /// Operating system family.
    pub platform: String,
    /// Browser family.
    pub browser_name: String,
    /// Browser major version (may be empty).
    pub browser_version: String,
    /// Latest client IP.
    pub ip: String,
    /// Where the latest IP is.
    pub location: Location,
    /// Login time.
    pub created_at: DateTime<Utc>,
    /// Last activity.
    pub last_seen_at: DateTime<Utc>,
    /// Pages opened.
    pub pages_visited: i64,
    /// End time, if ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// End reason, if ended.
    pub end_reason: Option<EndReason>,
    /// When the session last proved the password (login or
    /// re-authentication), if known.
    pub authenticated_at: Option<DateTime<Utc>>,
    /// At login, a device the account had never used.
    pub new_device: bool,
    /// At login, a country the account had never signed in from.
    pub new_location: bool,
    /// Used later from another country than at login.
    pub location_changed: bool,
    /// The owner's answer to "Was this you?", if any.
    pub answer: Option<Answer>,
    /// A name the owner gave it.
    pub name: Option<String>,
    /// How many places (IPs) it was used from (the 20 latest are kept).
    pub place_count: u32,
    /// How it was authenticated.
    pub auth_method: AuthMethod,
    /// The protected app its sign-in started from.
    pub started_app: Option<String>,
    /// The protected apps it used, most recently first (on the sessions
    /// page; empty elsewhere).
    pub apps: Vec<AppUse>,
    /// For an API token, when it expires (it has no idle timeout).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A protected app a session used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppUse {
    /// The app's name.
    pub name: String,
    /// Its latest request through the proxy.
    pub last_seen_at: DateTime<Utc>,
    /// Pages opened in it.
    pub pages: i64,
}

impl AppUse {
    /// Adds activity not yet written to `apps`, kept most recent first.
    pub(crate) fn add(apps: &mut Vec<AppUse>, name: &str, at: DateTime<Utc>, pages: i64) {
        match apps.iter_mut().find(|a| a.name == name) {
            Some(a) => {
                a.last_seen_at = a.last_seen_at.max(at);
                a.pages += pages;
            }
            None => apps.push(AppUse {
                name: name.to_owned(),
                last_seen_at: at,
                pages,
            }),
        }
        apps.sort_by(|a, b| {
            b.last_seen_at
                .cmp(&a.last_seen_at)
                .then_with(|| a.name.cmp(&b.name))
        });
    }
}

impl SessionView {
    /// Whether "Was this you?" is waiting for an answer about it: marked
    /// new or moved (or signed in with a recovery code), not answered,
    /// still active.
    pub fn needs_review(&self) -> bool {
        self.is_active() && self.answer.is_none() && self.is_marked()
    }

    /// Whether the session is still active.
    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }

    /// The name shown when the owner gave none: "Chrome on Windows".
    pub fn default_name(&self) -> String {
        if self.auth_method == AuthMethod::ApiToken {
            return "API token".to_owned();
        }
        format!("{} on {}", self.browser_name, self.platform)
    }

    /// The owner's name for it, or the default.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.default_name())
    }

    /// "Firefox 125", or just "Firefox" without a version.
    pub fn browser(&self) -> String {
        if self.browser_version.is_empty() {
            self.browser_name.clone()
        } else {
            format!("{} {}", self.browser_name, self.browser_version)
        }
    }
}
