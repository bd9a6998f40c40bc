//! The page's live-update stream: `changed` runs the given refresh; the
//! session's own end leaves for the login page, saying why.
use super::go;
use crate::contract::{EVENTS_PATH, Page, query, sse};
use crate::server_fns::account;
use leptos::prelude::window;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use web_sys::EventSource;

fn login_page(key: &str) -> String {
    format!("{}?{key}=1", Page::Login.path())
}

type Listener<E> = Closure<dyn FnMut(E)>;

struct Open {
    source: EventSource,
    _changed: Listener<web_sys::Event>,
    _signed_out: Listener<web_sys::MessageEvent>,
    _failed: Listener<web_sys::Event>,
}

thread_local! {
    /// When the page last started to leave, for every island of the page.
    static LEFT_AT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Starts noting when the page begins to leave; once per page.
fn watch_leaving() {
    if WATCHING.replace(true) {
        return;
    }
    let note = Closure::<dyn FnMut(web_sys::Event)>::new(|_| LEFT_AT.set(js_sys::Date::now()));
    let _ =
        window().add_event_listener_with_callback("beforeunload", note.as_ref().unchecked_ref());
    // Lives as long as the page.
    note.forget();
}

/// Whether a navigation away (a form post such as "Log out") began in the
/// last ten seconds. Only for a while: a page restored from the
/// back-forward cache acts again.
fn leaving() -> bool {
    js_sys::Date::now() - LEFT_AT.get() < 10_000.0
}

/// The session was found ended: leave for the login page saying it was
/// ended elsewhere, unless the page is already leaving. A refusal then is
/// that navigation's doing (our own "Log out"), and a new navigation now
/// would cancel it and say the wrong thing.
pub(super) fn ended_elsewhere() {
    if !leaving() {
        go(&login_page(query::ENDED));
    }
}

/// An open stream; closed when dropped.
pub struct Stream(SendWrapper<Open>);

impl Drop for Stream {
    fn drop(&mut self) {
        self.0.source.close();
    }
}

/// Opens the stream of the signed-in session, calling `changed` whenever
/// the account's sessions change.
pub fn open(changed: impl FnMut() + 'static) -> Option<Stream> {
    watch_leaving();
    let source = EventSource::new(EVENTS_PATH).ok()?;
    let mut changed = changed;
    let changed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| changed());
    let _ = source.add_event_listener_with_callback(sse::CHANGED, changed.as_ref().unchecked_ref());
    let signed_out =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if leaving() {
                return;
            }
            // Our own "Log out" (maybe in another tab) is not "ended elsewhere".
            go(&match e.data().as_string().as_deref() {
                Some(sse::LOGGED_OUT) => login_page(query::SIGNED_OUT),
                Some(sse::EXPIRED) => login_page(query::EXPIRED),
                _ => login_page(query::ENDED),
            });
        });
    let _ = source
        .add_event_listener_with_callback(sse::SIGNED_OUT, signed_out.as_ref().unchecked_ref());
    // A refused stream (401) is not retried by the browser: find out why.
    let probe = source.clone();
    let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if probe.ready_state() == EventSource::CLOSED && !leaving() {
            spawn_local(async move {
                if let Ok(None) = account::whoami().await {
                    ended_elsewhere();
                }
            });
        }
    });
    let _ = source.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
    Some(Stream(SendWrapper::new(Open {
        source,
        _changed: changed,
        _signed_out: signed_out,
        _failed: failed,
    })))
}
