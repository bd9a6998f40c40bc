//! The public face of a session: what pages and events carry. No token, no
//! hash, no internal id.
use crate::agent::DeviceType;
use crate::clock::from_ms;
use crate::entity::session;
use crate::geo::Location;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The user logged out on that device.
    SignedOut,
    /// Ended from another device with "Terminate".
    Terminated,
    /// Ended by "Sign out everywhere" on another device.
    SignedOutEverywhere,
    /// Idle timeout or absolute lifetime passed.
    Expired,
    /// The password was changed with "sign out all other devices".
    PasswordChanged,
}

impl EndReason {
    /// The stored value, e.g. `signed_out_everywhere`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedOut => "signed_out",
            Self::Terminated => "terminated",
            Self::SignedOutEverywhere => "signed_out_everywhere",
            Self::Expired => "expired",
            Self::PasswordChanged => "password_changed",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn from_stored(s: &str) -> Option<Self> {
        Some(match s {
            "signed_out" => Self::SignedOut,
            "terminated" => Self::Terminated,
            "signed_out_everywhere" => Self::SignedOutEverywhere,
            "expired" => Self::Expired,
            "password_changed" => Self::PasswordChanged,
            _ => return None,
        })
    }

    /// Human words, e.g. "signed out everywhere".
    pub fn label(self) -> &'static str {
        match self {
            Self::SignedOut => "signed out",
            Self::Terminated => "terminated",
            Self::SignedOutEverywhere => "signed out everywhere",
            Self::Expired => "expired",
            Self::PasswordChanged => "password changed",
        }
    }
}

/// One session as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Raw user agent (truncated to 512 bytes).
    pub user_agent: String,
    /// Latest client IP.
    pub ip: String,
    /// Where the latest IP is.
    pub location: Location,
    /// Client IP at login.
    pub login_ip: String,
    /// Where the login IP is.
    pub login_location: Location,
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
}

impl SessionView {
    /// Whether the session is still active.
    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
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

impl From<&session::Model> for SessionView {
    fn from(m: &session::Model) -> Self {
        let location =
            |ip: &str, code: Option<&str>| Location::from_parts(ip.parse::<IpAddr>().ok(), code);
        Self {
            id: m.public_id.clone(),
            device_type: DeviceType::from_stored(&m.device_type),
            platform: m.platform.clone(),
            browser_name: m.browser_name.clone(),
            browser_version: m.browser_version.clone(),
            user_agent: m.user_agent.clone(),
            ip: m.last_ip.clone(),
            location: location(&m.last_ip, m.country_code.as_deref()),
            login_ip: m.login_ip.clone(),
            login_location: location(&m.login_ip, m.login_country_code.as_deref()),
            created_at: from_ms(m.created_at),
            last_seen_at: from_ms(m.last_seen_at),
            pages_visited: m.pages_visited,
            ended_at: m.ended_at.map(from_ms),
            end_reason: m.end_reason.as_deref().and_then(EndReason::from_stored),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_reasons_round_trip() {
        for r in [
            EndReason::SignedOut,
            EndReason::Terminated,
            EndReason::SignedOutEverywhere,
            EndReason::Expired,
            EndReason::PasswordChanged,
        ] {
            assert_eq!(EndReason::from_stored(r.as_str()), Some(r));
        }
        assert_eq!(EndReason::PasswordChanged.label(), "password changed");
        assert_eq!(EndReason::from_stored("nope"), None);
    }
}
