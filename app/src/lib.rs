//! Sessionboard's pages, components and server functions.
#![recursion_limit = "256"]

pub mod api;
pub mod error;
mod live;
mod pages;
pub mod time;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{A, Route, Router, Routes},
    hooks::use_location,
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
                <HydrationScripts options/>
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
            <PageViews/>
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

/// Reports in-app navigations to another route as page opens. Full page
/// loads are counted by the server itself, so the first render is skipped.
#[component]
fn PageViews() -> impl IntoView {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.as_ref().is_some_and(|p| *p != path) {
            leptos::task::spawn_local(async move {
                let _ = api::record_page_view().await;
            });
        }
        path
    });
}

#[component]
fn NavBar() -> impl IntoView {
    let location = use_location();
    // Re-checked on every route change: login and logout change the answer.
    let me = Resource::new(move || location.pathname.get(), |_| api::whoami());
    let logout = ServerAction::<api::Logout>::new();
    view! {
        <header class="topbar">
            <nav aria-label="Main">
                <A href="/" attr:class="brand">
                    <span aria-hidden="true">"◉ "</span>
                    "Sessionboard"
                </A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(Some(name)) => {
                                view! {
                                    <A href="/sessions">"Sessions"</A>
                                    <A href="/account/password">"Password"</A>
                                    <span class="who">"Signed in as " <strong>{name}</strong></span>
                                    <ActionForm action=logout attr:class="inline">
                                        <button type="submit" class="btn btn-quiet" disabled=move || logout.pending().get()>
                                            "Log out"
                                        </button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                            _ => {
                                view! {
                                    <A href="/login">"Log in"</A>
                                    <A href="/register">"Register"</A>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}
