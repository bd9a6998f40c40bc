//! What the sessions board shows, as data: read and worded on the server
//! (`load.rs`), then rendered from the same values by the page and, after
//! hydration, by its island, which refetches them when something changes.
//! Short field names keep the island's props small in every page.
#[cfg(feature = "ssr")]
mod load;
#[cfg(feature = "ssr")]
pub use load::*;

use crate::display::Located;
use serde::{Deserialize, Serialize};

/// One active session, ready to show on a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCard {
    pub id: String,
    #[serde(rename = "dt")]
    pub device_type: String,
    #[serde(rename = "pf")]
    pub platform: String,
    #[serde(rename = "br")]
    pub browser: String,
    pub ip: String,
    #[serde(rename = "loc")]
    pub location: Located,
    #[serde(rename = "seen")]
    pub last_seen_ms: i64,
    #[serde(rename = "at")]
    pub created_ms: i64,
    #[serde(rename = "pv")]
    pub pages_visited: i64,
    #[serde(rename = "cur", default)]
    pub current: bool,
    /// How it signed in: "Password + authenticator".
    #[serde(rename = "am")]
    pub auth_method: String,
    /// The owner's name, if given; `title` is it or the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "t")]
    pub title: String,
    #[serde(rename = "dn")]
    pub default_name: String,
    #[serde(rename = "mk", default)]
    pub marks: Marks,
    /// Places it was used from, and the trail (most recent first) when
    /// there are several.
    #[serde(rename = "pc")]
    pub place_count: u32,
    #[serde(rename = "pl", default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<PlaceLine>,
    /// The apps behind the proxy it used, most recently first.
    #[serde(rename = "ap", default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<AppLine>,
    /// The app its sign-in started from.
    #[serde(rename = "sa", default, skip_serializing_if = "Option::is_none")]
    pub started_app: Option<String>,
}

/// A protected app a session used, and when last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppLine {
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "s")]
    pub last_ms: i64,
}

/// "New device", "New location", "Location changed", decided by the store
/// and kept with the session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    #[serde(rename = "d", default)]
    pub new_device: bool,
    #[serde(rename = "l", default)]
    pub new_location: bool,
    #[serde(rename = "m", default)]
    pub location_changed: bool,
    /// Signed in with a recovery code.
    #[serde(rename = "r", default)]
    pub recovery_code: bool,
}

impl Marks {
    pub fn any(self) -> bool {
        self.new_device || self.new_location || self.location_changed || self.recovery_code
    }
}

/// One place of a session's trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceLine {
    pub ip: String,
    #[serde(rename = "loc")]
    pub location: Located,
    #[serde(rename = "a")]
    pub first_ms: i64,
    #[serde(rename = "b")]
    pub last_ms: i64,
}

/// "Was this you?" about one sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: String,
    #[serde(rename = "t")]
    pub title: String,
    #[serde(rename = "dt")]
    pub device_type: String,
    #[serde(rename = "br")]
    pub browser: String,
    #[serde(rename = "pf")]
    pub platform: String,
    #[serde(rename = "loc")]
    pub location: Located,
    pub ip: String,
    #[serde(rename = "at")]
    pub created_ms: i64,
    #[serde(rename = "mk", default)]
    pub marks: Marks,
    /// The app its sign-in started from.
    #[serde(rename = "sa", default, skip_serializing_if = "Option::is_none")]
    pub started_app: Option<String>,
    /// Recovery codes left, said when it signed in with one.
    #[serde(rename = "left", default, skip_serializing_if = "Option::is_none")]
    pub codes_left: Option<u64>,
}

/// One row of the history table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub id: String,
    #[serde(rename = "db")]
    pub device_and_browser: String,
    #[serde(rename = "loc")]
    pub location: Located,
    #[serde(rename = "at")]
    pub created_ms: i64,
    #[serde(rename = "end", default, skip_serializing_if = "Option::is_none")]
    pub ended_ms: Option<i64>,
    #[serde(rename = "st")]
    pub status: String,
    #[serde(rename = "am")]
    pub auth_method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "mk", default)]
    pub marks: Marks,
    /// The apps it used, most recently first.
    #[serde(rename = "ap", default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<String>,
    /// "Confirmed" or "Denied", once answered.
    #[serde(rename = "ans", default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// What a destructive form asks for, when the session's proof is older
/// than the re-authentication window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Proof {
    /// Nothing: proved recently.
    #[default]
    None,
    /// The password (no second factor).
    Password,
    /// A code from the authenticator app, or a recovery code.
    Code,
}

impl Proof {
    /// What a session must give now, given whether it must give anything
    /// and whether the account has a second factor.
    pub fn needed(reauth: bool, two_factor_on: bool) -> Self {
        match (reauth, two_factor_on) {
            (false, _) => Proof::None,
            (true, false) => Proof::Password,
            (true, true) => Proof::Code,
        }
    }
}

/// Failed sign-ins of one day from one network, worded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedLine {
    pub network: String,
    #[serde(rename = "loc")]
    pub location: Located,
    /// "Desktop · Chrome on Windows".
    #[serde(rename = "dev")]
    pub device: String,
    /// "Wrong password", or "Right password, wrong code".
    pub step: String,
    #[serde(rename = "n")]
    pub count: u32,
    #[serde(rename = "a")]
    pub first_ms: i64,
    #[serde(rename = "b")]
    pub last_ms: i64,
    /// Until when this network is locked out of the account, if it is.
    #[serde(rename = "lock", default, skip_serializing_if = "Option::is_none")]
    pub locked_until_ms: Option<i64>,
}

impl FailedLine {
    /// Whether the right password was typed (then a wrong code).
    pub fn password_known(&self) -> bool {
        self.step.starts_with("Right password")
    }
}

/// Everything the sessions board shows; on other pages, only `notices`
/// and `reauth` are filled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<SessionCard>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer: Option<String>,
    #[serde(rename = "now")]
    pub now_ms: i64,
    #[serde(rename = "dbip", default)]
    pub dbip_attribution: bool,
    /// Until when (epoch milliseconds) the viewer's last proof holds; after
    /// it, destructive forms ask for the password (or a code).
    #[serde(rename = "pu", default)]
    pub proof_until: i64,
    /// Sign-ins waiting for "Was this you?".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
    /// The account has a second factor.
    #[serde(rename = "tfa", default)]
    pub two_factor_on: bool,
    /// Failed sign-ins of the last 30 days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<FailedLine>,
    /// Codes are cooling down or locked after wrong ones: what to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_lock: Option<String>,
}

impl Dashboard {
    /// Active sessions but the viewer's own.
    pub fn others(&self) -> u64 {
        self.cards.iter().filter(|c| !c.current).count() as u64
    }

    /// What a destructive form asks for at `now_ms`.
    pub fn proof_at(&self, now_ms: i64) -> Proof {
        Proof::needed(now_ms > self.proof_until, self.two_factor_on)
    }
}

/// Which board the page shows: a history page, and whether the "Sign out
/// everywhere" confirmation is open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(default)]
    pub confirm: bool,
}
