//! Browser-only code of the islands (compiled with `hydrate` only): taking
//! over form submits, refreshing the sessions board from the live-update
//! stream, and keeping relative and local times current.
pub mod board;
pub mod forms;
mod live;
pub mod notices;

use crate::contract::{BoardAction, Page, query};
use crate::error::{AppError, ErrorKind};
use crate::server_fns::review;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Element, FormData, HtmlElement, HtmlFormElement, HtmlInputElement, SubmitEvent};

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

/// The form behind a submit event and its data.
fn submitted(ev: &SubmitEvent) -> Option<(HtmlFormElement, FormData)> {
    let form = ev.target()?.dyn_into::<HtmlFormElement>().ok()?;
    let data = FormData::new_with_form(&form).ok()?;
    Some((form, data))
}

/// The board form behind a submit event (one with a `data-action`), its
/// data and its action.
fn board_form(ev: &SubmitEvent) -> Option<(HtmlFormElement, FormData, BoardAction)> {
    let (form, data) = submitted(ev)?;
    let action = form.get_attribute("data-action")?;
    Some((form, data, BoardAction::parse(&action)?))
}

/// "No — sign it out": done, changing the password is the next step;
/// `reauth` shows the password field when it is needed first.
fn deny(
    form: HtmlFormElement,
    data: &FormData,
    info: Message,
    error: Message,
    reauth: impl Fn() + 'static,
) {
    let (id, password) = (text(data, "id"), value(data, "password"));
    let island = island_of(&form);
    set_busy(&form, true);
    spawn_local(async move {
        match review::deny_sign_in(id, password).await {
            Ok(()) => go(&format!(
                "{}?{}=1",
                Page::ChangePassword.path(),
                query::DENIED
            )),
            Err(e) => {
                set_busy(&form, false);
                if e.kind == ErrorKind::ReauthRequired {
                    reauth();
                }
                show(island, info, error, Err(e));
            }
        }
    });
}

fn value(data: &FormData, name: &str) -> Option<String> {
    data.get(name).as_string()
}

fn text(data: &FormData, name: &str) -> String {
    value(data, name).unwrap_or_default()
}

/// Disables the form's buttons (and says it is busy) while its action runs.
fn set_busy(form: &HtmlFormElement, busy: bool) {
    for b in elements(form, "button") {
        let _ = if busy {
            b.set_attribute("disabled", "")
        } else {
            b.remove_attribute("disabled")
        };
        let _ = b.set_attribute("aria-busy", if busy { "true" } else { "false" });
    }
}

/// The island holding `el` (its messages live there).
fn island_of(el: &Element) -> Option<Element> {
    el.closest("leptos-island").ok().flatten()
}

/// Moves the focus to the island's message once it is drawn: keyboard and
/// screen-reader users land on the outcome of what they just did.
fn focus_message(island: Option<Element>) {
    let Some(island) = island.map(send_wrapper::SendWrapper::new) else {
        return;
    };
    set_timeout(
        move || {
            let message = island.query_selector(".alerts .alert").ok().flatten();
            if let Some(el) = message.and_then(|m| m.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        },
        std::time::Duration::ZERO,
    );
}

/// Shows an action's outcome in the island's messages, and puts the focus there.
fn show(
    island: Option<Element>,
    info: Message,
    error: Message,
    outcome: Result<Option<String>, AppError>,
) {
    focus_message(island);
    match outcome {
        Ok(message) => {
            error.set(None);
            info.set(message);
        }
        Err(e) => {
            info.set(None);
            error.set(Some(e.message()));
        }
    }
}

/// What a live refresh must not take from someone using the page: open
/// folds (rename, trail), typed text and the focus.
pub struct Kept {
    open: Vec<String>,
    typed: Vec<(String, String)>,
    focused: Option<String>,
}

/// A stable name for a control across renderings: its session, its tag
/// and its field name or class.
fn key_of(el: &Element) -> Option<String> {
    let owner = el.closest("[data-session-id],[data-notice]").ok()??;
    let id = owner
        .get_attribute("data-session-id")
        .or_else(|| owner.get_attribute("data-notice"))?;
    let part = el
        .get_attribute("name")
        .or_else(|| el.get_attribute("class"))
        .unwrap_or_default();
    Some(format!("{id}|{}|{part}", el.tag_name()))
}

/// The elements under `root` matching `selector`, in document order.
fn elements(root: &Element, selector: &str) -> impl Iterator<Item = Element> {
    let list = root.query_selector_all(selector).ok();
    let len = list.as_ref().map_or(0, |l| l.length());
    (0..len).filter_map(move |i| list.as_ref()?.item(i)?.dyn_into::<Element>().ok())
}

const TYPED: &str = "input[type=text], input[type=password]";
const FOCUSABLE: &str = "input, button, summary, a[href], select, textarea";

/// [`key_of`] for the focus: a card's buttons and links are told apart by
/// what they say.
fn focus_key(el: &Element) -> Option<String> {
    let key = key_of(el)?;
    let says = match el.tag_name().as_str() {
        "BUTTON" | "A" | "SUMMARY" => el.text_content().unwrap_or_default(),
        _ => String::new(),
    };
    Some(format!("{key}|{}", says.trim()))
}

impl Kept {
    /// Notes the state under `root`.
    pub fn take(root: &Element) -> Self {
        let open = elements(root, "details[open]")
            .filter_map(|el| key_of(&el))
            .collect();
        let typed = elements(root, TYPED)
            .filter_map(|el| {
                let input = el.clone().dyn_into::<HtmlInputElement>().ok()?;
                (input.value() != input.default_value()).then_some((key_of(&el)?, input.value()))
            })
            .collect();
        let focused = document()
            .active_element()
            .filter(|el| root.contains(Some(el)))
            .and_then(|el| focus_key(&el));
        Kept {
            open,
            typed,
            focused,
        }
    }

    /// Puts it back on the fresh rendering under `root`.
    pub fn restore(self, root: &Element) {
        for el in elements(root, "details") {
            if key_of(&el).is_some_and(|k| self.open.contains(&k)) {
                let _ = el.set_attribute("open", "");
            }
        }
        for el in elements(root, TYPED) {
            let key = key_of(&el);
            if let Some((_, v)) = self.typed.iter().find(|(k, _)| Some(k) == key.as_ref())
                && let Ok(input) = el.dyn_into::<HtmlInputElement>()
            {
                input.set_value(v);
            }
        }
        // Any control, not only a text field: a keyboard user's Tab to
        // "Terminate" must survive a refresh.
        let Some(focused) = self.focused else {
            return;
        };
        let control = elements(root, FOCUSABLE)
            .find(|el| focus_key(el).as_ref() == Some(&focused))
            .and_then(|el| el.dyn_into::<HtmlElement>().ok());
        if let Some(control) = control {
            let _ = control.focus();
        }
    }
}
