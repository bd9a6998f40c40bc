//! Sessionboard's pages, components and server functions.
//!
//! Islands mode: pages render on the server only, and just the interactive
//! parts (the account forms, the sessions board and the notices) are
//! hydrated. That keeps the WebAssembly to what those parts need;
//! navigation is plain links. Server-only modules sit behind the `ssr`
//! feature, browser-only ones behind `hydrate`; the board's data and
//! components compile on both sides.
#![recursion_limit = "256"]

pub mod admin_data;
#[cfg(feature = "hydrate")]
mod browser;
pub mod codec;
mod components;
pub mod contract;
pub mod dashboard;
pub mod display;
pub mod error;
mod islands;
pub mod messages;
#[cfg(feature = "ssr")]
mod pages;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod session;

pub use error::{AppError, ErrorKind};

#[cfg(feature = "ssr")]
pub use ssr::{App, shell};

#[cfg(feature = "ssr")]
mod ssr {
    use crate::components::NavBar;
    use crate::contract::Page;
    use crate::pages;
    use leptos::prelude::*;
    use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
    use leptos_router::SsrMode;
    use leptos_router::components::{Route, Router, Routes};

    /// The HTML document around the app.
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

    /// The app: navigation bar and the pages of [`Page`].
    #[component]
    pub fn App() -> impl IntoView {
        provide_meta_context();
        // Async: whole pages in the first response, so that they work
        // without any script (out-of-order streaming needs one).
        let ssr = SsrMode::Async;
        view! {
            <Stylesheet id="leptos" href="/pkg/sessionboard.css"/>
            <Title text="Sessionboard"/>
            <Router>
                <NavBar/>
                <main id="main">
                    <Routes fallback=|| view! { <pages::NotFound/> }>
                        <Route path=Page::Home view=pages::Home ssr=ssr.clone()/>
                        <Route path=Page::Login view=pages::Login ssr=ssr.clone()/>
                        <Route path=Page::Register view=pages::Register ssr=ssr.clone()/>
                        <Route path=Page::Sessions view=pages::Sessions ssr=ssr.clone()/>
                        <Route path=Page::ChangePassword view=pages::ChangePassword ssr=ssr.clone()/>
                        <Route path=Page::Email view=pages::Email ssr=ssr.clone()/>
                        <Route path=Page::VerifyEmail view=pages::VerifyEmail ssr=ssr.clone()/>
                        <Route path=Page::LoginVerify view=pages::LoginVerify ssr=ssr.clone()/>
                        <Route path=Page::LoginRoom view=pages::LoginRoom ssr=ssr.clone()/>
                        <Route path=Page::ForgotPassword view=pages::ForgotPassword ssr=ssr.clone()/>
                        <Route path=Page::ResetPassword view=pages::ResetPassword ssr=ssr.clone()/>
                        <Route path=Page::Logout view=pages::Logout ssr=ssr.clone()/>
                        <Route path=Page::AppRefused view=pages::AppRefused ssr=ssr.clone()/>
                        <Route path=Page::Admin view=pages::Admin ssr=ssr.clone()/>
                        <Route path=Page::AdminUsers view=pages::AdminUsers ssr=ssr.clone()/>
                        <Route path=Page::AdminSessions view=pages::AdminSessions ssr=ssr.clone()/>
                        <Route path=Page::AdminAudit view=pages::AdminAudit ssr=ssr.clone()/>
                        <Route path=Page::ApiTokens view=pages::ApiTokens ssr=ssr.clone()/>
                        <Route path=Page::TwoFactor view=pages::TwoFactor ssr/>
                    </Routes>
                </main>
            </Router>
        }
    }
}
