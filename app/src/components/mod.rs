//! Pieces of pages. The board and its parts (cards, history, notices,
//! failed sign-ins) are rendered from the board's data on the server and,
//! after hydration, by the island that owns them, from the same code: an
//! update changes the text that changed, and leaves every other node
//! (a field being typed in, an open fold, the focus) where it is.
mod alerts;
pub mod board;
mod card;
mod failed;
#[cfg(feature = "ssr")]
mod field;
mod history;
#[cfg(feature = "ssr")]
mod nav;
pub mod notice;
mod post_form;
mod state;
#[cfg(all(test, feature = "ssr"))]
mod tests;

pub use alerts::Alerts;
pub use board::BoardView;
#[cfg(feature = "ssr")]
pub use field::Field;
#[cfg(feature = "ssr")]
pub use nav::NavBar;
pub(crate) use post_form::PostForm;
pub use state::Board;

use crate::dashboard::{Marks, Proof};
use crate::display::{Located, time};
use leptos::either::Either;
use leptos::prelude::*;

/// The field destructive forms carry when the session's proof is older
/// than the re-authentication window: the password, or a code when the
/// account has a second factor (a password alone is then not enough).
pub(crate) fn reauth_field(proof: Proof) -> impl IntoView + use<> {
    match proof {
        Proof::None => None,
        Proof::Password => Some(Either::Left(view! {
            <label class="reauth">
                "Your password"
                <input type="password" name="password" autocomplete="current-password" required/>
            </label>
        })),
        Proof::Code => Some(Either::Right(view! {
            <label class="reauth">
                "Code from your authenticator app"
                <input type="text" name="password" inputmode="numeric" autocomplete="one-time-code" required/>
            </label>
        })),
    }
}

/// The re-authentication field of a destructive form, as the board's
/// proof asks (one function, so that every form shares its code in the
/// wasm).
pub(crate) fn proof_field(proof: Memo<Proof>) -> impl IntoView + use<> {
    move || reauth_field(proof.get())
}

/// A form's submit button, disabled and saying so while its action runs.
pub(crate) fn submit_button(
    class: &'static str,
    label: String,
    pending: Memo<bool>,
) -> impl IntoView + use<> {
    view! {
        <button type="submit" class=class disabled=pending aria-busy=move || if pending.get() { "true" } else { "false" }>{label}</button>
    }
}

/// The marks of a session while the page is open.
pub(crate) fn live_marks(m: Memo<Marks>) -> impl IntoView + use<> {
    move || marks(m.get())
}

/// A time as the viewer reads it: UTC as rendered on the server, then (once
/// `local` is on, in the browser) in the viewer's own time zone, with the
/// exact time on hover.
pub(crate) fn local_time(ms: i64, local: Signal<bool>) -> impl IntoView + use<> {
    let exact = time::iso(ms);
    let title = move || {
        if local.get() {
            viewer_time(ms, "full", "long")
        } else {
            time::iso(ms)
        }
    };
    view! {
        <time datetime=exact title=title>
            {move || if local.get() { viewer_time(ms, "medium", "short") } else { time::utc_minutes(ms) }}
        </time>
    }
}

/// The time in the viewer's locale and time zone, e.g. "27 Nov 2026, 14:03".
#[cfg(feature = "hydrate")]
fn viewer_time(ms: i64, date_style: &str, time_style: &str) -> String {
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"dateStyle".into(), &date_style.into());
    let _ = js_sys::Reflect::set(&opts, &"timeStyle".into(), &time_style.into());
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
        .to_locale_string("default", &opts)
        .as_string()
        .unwrap_or_default()
}

/// Without a browser the viewer's zone is unknown: UTC.
#[cfg(not(feature = "hydrate"))]
fn viewer_time(ms: i64, _date_style: &str, _time_style: &str) -> String {
    time::utc_minutes(ms)
}

/// The marks the store gave a session, each with its `data-field`.
pub(crate) fn marks(m: Marks) -> impl IntoView + use<> {
    m.any().then(|| {
        view! {
            <ul class="marks">
                {m.new_device.then(|| view! { <li class="mark" data-field="new-device">"New device"</li> })}
                {m.new_location.then(|| view! { <li class="mark" data-field="new-location">"New location"</li> })}
                {m.location_changed.then(|| view! { <li class="mark mark-alert" data-field="location-changed">"Location changed"</li> })}
                {m.recovery_code.then(|| view! { <li class="mark mark-alert" data-field="recovery-code">"Recovery code used"</li> })}
            </ul>
        }
    })
}

/// A location: the country's flag (decorative: the name follows) or a
/// neutral icon, then the name.
pub(crate) fn location(l: Located) -> impl IntoView + use<> {
    let icon = match l.flag {
        Some(code) => Either::Left(view! {
            <img class="flag" src=format!("/flags/{code}.svg") alt="" aria-hidden="true" width="20" height="15" decoding="async"/>
        }),
        None => {
            // A house for the local network, a globe for unknown places
            // (CSS masks, as the device icons).
            let class = if l.local {
                "flag flag-none icon icon-local"
            } else {
                "flag flag-none icon icon-globe"
            };
            Either::Right(view! { <span class=class aria-hidden="true"></span> })
        }
    };
    view! { <span class="located">{icon}<span class="place-name">{l.name}</span></span> }
}
