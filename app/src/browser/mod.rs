//! Browser-only code of the islands (compiled with `hydrate` only): taking
//! over form submits, refreshing the sessions board from the live-update
//! stream, and keeping relative and local times current.
pub mod board;
pub mod forms;

use crate::error::AppError;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, FormData, HtmlFormElement, SubmitEvent};

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
            error.set(Some(e.message()));
        }
    }
}
