//! The islands' live half: one clock for every relative time, the
//! live-update stream (`leptos-use`'s `use_event_source`, which reconnects
//! by itself), fresh data when something changed (the latest request
//! wins), and a sentence for screen readers saying what changed.
use super::go;
use crate::components::Board;
use crate::contract::{EVENTS_PATH, Page, query, sse};
use crate::dashboard::Dashboard;
use crate::error::{AppError, ErrorKind};
use crate::server_fns::live::{board_data, notices_data};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_use_event_source::{
    ReconnectLimit, UseEventSourceOnEventReturn, UseEventSourceOptions,
    use_event_source_with_options,
};
use wasm_bindgen::JsCast;

/// Which data an island shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The sessions board.
    Board,
    /// Only the "Was this you?" notices (other pages).
    Notices,
}

/// Makes `board` live; everything stops when the island goes.
pub fn run(board: Board, scope: Scope) {
    super::mark_hydrated();
    // Hydrated: times in the viewer's zone, ticking from one timer.
    Effect::new(move |_| board.local.set(true));
    if scope == Scope::Board {
        let tick = set_interval_with_handle(
            move || board.now.set(js_sys::Date::now() as i64),
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(t) = tick {
                t.clear();
            }
        });
    }
    refetching(board, scope);
    stream(board);
}

/// Fresh data each time the board asks ([`Board::refetch`]); the answer
/// to the latest question wins. (A `LocalResource` did the same for 28 KB
/// more of gzipped wasm.)
fn refetching(board: Board, scope: Scope) {
    let asked = StoredValue::new(0_u64);
    Effect::new(move |_| {
        // The page came with its data.
        let version = board.version.get();
        if version == 0 {
            return;
        }
        asked.set_value(version);
        let (before, after) = board
            .query
            .with_untracked(|q| (q.before.clone(), q.after.clone()));
        spawn_local(async move {
            let answer = match scope {
                Scope::Board => board_data(before, after).await,
                Scope::Notices => notices_data().await,
            };
            if asked.try_get_value() == Some(version) {
                show(board, answer);
            }
        });
    });
}

fn show(board: Board, answer: Result<Dashboard, AppError>) {
    match answer {
        Ok(mut data) => {
            let said = board.data.with_untracked(|old| {
                keep_places(old, &mut data);
                what_changed(old, &data)
            });
            if !said.is_empty() {
                board.announce.set(said);
            }
            board.data.set(data);
        }
        // Signed out: the stream says why, and leaves for the login page.
        Err(e) if e.kind == ErrorKind::NotSignedIn => {}
        Err(e) => board.error.set(Some(e.message())),
    }
}

/// Cards already shown keep their places while the page is open, and a
/// new one comes last: a card that moved would take the focus and the
/// pointer's target with it, and shift the whole grid. A reload sorts them
/// by last activity again.
fn keep_places(old: &Dashboard, new: &mut Dashboard) {
    let place = |id: &str| old.cards.iter().position(|c| c.id == id);
    // Stable: new cards (no place) keep the server's order, after the rest.
    new.cards
        .sort_by_key(|c| place(&c.id).map_or((1, 0), |p| (0, p)));
}

/// "Chrome on Windows signed in. Safari on iOS was signed out."
fn what_changed(old: &Dashboard, new: &Dashboard) -> String {
    let had = |d: &Dashboard, id: &str| d.cards.iter().any(|c| c.id == id);
    let came = new
        .cards
        .iter()
        .filter(|c| !had(old, &c.id))
        .map(|c| format!("{} signed in.", c.title));
    let went = old
        .cards
        .iter()
        .filter(|c| !had(new, &c.id))
        .map(|c| format!("{} was signed out.", c.title));
    came.chain(went).collect::<Vec<_>>().join(" ")
}

/// Where the page goes when its own session ends, by why.
fn signed_out_page(why: Option<String>) -> String {
    let (key, value) = match why.as_deref() {
        Some(sse::LOGGED_OUT) => (query::SIGNED_OUT, "1"),
        Some(sse::EXPIRED) => (query::EXPIRED, "1"),
        Some(sse::BY_ADMINISTRATOR) => (query::ENDED, query::ENDED_BY_ADMINISTRATOR),
        Some(sse::MADE_ROOM) => (query::ENDED, query::ENDED_FOR_ROOM),
        _ => (query::ENDED, "1"),
    };
    format!("{}?{key}={value}", Page::Login.path())
}

/// The live stream: `changed` refetches, this session's own end leaves
/// for the login page saying why, and a reconnection refetches (events
/// may have been missed). The server says why a session ended even when
/// the stream reconnects after the end, so no guess is ever needed.
fn stream(board: Board) {
    let reopened = StoredValue::new(false);
    let options = UseEventSourceOptions::default()
        .reconnect_limit(ReconnectLimit::Infinite)
        .reconnect_interval(2_000)
        .named_events([sse::CHANGED.to_owned(), sse::SIGNED_OUT.to_owned()])
        .on_event(move |e: &web_sys::Event| {
            match e.type_().as_str() {
                sse::CHANGED => board.refetch(),
                sse::SIGNED_OUT => {
                    let why = e
                        .dyn_ref::<web_sys::MessageEvent>()
                        .and_then(|m| m.data().as_string());
                    go(&signed_out_page(why));
                }
                "open" => {
                    if reopened.get_value() {
                        board.refetch();
                    }
                    reopened.set_value(true);
                }
                _ => {}
            }
            UseEventSourceOnEventReturn::IgnoreProcessingMessage
        });
    let _ = use_event_source_with_options::<String, codee::string::FromToStringCodec>(
        EVENTS_PATH.to_owned(),
        options,
    );
}
