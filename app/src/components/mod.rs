//! Pieces of pages. The board and its parts render on the server only: the
//! page and the live refreshes use the same code, and the WebAssembly
//! carries none of it.
mod alerts;
#[cfg(feature = "ssr")]
pub mod board;
#[cfg(feature = "ssr")]
mod card;
#[cfg(feature = "ssr")]
mod field;
#[cfg(feature = "ssr")]
mod history;
#[cfg(feature = "ssr")]
mod nav;

pub use alerts::Alerts;
#[cfg(feature = "ssr")]
pub use field::Field;
#[cfg(feature = "ssr")]
pub use nav::NavBar;

#[cfg(feature = "ssr")]
use crate::display::time;
#[cfg(feature = "ssr")]
use leptos::prelude::*;

/// The password field that destructive forms carry when the session's
/// proof of the password is older than the re-authentication window.
#[cfg(feature = "ssr")]
fn reauth_field(reauth: bool) -> impl IntoView + use<> {
    reauth.then(|| {
        view! {
            <label class="reauth">
                "Your password"
                <input type="password" name="password" autocomplete="current-password" required/>
            </label>
        }
    })
}

/// A time in UTC as rendered; the browser shows it in the viewer's own
/// time zone (`data-local`), with the exact time on hover.
#[cfg(feature = "ssr")]
fn local_time(ms: i64) -> impl IntoView + use<> {
    let exact = time::iso(ms);
    view! { <time datetime=exact.clone() title=exact data-local=ms>{time::utc_minutes(ms)}</time> }
}
