//! What the JSON API returns and accepts: its own types, so that the
//! contract (and the OpenAPI document made from it) does not move when the
//! store's internals do.
use chrono::{DateTime, Utc};
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};
use sessions::{Location, SessionView};
use utoipa::{IntoParams, ToSchema};

/// One session (signed-in device) of the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// Public id (random; never the token).
    pub id: String,
    /// The session this request came with.
    pub this_device: bool,
    /// A name its owner gave it.
    pub name: Option<String>,
    /// `Desktop`, `Mobile`, `Tablet`, `Bot` or `Other`.
    #[schema(example = "Desktop")]
    pub device_type: String,
    /// Operating system family.
    #[schema(example = "Linux")]
    pub os: String,
    /// Browser family.
    #[schema(example = "Firefox")]
    pub browser: String,
    /// Browser major version (may be empty).
    pub browser_version: String,
    /// Latest client IP address.
    pub ip: String,
    /// Country of that address (ISO 3166-1 alpha-2), when known.
    #[schema(example = "DE")]
    pub country: Option<String>,
    /// The address is a private, loopback or link-local one.
    pub local_network: bool,
    /// Login time.
    pub signed_in_at: DateTime<Utc>,
    /// Last activity.
    pub last_seen_at: DateTime<Utc>,
    /// Pages opened.
    pub pages_visited: i64,
    /// How it signed in: `password`, `totp` (password and app code) or
    /// `recovery` (password and recovery code).
    #[schema(example = "password")]
    pub auth_method: String,
    /// End time, for ended sessions.
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it ended, e.g. `signed_out`, `terminated`, `expired`.
    pub end_reason: Option<String>,
    /// At login, a device the account had never used.
    pub new_device: bool,
    /// At login, a country the account had never signed in from.
    pub new_location: bool,
    /// The owner's answer to "Was this you?": `confirmed` or `denied`.
    pub answer: Option<String>,
    /// The protected app its sign-in started from.
    pub started_app: Option<String>,
    /// The protected apps it used, most recently first.
    pub apps: Vec<AppUse>,
    /// For an API token (`auth_method` `api_token`), when it expires.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A protected app a session used.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppUse {
    /// The app's name.
    pub name: String,
    /// Its latest request through the proxy.
    pub last_seen_at: DateTime<Utc>,
    /// Pages opened in it.
    pub pages: i64,
}

impl Session {
    /// `view` as the API shows it, to the owner of session `current`.
    pub fn of(view: SessionView, current: &str) -> Self {
        let (country, local_network) = match view.location {
            Location::Country(code) => (Some(code), false),
            Location::LocalNetwork => (None, true),
            Location::Unknown => (None, false),
        };
        Session {
            this_device: view.id == current,
            id: view.id,
            name: view.name,
            device_type: view.device_type.to_value(),
            os: view.platform,
            browser: view.browser_name,
            browser_version: view.browser_version,
            ip: view.ip,
            country,
            local_network,
            signed_in_at: view.created_at,
            last_seen_at: view.last_seen_at,
            pages_visited: view.pages_visited,
            auth_method: view.auth_method.to_value(),
            ended_at: view.ended_at,
            end_reason: view.end_reason.map(|r| r.to_value()),
            new_device: view.new_device,
            new_location: view.new_location,
            answer: view.answer.map(|a| a.to_value()),
            started_app: view.started_app,
            apps: view
                .apps
                .into_iter()
                .map(|a| AppUse {
                    name: a.name,
                    last_seen_at: a.last_seen_at,
                    pages: a.pages,
                })
                .collect(),
            expires_at: view.expires_at,
        }
    }
}

/// The account's active sessions, most recently active first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<Session>,
}

/// One page of the account's sessions, active and ended, newest login first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    pub entries: Vec<Session>,
    /// Cursor of the next older page (`?before=`), if there is one.
    pub older: Option<String>,
    /// Cursor of the next newer page (`?after=`), if there is one.
    pub newer: Option<String>,
}

/// Which page of history.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Entries older than this cursor.
    pub before: Option<String>,
    /// Entries newer than this cursor.
    pub after: Option<String>,
    /// Page size: 20 unless given, at most 200.
    pub limit: Option<u64>,
}

/// Who is signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    /// Public id of this session.
    pub session_id: String,
    /// When this session signed in.
    pub signed_in_at: DateTime<Utc>,
    /// How it signed in (as in [`Session::auth_method`]).
    pub auth_method: String,
    /// Whether the account has a second factor.
    pub two_factor: bool,
    /// For a call with an API token, its scope: `read` or `manage`.
    pub token_scope: Option<String>,
}

/// A new name for a session.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Rename {
    /// Up to 60 characters; empty restores the default name.
    pub name: String,
}

/// The proof a destructive call needs when the session's last one is older
/// than the re-authentication window.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Reauthenticate {
    /// The password, or with two-factor on a code from the app (or a
    /// recovery code).
    pub proof: String,
}

/// How many sessions ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    pub ended: u64,
}
