//! Browser-only code of the islands (compiled with `hydrate` only): the
//! account forms run in place, and the board's live half.
pub mod admin;
pub mod forms;
pub mod live;

use crate::error::AppError;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, FormData, HtmlElement, HtmlFormElement, SubmitEvent};

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

/// Puts `url` in the address bar without loading it (so that a reload
/// shows what the board shows).
pub fn show_url(url: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
    }
}

/// Moves the focus to the island's message once it is drawn: keyboard and
/// screen-reader users land on the outcome of what they just did.
pub fn focus_message(root: NodeRef<html::Div>) {
    request_animation_frame(move || {
        let island = root.get_untracked().and_then(|el| island_of(&el));
        let message = island.and_then(|i| i.query_selector(".alerts .alert").ok().flatten());
        if let Some(el) = message.and_then(|m| m.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

/// The form behind a submit event and its data.
pub(crate) fn submitted(ev: &SubmitEvent) -> Option<(HtmlFormElement, FormData)> {
    let form = ev.target()?.dyn_into::<HtmlFormElement>().ok()?;
    let data = FormData::new_with_form(&form).ok()?;
    Some((form, data))
}

pub(crate) fn value(data: &FormData, name: &str) -> Option<String> {
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
    for b in (0..buttons.length()).filter_map(|i| buttons.item(i)?.dyn_into::<Element>().ok()) {
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

/// Shows an action's outcome in the island's messages, and puts the focus there.
fn show(
    island: Option<Element>,
    info: Message,
    error: Message,
    outcome: Result<Option<String>, AppError>,
) {
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
    let Some(island) = island.map(send_wrapper::SendWrapper::new) else {
        return;
    };
    request_animation_frame(move || {
        let message = island.query_selector(".alerts .alert").ok().flatten();
        if let Some(el) = message.and_then(|m| m.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}
