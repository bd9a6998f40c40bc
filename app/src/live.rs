//! Browser-only code of the islands (compiled with `hydrate` only): taking
//! over form submits, refreshing the sessions board from the live-update
//! stream, and keeping relative and local times current.
use crate::error::{AppError, ErrorKind};
use crate::{api, pages, time};
use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;
use web_sys::{Element, EventSource, FormData, HtmlFormElement};

type Message = RwSignal<Option<String>>;

/// Tells tests (and curious people) that the page's island is interactive.
pub fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Leaves the page for `url` (a full page load).
pub fn go(url: &str) {
    let _ = window().location().set_href(url);
}

/// The form behind a submit event and its `action` path.
fn submitted(ev: &SubmitEvent) -> Option<(HtmlFormElement, String, FormData)> {
    let form = ev.target()?.dyn_into::<HtmlFormElement>().ok()?;
    let action = form.get_attribute("action")?;
    let data = FormData::new_with_form(&form).ok()?;
    Some((form, action, data))
}

fn value(data: &FormData, name: &str) -> Option<String> {
    data.get(name).as_string()
}

fn text(data: &FormData, name: &str) -> String {
    value(data, name).unwrap_or_default()
}

/// Disables the form's buttons (and says it is busy) while its action runs.
fn set_busy(form: &HtmlFormElement, busy: bool) {
    let Ok(buttons) = form.query_selector_all("button") else {
        return;
    };
    for i in 0..buttons.length() {
        if let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            let _ = if busy {
                b.set_attribute("disabled", "")
            } else {
                b.remove_attribute("disabled")
            };
            let _ = b.set_attribute("aria-busy", if busy { "true" } else { "false" });
        }
    }
}

fn show(info: Message, error: Message, outcome: Result<Option<String>, AppError>) {
    match outcome {
        Ok(message) => {
            error.set(None);
            info.set(message);
        }
        Err(e) => {
            info.set(None);
            error.set(Some(e.message));
        }
    }
}

/// Login, register and change password, run in place.
pub fn submit_account_form(ev: SubmitEvent, info: Message, error: Message) {
    let Some((form, action, data)) = submitted(&ev) else {
        return;
    };
    let signs_in = matches!(action.as_str(), "/api/login" | "/api/register");
    if !signs_in && action != "/api/change_password" {
        return;
    }
    ev.prevent_default();
    set_busy(&form, true);
    spawn_local(async move {
        let outcome = match action.as_str() {
            "/api/login" => api::login(text(&data, "username"), text(&data, "password"))
                .await
                .map(|()| None),
            "/api/register" => api::register(
                text(&data, "username"),
                text(&data, "password"),
                text(&data, "confirm"),
            )
            .await
            .map(|()| None),
            _ => api::change_password(
                text(&data, "current_password"),
                text(&data, "new_password"),
                text(&data, "confirm"),
                value(&data, "sign_out_others"),
            )
            .await
            .map(|n| {
                // Done: the typed passwords should not stay on the screen.
                form.reset();
                Some(pages::password_changed_message(n))
            }),
        };
        if signs_in && outcome.is_ok() {
            go("/sessions");
            return;
        }
        set_busy(&form, false);
        show(info, error, outcome);
    });
}

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
        Board {
            el,
            info,
            error,
            query: StoredValue::new(BoardQuery {
                before,
                after,
                confirm,
            }),
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

        let Ok(source) = EventSource::new(api::EVENTS_URL) else {
            return;
        };
        let changed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| self.refresh());
        let _ =
            source.add_event_listener_with_callback("changed", changed.as_ref().unchecked_ref());
        let signed_out =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                // Our own "Log out" (maybe in another tab) is not "ended elsewhere".
                go(match e.data().as_string().as_deref() {
                    Some("signed_out") => "/login?signed_out=1",
                    _ => "/login?ended=1",
                });
            });
        let _ = source
            .add_event_listener_with_callback("signed_out", signed_out.as_ref().unchecked_ref());
        // A refused stream (401) is not retried by the browser: find out why.
        let probe = source.clone();
        let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if probe.ready_state() == EventSource::CLOSED {
                spawn_local(async move {
                    if let Ok(None) = api::whoami().await {
                        go("/login?ended=1");
                    }
                });
            }
        });
        let _ = source.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
        let keep = SendWrapper::new((source, changed, signed_out, failed));
        on_cleanup(move || {
            if let Some(t) = tick {
                t.clear();
            }
            keep.0.close();
            drop(keep);
        });
    }

    /// Replaces the board with a fresh server rendering.
    fn refresh(self) {
        let q = self.query.get_value();
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        spawn_local(async move {
            let result = api::board_html(q.before, q.after, q.confirm).await;
            if self.generation.get_value() != generation {
                return;
            }
            match result {
                Ok(html) => {
                    if let Some(el) = self.el.get_untracked() {
                        el.set_inner_html(&html);
                        self.update_times(true);
                    }
                }
                Err(e) if e.kind == ErrorKind::NotSignedIn => go("/login?ended=1"),
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    /// Terminate, sign out everywhere (and its confirmation) and history
    /// paging, run in place.
    pub fn submit(self, ev: SubmitEvent) {
        let Some((form, action, data)) = submitted(&ev) else {
            return;
        };
        ev.prevent_default();
        match action.as_str() {
            "/api/terminate_session" => {
                let id = text(&data, "id");
                self.run(form, async move {
                    api::terminate_session(id)
                        .await
                        .map(|()| pages::TERMINATED.to_owned())
                });
            }
            "/api/sign_out_everywhere" => {
                self.query.update_value(|q| q.confirm = false);
                self.run(form, async move {
                    api::sign_out_everywhere()
                        .await
                        .map(pages::signed_out_message)
                });
            }
            _ => {
                let before = value(&data, "before");
                let after = value(&data, "after");
                let confirm = value(&data, "confirm").is_some();
                if !confirm {
                    // Keep the address bar in step, so a reload shows this page.
                    let url = match (&before, &after) {
                        (Some(b), _) => format!("/sessions?before={b}"),
                        (_, Some(a)) => format!("/sessions?after={a}"),
                        _ => "/sessions".to_owned(),
                    };
                    if let Ok(history) = window().history() {
                        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
                    }
                }
                self.query.update_value(|q| {
                    if confirm {
                        q.confirm = true;
                    } else {
                        *q = BoardQuery {
                            before,
                            after,
                            confirm: false,
                        };
                    }
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
        set_busy(&form, true);
        spawn_local(async move {
            let outcome = action.await;
            set_busy(&form, false);
            if outcome.is_ok() {
                self.refresh();
            }
            show(self.info, self.error, outcome.map(Some));
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
            el.set_text_content(Some(&time::duration(now - ms)));
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
    let Ok(list) = root.query_selector_all(selector) else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
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
