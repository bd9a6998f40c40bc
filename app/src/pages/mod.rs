//! The pages. They run on the server only (islands mode); the interactive
//! parts are the islands they wrap around server-rendered forms, so every
//! page works without script.
mod auth;
mod password;
mod sessions;

pub use auth::{Login, Register};
pub use password::ChangePassword;
pub use sessions::Sessions;

use crate::contract::Page;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

/// The query of the page being rendered (server side).
fn query() -> ParamsMap {
    use_query_map().get_untracked()
}

/// The message of a plain form post that failed: server_fn's form
/// redirect puts the error into `__err`; only its kind is believed.
fn url_error(q: &ParamsMap) -> Option<String> {
    q.get("__err")
        .map(|e| ServerFnUrlError::<AppError>::decode_err(&e))
        .map(|e| e.message())
}

#[component]
pub fn Home() -> impl IntoView {
    view! { <Redirect path=Page::Sessions.path()/> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page narrow">
            <h1>"Page not found"</h1>
            <p><a href=Page::Sessions.path()>"Go to your sessions"</a></p>
        </section>
    }
}
