//! What `/admin/sessions` shows, as data: read and worded on the server,
//! rendered by the page and, after hydration, by its island, which
//! refetches it when any account's sessions start or end.
use serde::{Deserialize, Serialize};

/// The admin console's page of account `name` (a link on both sides, so
/// encoded by hand: the server's URL crate is not in the browser's build).
pub fn account_link(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!(
        "{}?{}={encoded}",
        crate::contract::Page::AdminUsers.path(),
        crate::contract::query::USER
    )
}

/// One active session of some account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRow {
    pub id: String,
    pub user: String,
    /// "Chrome on Windows · Desktop · Chrome 124".
    pub device: String,
    /// "81.2.69.142 · 🇬🇧 United Kingdom".
    pub place: String,
    pub last_seen_ms: i64,
    pub created_ms: i64,
    pub review: bool,
}

/// The filtered sessions: a page of them and how many in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRows {
    pub rows: Vec<AdminRow>,
    pub total: u64,
}

#[cfg(feature = "ssr")]
impl From<sessions::AdminSessionPage> for AdminRows {
    fn from(page: sessions::AdminSessionPage) -> Self {
        use crate::display;
        let rows = page
            .sessions
            .into_iter()
            .map(|row| {
                let s = row.session;
                AdminRow {
                    device: format!(
                        "{} · {} · {}",
                        s.display_name(),
                        display::device_type(s.device_type),
                        s.browser()
                    ),
                    place: format!("{} · {}", s.ip, display::location(&s.location)),
                    last_seen_ms: s.last_seen_at.timestamp_millis(),
                    created_ms: s.created_at.timestamp_millis(),
                    review: s.needs_review(),
                    id: s.id,
                    user: row.username,
                }
            })
            .collect();
        Self {
            rows,
            total: page.total,
        }
    }
}
