//! Reading the board from the store and wording it (server side only).
use super::*;
use crate::display;
use crate::error::AppError;
use sessions::{
    Answer, AuthMethod, CurrentSession, HistoryCursor, HistoryQuery, Place, SessionStore,
    SessionView,
};

/// History rows per page.
const HISTORY_PAGE: u64 = 10;

impl Marks {
    fn of(view: &SessionView) -> Self {
        Marks {
            new_device: view.new_device,
            new_location: view.new_location,
            location_changed: view.location_changed,
            recovery_code: view.auth_method == AuthMethod::PasswordAndRecoveryCode,
        }
    }
}

impl PlaceLine {
    fn of(p: &Place) -> Self {
        PlaceLine {
            ip: p.ip.clone(),
            location: display::located(&p.location),
            first_ms: p.first_seen_at.timestamp_millis(),
            last_ms: p.last_seen_at.timestamp_millis(),
        }
    }
}

impl Notice {
    pub fn of(view: &SessionView, codes_left: u64) -> Self {
        Notice {
            id: view.id.clone(),
            title: view.display_name(),
            device_type: display::device_type(view.device_type).to_owned(),
            browser: view.browser(),
            platform: view.platform.clone(),
            location: display::located(&view.location),
            ip: view.ip.clone(),
            created_ms: view.created_at.timestamp_millis(),
            marks: Marks::of(view),
            started_app: view.started_app.clone(),
            codes_left: (view.auth_method == AuthMethod::PasswordAndRecoveryCode)
                .then_some(codes_left),
        }
    }
}

impl FailedLine {
    fn of(f: &sessions::FailedSignIn) -> Self {
        FailedLine {
            network: f.network.clone(),
            location: display::located(&f.location),
            device: format!(
                "{} · {} on {}",
                display::device_type(f.device_type),
                f.browser_name,
                f.platform
            ),
            step: match f.step {
                sessions::FailedStep::Password => "Wrong password",
                sessions::FailedStep::Code => "Right password, wrong code",
            }
            .to_owned(),
            count: f.count,
            first_ms: f.first_at.timestamp_millis(),
            last_ms: f.last_at.timestamp_millis(),
            locked_until_ms: f.locked_until.map(|t| t.timestamp_millis()),
        }
    }
}

pub fn card(view: SessionView, current_id: &str, places: &[Place]) -> SessionCard {
    // Worded first, then the view's strings are moved, not copied.
    let (title, default_name, browser) = (view.display_name(), view.default_name(), view.browser());
    SessionCard {
        device_type: display::device_type(view.device_type).to_owned(),
        browser,
        location: display::located(&view.location),
        last_seen_ms: view.last_seen_at.timestamp_millis(),
        created_ms: view.created_at.timestamp_millis(),
        pages_visited: view.pages_visited,
        current: view.id == current_id,
        auth_method: display::auth_method(view.auth_method).to_owned(),
        title,
        default_name,
        marks: Marks::of(&view),
        place_count: view.place_count,
        places: places.iter().map(PlaceLine::of).collect(),
        apps: view
            .apps
            .iter()
            .map(|a| AppLine {
                name: a.name.clone(),
                last_ms: a.last_seen_at.timestamp_millis(),
            })
            .collect(),
        started_app: view.started_app,
        id: view.id,
        platform: view.platform,
        ip: view.ip,
        name: view.name,
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
        location: display::located(&view.location),
        created_ms: view.created_at.timestamp_millis(),
        ended_ms: view.ended_at.map(|t| t.timestamp_millis()),
        status: match view.end_reason {
            None if view.is_active() => "Active".to_owned(),
            None => "Ended".to_owned(),
            Some(r) => format!("Ended — {}", display::end_reason(r)),
        },
        auth_method: display::auth_method(view.auth_method).to_owned(),
        name: view.name.clone(),
        marks: Marks::of(view),
        apps: view.apps.iter().map(|a| a.name.clone()).collect(),
        answer: view.answer.map(|a| {
            match a {
                Answer::Confirmed => "Confirmed",
                Answer::Denied => "Denied",
            }
            .to_owned()
        }),
    }
}

fn cursor(c: Option<String>) -> Result<Option<HistoryCursor>, AppError> {
    c.filter(|s| !s.is_empty())
        .map(|s| HistoryCursor::parse(&s))
        .transpose()
        .map_err(AppError::from)
}

fn now_ms(store: &SessionStore) -> i64 {
    store.now().timestamp_millis()
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
    let pending = page.pending_sign_ins(current);
    let notices = notices_of(store, current, &pending).await?;
    let trail = |id: &str| page.places.get(id).map_or(&[][..], Vec::as_slice);
    let cards = page
        .active
        .into_iter()
        .map(|s| {
            let places = trail(&s.id);
            card(s, &current.public_id, places)
        })
        .collect();
    let code_lock = if page.failed_sign_ins.is_empty() || !page.two_factor_on {
        None
    } else {
        crate::messages::code_lock(store.code_lock(current.user_id).await?, now_ms(store))
    };
    Ok(Dashboard {
        cards,
        history: page.history.entries.iter().map(history_row).collect(),
        older: page.history.older.map(|c| c.encode()),
        newer: page.history.newer.map(|c| c.encode()),
        now_ms: now_ms(store),
        dbip_attribution: store.geoip().requires_dbip_attribution(),
        proof_until: page.proof_until,
        notices,
        two_factor_on: page.two_factor_on,
        failed: page.failed_sign_ins.iter().map(FailedLine::of).collect(),
        code_lock,
    })
}

/// Worded notices; recovery codes are counted only when one says how many
/// are left.
async fn notices_of(
    store: &SessionStore,
    current: &CurrentSession,
    pending: &[&SessionView],
) -> Result<Vec<Notice>, AppError> {
    let recovery = pending
        .iter()
        .any(|s| s.auth_method == AuthMethod::PasswordAndRecoveryCode);
    let left = if recovery {
        store
            .two_factor_status(current.user_id)
            .await?
            .recovery_codes_left
    } else {
        0
    };
    Ok(pending.iter().map(|s| Notice::of(s, left)).collect())
}

/// The "Was this you?" notices of `current`'s account, outside the
/// sessions page, and what answering "No" asks for: a board with only its
/// notices filled.
pub async fn notices(
    store: &SessionStore,
    current: &CurrentSession,
) -> Result<Dashboard, AppError> {
    let mut board = Dashboard {
        now_ms: now_ms(store),
        ..Dashboard::default()
    };
    let pending = store.pending_sign_ins(current).await?;
    if pending.is_empty() {
        return Ok(board);
    }
    board.proof_until = store.proof_until(current).await?;
    board.two_factor_on = store.two_factor_status(current.user_id).await?.enabled;
    let pending: Vec<&SessionView> = pending.iter().collect();
    board.notices = notices_of(store, current, &pending).await?;
    Ok(board)
}
