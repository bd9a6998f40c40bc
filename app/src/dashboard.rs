//! What the sessions board shows, read from the store and worded for the
//! page (server side only: the board is rendered there).
use crate::display;
use crate::error::AppError;
use sessions::{
    Answer, AuthMethod, CurrentSession, HistoryCursor, HistoryQuery, Place, SessionStore,
    SessionView,
};

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
    pub location: display::Located,
    pub last_seen_ms: i64,
    pub created_ms: i64,
    pub pages_visited: i64,
    pub current: bool,
    /// How it signed in: "Password + authenticator".
    pub auth_method: &'static str,
    /// The owner's name, if given; `title` is it or the default.
    pub name: Option<String>,
    pub title: String,
    pub default_name: String,
    pub marks: Marks,
    /// Places it was used from, and the trail (most recent first) when
    /// there are several.
    pub place_count: u32,
    pub places: Vec<PlaceLine>,
}

/// "New device", "New location", "Location changed", decided by the store
/// and kept with the session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    pub new_device: bool,
    pub new_location: bool,
    pub location_changed: bool,
    /// Signed in with a recovery code.
    pub recovery_code: bool,
}

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

/// One place of a session's trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceLine {
    pub ip: String,
    pub location: display::Located,
    pub first_ms: i64,
    pub last_ms: i64,
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

/// "Was this you?" about one sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: String,
    pub title: String,
    pub device_type: &'static str,
    pub browser: String,
    pub platform: String,
    pub location: display::Located,
    pub ip: String,
    pub created_ms: i64,
    pub marks: Marks,
    /// Recovery codes left, said when it signed in with one.
    pub codes_left: Option<u64>,
}

impl Notice {
    pub fn of(view: &SessionView, codes_left: u64) -> Self {
        Notice {
            id: view.id.clone(),
            title: view.display_name(),
            device_type: display::device_type(view.device_type),
            browser: view.browser(),
            platform: view.platform.clone(),
            location: display::located(&view.location),
            ip: view.ip.clone(),
            created_ms: view.created_at.timestamp_millis(),
            marks: Marks::of(view),
            codes_left: (view.auth_method == AuthMethod::PasswordAndRecoveryCode)
                .then_some(codes_left),
        }
    }
}

/// One row of the history table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    pub id: String,
    pub device_and_browser: String,
    pub location: display::Located,
    pub created_ms: i64,
    pub ended_ms: Option<i64>,
    pub status: String,
    pub auth_method: &'static str,
    pub name: Option<String>,
    pub marks: Marks,
    /// "Confirmed" or "Denied", once answered.
    pub answer: Option<&'static str>,
}

/// What a destructive form asks for, when the session's proof is older
/// than the re-authentication window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedLine {
    pub network: String,
    pub location: display::Located,
    /// "Desktop · Chrome on Windows".
    pub device: String,
    /// "Wrong password", or "Right password, wrong code".
    pub step: &'static str,
    pub count: u32,
    pub first_ms: i64,
    pub last_ms: i64,
    /// Until when this network is locked out of the account, if it is.
    pub locked_until_ms: Option<i64>,
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
            },
            count: f.count,
            first_ms: f.first_at.timestamp_millis(),
            last_ms: f.last_at.timestamp_millis(),
            locked_until_ms: f.locked_until.map(|t| t.timestamp_millis()),
        }
    }
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
    /// What the session must give again before terminating.
    pub reauth: Proof,
    /// Sign-ins waiting for "Was this you?".
    pub notices: Vec<Notice>,
    /// The account has a second factor.
    pub two_factor_on: bool,
    /// Failed sign-ins of the last 30 days.
    pub failed: Vec<FailedLine>,
    /// Codes are cooling down or locked after wrong ones: what to say.
    pub code_lock: Option<String>,
}

impl Dashboard {
    /// Active sessions but the viewer's own.
    pub fn others(&self) -> u64 {
        self.cards.iter().filter(|c| !c.current).count() as u64
    }
}

pub fn card(view: SessionView, current_id: &str, places: &[Place]) -> SessionCard {
    // Worded first, then the view's strings are moved, not copied.
    let (title, default_name, browser) = (view.display_name(), view.default_name(), view.browser());
    SessionCard {
        device_type: display::device_type(view.device_type),
        browser,
        location: display::located(&view.location),
        last_seen_ms: view.last_seen_at.timestamp_millis(),
        created_ms: view.created_at.timestamp_millis(),
        pages_visited: view.pages_visited,
        current: view.id == current_id,
        auth_method: display::auth_method(view.auth_method),
        title,
        default_name,
        marks: Marks::of(&view),
        place_count: view.place_count,
        places: places.iter().map(PlaceLine::of).collect(),
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
        auth_method: display::auth_method(view.auth_method),
        name: view.name.clone(),
        marks: Marks::of(view),
        answer: view.answer.map(|a| match a {
            Answer::Confirmed => "Confirmed",
            Answer::Denied => "Denied",
        }),
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
        reauth: Proof::needed(page.reauth_needed, page.two_factor_on),
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

fn now_ms(store: &SessionStore) -> i64 {
    store.now().timestamp_millis()
}

/// The "Was this you?" notices of `current`'s account, outside the
/// sessions page, and what answering "No" asks for.
pub async fn notices(
    store: &SessionStore,
    current: &CurrentSession,
) -> Result<(Vec<Notice>, Proof), AppError> {
    let pending = store.pending_sign_ins(current).await?;
    if pending.is_empty() {
        return Ok((Vec::new(), Proof::None));
    }
    let stale = !store.recently_authenticated(current).await?;
    let on = store.two_factor_status(current.user_id).await?.enabled;
    let reauth = Proof::needed(stale, on);
    let pending: Vec<&SessionView> = pending.iter().collect();
    Ok((notices_of(store, current, &pending).await?, reauth))
}
