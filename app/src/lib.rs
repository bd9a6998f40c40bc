//! Sessionboard's pages, components and server functions.
//!
//! Islands mode: pages render on the server only, and just the interactive
//! parts (the forms and the sessions board) are hydrated. That keeps the
//! WebAssembly to what those parts need; navigation is plain links.
#![recursion_limit = "256"]

pub mod api;
pub mod error;
#[cfg(feature = "hydrate")]
mod live;
mod pages;
pub mod time;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    path,
};

pub use error::{AppError, ErrorKind};

/// The HTML document around the app (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The app: navigation bar and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/sessionboard.css"/>
        <Title text="Sessionboard"/>
        <Router>
            <NavBar/>
            <main id="main">
                // Async: whole pages in the first response, so that they work
                // without any script (out-of-order streaming needs one).
                <Routes fallback=|| view! { <pages::NotFound/> }>
                    <Route path=StaticSegment("") view=pages::Home ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=pages::Login ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=pages::Register ssr=SsrMode::Async/>
                    <Route path=path!("/sessions") view=pages::Sessions ssr=SsrMode::Async/>
                    <Route path=path!("/account/password") view=pages::ChangePassword ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// The signed-in username of this request (server-rendered pages only).
fn signed_in_name() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        api::ssr::current_session().map(|c| c.username)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Rendered on the server for every page load; "Log out" is a plain form.
#[component]
fn NavBar() -> impl IntoView {
    let links = match signed_in_name() {
        Some(name) => view! {
            <a href="/sessions">"Sessions"</a>
            <a href="/account/password">"Password"</a>
            <span class="who">"Signed in as " <strong>{name}</strong></span>
            <form method="post" action="/api/logout" class="inline">
                <button type="submit" class="btn btn-quiet">"Log out"</button>
            </form>
        }
        .into_any(),
        None => view! {
            <a href="/login">"Log in"</a>
            <a href="/register">"Register"</a>
        }
        .into_any(),
    };
    view! {
        <header class="topbar">
            <nav aria-label="Main">
                <a href="/" class="brand">
                    <span aria-hidden="true">"◉ "</span>
                    "Sessionboard"
                </a>
                {links}
            </nav>
        </header>
    }
}
