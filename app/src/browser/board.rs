//! The sessions board in the browser: live refreshes from the event
//! stream, its forms run in place, and times kept current.
use super::live::ended_elsewhere;
use super::{Kept, Message, board_form, elements, set_busy, show, text, value};
use crate::contract::{BoardAction, Page, query};
use crate::display::time;
use crate::error::{AppError, ErrorKind};
use crate::messages;
use crate::server_fns::{board as api, refresh, review};
use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlFormElement};

/// What the board shows: the history page and whether the "sign out
/// everywhere" confirmation is open.
#[derive(Clone, Default)]
struct BoardQuery {
    before: Option<String>,
    after: Option<String>,
    confirm: bool,
}

/// The sessions board in the browser.
#[derive(Clone, Copy)]
pub struct Board {
    el: NodeRef<Div>,
    info: Message,
    error: Message,
    query: StoredValue<BoardQuery>,
    /// Only the newest refresh may replace the board.
    generation: StoredValue<u64>,
}

impl Board {
    pub fn new(
        el: NodeRef<Div>,
        info: Message,
        error: Message,
        before: Option<String>,
        after: Option<String>,
        confirm: bool,
    ) -> Self {
        let query = BoardQuery {
            before,
            after,
            confirm,
        };
        Board {
            el,
            info,
            error,
            query: StoredValue::new(query),
            generation: StoredValue::new(0),
        }
    }

    /// Starts the clock and the live-update stream; both stop when the
    /// calling effect is cleaned up.
    pub fn start(self) {
        self.update_times(true);
        let tick = set_interval_with_handle(
            move || self.update_times(false),
            std::time::Duration::from_secs(1),
        )
        .ok();

        let stream = super::live::open(move || self.refresh());
        on_cleanup(move || {
            if let Some(t) = tick {
                t.clear();
            }
            drop(stream);
        });
    }

    /// Replaces the board with a fresh server rendering, keeping what the
    /// person was doing (an open fold, typed text, the focus).
    fn refresh(self) {
        self.refresh_keeping(true);
    }

    fn refresh_keeping(self, keep: bool) {
        let q = self.query.get_value();
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        spawn_local(async move {
            let result = refresh::board_html(q.before, q.after, q.confirm).await;
            if self.generation.get_value() != generation {
                return;
            }
            match result {
                Ok(html) => {
                    if let Some(el) = self.el.get_untracked() {
                        let kept = keep.then(|| Kept::take(&el));
                        el.set_inner_html(&html);
                        if let Some(kept) = kept {
                            kept.restore(&el);
                        }
                        self.update_times(true);
                    }
                }
                Err(e) if e.kind == ErrorKind::NotSignedIn => ended_elsewhere(),
                Err(e) => self.error.set(Some(e.message())),
            }
        });
    }

    /// The board's forms, run in place by kind.
    pub fn submit(self, ev: SubmitEvent) {
        let Some((form, data, action)) = board_form(&ev) else {
            return;
        };
        ev.prevent_default();
        match action {
            BoardAction::Terminate => {
                let (id, password) = (text(&data, "id"), value(&data, "password"));
                self.run(form, async move {
                    api::terminate_session(id, password)
                        .await
                        .map(|()| messages::TERMINATED.to_owned())
                });
            }
            BoardAction::SignOutEverywhere => {
                let password = value(&data, "password");
                self.run(form, async move {
                    api::sign_out_everywhere(password)
                        .await
                        .map(messages::signed_out_everywhere)
                });
            }
            BoardAction::ItWasMe => {
                let id = text(&data, "id");
                self.run(form, async move {
                    review::confirm_sign_in(id)
                        .await
                        .map(|()| messages::CONFIRMED_SIGN_IN.to_owned())
                });
            }
            BoardAction::NotMe => {
                super::deny(form, &data, self.info, self.error, move || self.refresh());
            }
            BoardAction::Rename => {
                let (id, name) = (text(&data, "id"), text(&data, "name"));
                self.run(form, async move {
                    review::rename_session(id, name)
                        .await
                        .map(|()| messages::RENAMED.to_owned())
                });
            }
            BoardAction::Confirm => {
                self.query.update_value(|q| q.confirm = true);
                self.refresh();
            }
            BoardAction::Page => {
                let before = value(&data, query::BEFORE);
                let after = value(&data, query::AFTER);
                // Keep the address bar in step, so a reload shows this page.
                let url = match (&before, &after) {
                    (Some(b), _) => format!("{}?{}={b}", Page::Sessions.path(), query::BEFORE),
                    (_, Some(a)) => format!("{}?{}={a}", Page::Sessions.path(), query::AFTER),
                    _ => Page::Sessions.path().to_owned(),
                };
                if let Ok(history) = window().history() {
                    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
                }
                self.query.set_value(BoardQuery {
                    before,
                    after,
                    confirm: false,
                });
                self.refresh();
            }
        }
    }

    /// "Cancel" on the confirmation closes it in place.
    pub fn click(self, ev: MouseEvent) {
        let cancel = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("[data-cancel]").ok().flatten());
        if cancel.is_some() {
            ev.prevent_default();
            self.query.update_value(|q| q.confirm = false);
            self.refresh();
        }
    }

    fn run(
        self,
        form: HtmlFormElement,
        action: impl Future<Output = Result<String, AppError>> + 'static,
    ) {
        let island = super::island_of(&form);
        set_busy(&form, true);
        spawn_local(async move {
            let outcome = action.await;
            set_busy(&form, false);
            // Done, or the password is needed now: the fresh board shows
            // what changed (or asks for it).
            let reauth = matches!(&outcome, Err(e) if e.kind == ErrorKind::ReauthRequired);
            if outcome.is_ok() {
                self.query.update_value(|q| q.confirm = false);
            }
            if outcome.is_ok() || reauth {
                // Done: the form's fold and text go; asked for the password: keep them.
                self.refresh_keeping(outcome.is_err());
            }
            show(island, self.info, self.error, outcome.map(Some));
        });
    }

    /// Relative times and running durations from the viewer's clock; with
    /// `localise`, login times in the viewer's time zone.
    fn update_times(self, localise: bool) {
        let Some(root) = self.el.get_untracked() else {
            return;
        };
        let now = js_sys::Date::now() as i64;
        each(&root, "[data-rel]", "data-rel", |el, ms| {
            el.set_text_content(Some(&time::relative(now, ms)));
        });
        each(&root, "[data-since]", "data-since", |el, ms| {
            el.set_text_content(Some(&time::duration(now.saturating_sub(ms))));
        });
        if localise {
            each(&root, "[data-local]", "data-local", |el, ms| {
                el.set_text_content(Some(&locale_string(ms, "medium", "short")));
                let _ = el.set_attribute("title", &locale_string(ms, "full", "long"));
            });
        }
    }
}

/// Calls `f` with each element under `root` matching `selector` and the
/// epoch milliseconds in its `attr`.
fn each(root: &Element, selector: &str, attr: &str, f: impl Fn(&Element, i64)) {
    for el in elements(root, selector) {
        if let Some(ms) = el.get_attribute(attr).and_then(|v| v.parse().ok()) {
            f(&el, ms);
        }
    }
}

/// The time in the viewer's locale and time zone, e.g. "27 Nov 2026, 14:03".
fn locale_string(ms: i64, date_style: &str, time_style: &str) -> String {
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"dateStyle".into(), &date_style.into());
    let _ = js_sys::Reflect::set(&opts, &"timeStyle".into(), &time_style.into());
    js_sys::Date::new(&JsValue::from_f64(ms as f64))
        .to_locale_string("default", &opts)
        .as_string()
        .unwrap_or_default()
}
