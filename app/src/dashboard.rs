//! What the sessions board shows, read from the store and worded for the
//! page (server side only: the board is rendered there).
use crate::display;
use crate::error::AppError;
use sessions::{CurrentSession, HistoryCursor, HistoryQuery, SessionStore, SessionView};

/// History rows per page.
const HISTORY_PAGE: u64 = 10;

/// One active session, ready to show on a card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCard {
    pub id: String,
    pub device_type: &'static str,
    pub platform: String,
    pub browser: String,
    pub ip: String,
    pub location: String,
    pub last_seen_ms: i64,
    pub created_ms: i64,
    pub pages_visited: i64,
    pub current: bool,
}

/// One row of the history table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    pub id: String,
    pub device_and_browser: String,
    pub location: String,
    pub created_ms: i64,
    pub ended_ms: Option<i64>,
    pub status: String,
}

/// Everything the sessions board shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    pub cards: Vec<SessionCard>,
    pub history: Vec<HistoryRow>,
    pub older: Option<String>,
    pub newer: Option<String>,
    pub now_ms: i64,
    pub dbip_attribution: bool,
    /// The session must give its password again before terminating.
    pub reauth: bool,
}

impl Dashboard {
    /// Active sessions but the viewer's own.
    pub fn others(&self) -> u64 {
        self.cards.iter().filter(|c| !c.current).count() as u64
    }
}

pub fn card(view: &SessionView, current_id: &str) -> SessionCard {
    SessionCard {
        id: view.id.clone(),
        device_type: display::device_type(view.device_type),
        platform: view.platform.clone(),
        browser: view.browser(),
        ip: view.ip.clone(),
        location: display::location(&view.location),
        last_seen_ms: view.last_seen_at.timestamp_millis(),
        created_ms: view.created_at.timestamp_millis(),
        pages_visited: view.pages_visited,
        current: view.id == current_id,
    }
}

pub fn history_row(view: &SessionView) -> HistoryRow {
    HistoryRow {
        id: view.id.clone(),
        device_and_browser: format!(
            "{} · {} on {}",
            display::device_type(view.device_type),
            view.browser(),
            view.platform
        ),
        location: display::location(&view.location),
        created_ms: view.created_at.timestamp_millis(),
        ended_ms: view.ended_at.map(|t| t.timestamp_millis()),
        status: match view.end_reason {
            None if view.is_active() => "Active".to_owned(),
            None => "Ended".to_owned(),
            Some(r) => format!("Ended — {}", display::end_reason(r)),
        },
    }
}

fn cursor(c: Option<String>) -> Result<Option<HistoryCursor>, AppError> {
    c.filter(|s| !s.is_empty())
        .map(|s| HistoryCursor::parse(&s))
        .transpose()
        .map_err(AppError::from)
}

/// Reads the board of `current`'s account; `before`/`after` page the history.
pub async fn load(
    store: &SessionStore,
    current: &CurrentSession,
    before: Option<String>,
    after: Option<String>,
) -> Result<Dashboard, AppError> {
    let query = HistoryQuery {
        before: cursor(before)?,
        after: cursor(after)?,
        limit: HISTORY_PAGE,
    };
    let page = store.sessions_page(current, &query).await?;
    Ok(Dashboard {
        cards: page
            .active
            .iter()
            .map(|s| card(s, &current.public_id))
            .collect(),
        history: page.history.entries.iter().map(history_row).collect(),
        older: page.history.older.map(|c| c.encode()),
        newer: page.history.newer.map(|c| c.encode()),
        now_ms: store.now().timestamp_millis(),
        dbip_attribution: store.geoip().requires_dbip_attribution(),
        reauth: page.reauth_needed,
    })
}
