//! The pages. They run on the server only (islands mode); the interactive
//! parts are the islands they wrap around server-rendered forms, so every
//! page works without script.
mod admin;
mod auth;
mod email;
mod gateway;
mod password;
mod room;
mod sessions;
mod tokens;
mod two_factor;

pub use admin::{Admin, AdminAudit, AdminSessions, AdminUsers};
pub use auth::{ForgotPassword, Login, LoginVerify, Register, ResetPassword};
pub use email::{Email, VerifyEmail};
pub use gateway::{AppRefused, Logout};
pub use password::ChangePassword;
pub use room::LoginRoom;
pub use sessions::Sessions;
pub use tokens::ApiTokens;
pub use two_factor::TwoFactor;

use crate::contract::Page;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

/// The store and the signed-in session of the page being rendered.
fn store_and_session() -> (
    Option<::sessions::SessionStore>,
    Option<std::sync::Arc<::sessions::CurrentSession>>,
) {
    let store = use_context::<::sessions::SessionStore>();
    let current = use_context::<http::request::Parts>().and_then(|p| crate::session::of(&p));
    (store, current)
}

/// A signed-in page's content, read from the store: `load` gives the view
/// or an error, shown as a message (the page guards keep others out).
fn signed_in_content<F, Fut>(load: F) -> impl IntoView
where
    F: Fn(::sessions::SessionStore, std::sync::Arc<::sessions::CurrentSession>) -> Fut
        + Clone
        + Send
        + Sync
        + 'static,
    Fut: std::future::Future<Output = Result<AnyView, AppError>> + Send + 'static,
{
    let (store, current) = store_and_session();
    let content = move || {
        let (store, current, load) = (store.clone(), current.clone(), load.clone());
        Suspend::new(async move {
            let outcome = match (store, current) {
                (Some(store), Some(current)) => load(store, current).await,
                _ => Err(crate::ErrorKind::NotSignedIn.into()),
            };
            outcome.unwrap_or_else(|e| {
                view! { <p class="alert alert-error" role="alert">{e.message()}</p> }.into_any()
            })
        })
    };
    view! { <Suspense fallback=|| ()>{content}</Suspense> }
}

/// A page's messages: an error, or what was done.
fn alerts(info: Option<String>, error: Option<String>) -> impl IntoView {
    view! {
        <div class="alerts" aria-live="polite">
            {error.map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
            {info.map(|m| view! { <p class="alert alert-info" role="status">{m}</p> })}
        </div>
    }
}

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
