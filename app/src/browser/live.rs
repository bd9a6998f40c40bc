//! The page's live-update stream: `changed` runs the given refresh; the
//! session's own end leaves for the login page, saying why.
use super::go;
use crate::contract::{EVENTS_PATH, Page, query, sse};
use crate::server_fns::account;
use leptos::prelude::window;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::EventSource;

pub(super) fn login_page(key: &str) -> String {
    format!("{}?{key}=1", Page::Login.path())
}

type Listener<E> = Closure<dyn FnMut(E)>;

struct Open {
    source: EventSource,
    _changed: Listener<web_sys::Event>,
    _signed_out: Listener<web_sys::MessageEvent>,
    _failed: Listener<web_sys::Event>,
    leaving: Listener<web_sys::Event>,
}

const BEFORE_UNLOAD: &str = "beforeunload";

/// When the page last started to leave.
#[derive(Clone)]
struct Leaving(Rc<Cell<f64>>);

impl Leaving {
    /// Whether a navigation away began in the last ten seconds.
    fn recently(&self) -> bool {
        js_sys::Date::now() - self.0.get() < 10_000.0
    }
}

/// An open stream; closed when dropped.
pub struct Stream(SendWrapper<Open>);

impl Drop for Stream {
    fn drop(&mut self) {
        self.0.source.close();
        let leaving = self.0.leaving.as_ref().unchecked_ref();
        let _ = window().remove_event_listener_with_callback(BEFORE_UNLOAD, leaving);
    }
}

/// Opens the stream of the signed-in session, calling `changed` whenever
/// the account's sessions change.
pub fn open(changed: impl FnMut() + 'static) -> Option<Stream> {
    let source = EventSource::new(EVENTS_PATH).ok()?;
    let mut changed = changed;
    let changed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| changed());
    let _ = source.add_event_listener_with_callback(sse::CHANGED, changed.as_ref().unchecked_ref());
    // The page is being left (a form post such as "Log out" is on its way):
    // a stream refused meanwhile is that navigation's doing, and going to
    // the login page now would cancel it and say "ended elsewhere". Only
    // for a while: a page restored from the back-forward cache acts again.
    let left = Leaving(Rc::new(Cell::new(f64::NEG_INFINITY)));
    let leaving = {
        let left = left.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| left.0.set(js_sys::Date::now()))
    };
    let _ =
        window().add_event_listener_with_callback(BEFORE_UNLOAD, leaving.as_ref().unchecked_ref());
    let signed_out = {
        let left = left.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if left.recently() {
                return;
            }
            // Our own "Log out" (maybe in another tab) is not "ended elsewhere".
            go(&match e.data().as_string().as_deref() {
                Some(sse::LOGGED_OUT) => login_page(query::SIGNED_OUT),
                Some(sse::EXPIRED) => login_page(query::EXPIRED),
                _ => login_page(query::ENDED),
            });
        })
    };
    let _ = source
        .add_event_listener_with_callback(sse::SIGNED_OUT, signed_out.as_ref().unchecked_ref());
    // A refused stream (401) is not retried by the browser: find out why.
    let probe = source.clone();
    let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if probe.ready_state() == EventSource::CLOSED && !left.recently() {
            let left = left.clone();
            spawn_local(async move {
                if let Ok(None) = account::whoami().await
                    && !left.recently()
                {
                    go(&login_page(query::ENDED));
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
        leaving,
    })))
}
