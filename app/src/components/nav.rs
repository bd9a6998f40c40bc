use crate::contract::Page;
use crate::server_fns::account::Logout;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The signed-in username of this request.
fn signed_in_name() -> Option<String> {
    use_context::<http::request::Parts>()
        .and_then(|p| crate::session::of(&p))
        .map(|c| c.username.clone())
}

/// Rendered on the server for every page load; "Log out" is a plain form.
#[component]
pub fn NavBar() -> impl IntoView {
    let links = match signed_in_name() {
        Some(name) => view! {
            <a href=Page::Sessions.path()>"Sessions"</a>
            <a href=Page::ChangePassword.path()>"Password"</a>
            <a href=Page::TwoFactor.path()>"Two-factor"</a>
            <a href=Page::Email.path()>"Email alerts"</a>
            <a href=Page::ApiTokens.path()>"API tokens"</a>
            <span class="who">"Signed in as " <strong>{name}</strong></span>
            <form method="post" action=Logout::PATH class="inline">
                <button type="submit" class="btn btn-quiet">"Log out"</button>
            </form>
        }
        .into_any(),
        None => view! {
            <a href=Page::Login.path()>"Log in"</a>
            <a href=Page::Register.path()>"Register"</a>
        }
        .into_any(),
    };
    view! {
        <header class="topbar">
            <nav aria-label="Main">
                <a href=Page::Home.path() class="brand">
                    <span aria-hidden="true">"◉ "</span>
                    "Sessionboard"
                </a>
                {links}
            </nav>
        </header>
    }
}
