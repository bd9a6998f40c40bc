//! Pieces of pages. The board and its parts render on the server only: the
//! page and the live refreshes use the same code, and the WebAssembly
//! carries none of it.
mod alerts;
#[cfg(feature = "ssr")]
pub mod board;
#[cfg(feature = "ssr")]
mod card;
#[cfg(feature = "ssr")]
mod failed;
#[cfg(feature = "ssr")]
mod field;
#[cfg(feature = "ssr")]
mod history;
#[cfg(feature = "ssr")]
mod nav;
#[cfg(feature = "ssr")]
pub mod notice;

pub use alerts::Alerts;
#[cfg(feature = "ssr")]
pub use field::Field;
#[cfg(feature = "ssr")]
pub use nav::NavBar;

#[cfg(feature = "ssr")]
use crate::display::time;
#[cfg(feature = "ssr")]
use leptos::prelude::*;

/// The field destructive forms carry when the session's proof is older
/// than the re-authentication window: the password, or a code when the
/// account has a second factor (a password alone is then not enough).
#[cfg(feature = "ssr")]
pub(crate) fn reauth_field(proof: crate::dashboard::Proof) -> impl IntoView + use<> {
    use crate::dashboard::Proof;
    match proof {
        Proof::None => None,
        Proof::Password => Some(leptos::either::Either::Left(view! {
            <label class="reauth">
                "Your password"
                <input type="password" name="password" autocomplete="current-password" required/>
            </label>
        })),
        Proof::Code => Some(leptos::either::Either::Right(view! {
            <label class="reauth">
                "Code from your authenticator app"
                <input type="text" name="password" inputmode="numeric" autocomplete="one-time-code" required/>
            </label>
        })),
    }
}

/// A time in UTC as rendered; the browser shows it in the viewer's own
/// time zone (`data-local`), with the exact time on hover.
#[cfg(feature = "ssr")]
fn local_time(ms: i64) -> impl IntoView + use<> {
    let exact = time::iso(ms);
    view! { <time datetime=exact.clone() title=exact data-local=ms>{time::utc_minutes(ms)}</time> }
}

/// The marks the store gave a session, each with its `data-field`.
#[cfg(feature = "ssr")]
fn marks(m: crate::dashboard::Marks) -> impl IntoView + use<> {
    let any = m.new_device || m.new_location || m.location_changed || m.recovery_code;
    any.then(|| {
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
#[cfg(feature = "ssr")]
pub(crate) fn location(l: crate::display::Located) -> impl IntoView + use<> {
    // `Either`, not `into_any`: an any-view copies each attribute value
    // into an `Arc<str>`, and this is on every card and history row.
    use leptos::either::Either;
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
