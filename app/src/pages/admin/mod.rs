//! The admin console: the gate (an administrator, signed in with a second
//! factor, recently re-authenticated; otherwise what is missing), the
//! accounts and their sessions, and the audit log. Server-rendered pages
//! with plain forms, like the account pages.
mod all_sessions;
mod audit;
mod users;

pub use all_sessions::AdminSessions;
pub use audit::AdminAudit;
pub use users::AdminUsers;

use super::{alerts, query, url_error};
use crate::components::reauth_field;
use crate::contract::Page;
use crate::dashboard::Proof;
use crate::error::AppError;
use crate::error::ErrorKind;
use crate::messages;
use crate::server_fns::account::Reauthenticate;
use ::sessions::{CurrentSession, SessionStore};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use std::sync::Arc;

/// An admin page's content: what `load` reads (the store checks the
/// administrator in each read), or, when the store refuses, what the
/// session still needs (with the form that gives it, when it can).
fn admin_content<F, Fut>(back: Page, load: F) -> impl IntoView
where
    F: Fn(SessionStore, Arc<CurrentSession>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AnyView, AppError>> + Send + 'static,
{
    super::signed_in_content(move |store, current| {
        let load = load.clone();
        async move {
            let refused = match load(store, current).await {
                Err(e) => e,
                done => return done,
            };
            match refused.kind {
                ErrorKind::NotAdmin => Ok(missing(messages::NOT_ADMIN)),
                ErrorKind::AdminNeedsSecondFactor => Ok(view! {
                    <p class="alert alert-info" role="status">{messages::ADMIN_NEEDS_SECOND_FACTOR}</p>
                    <p><a href=Page::TwoFactor.path()>"Two-factor authentication"</a></p>
                }
                .into_any()),
                ErrorKind::ReauthRequired => Ok(view! {
                    <p>"The admin console needs a fresh confirmation. Confirm it's you to go on."</p>
                    <form action=Reauthenticate::PATH method="post">
                        <input type="hidden" name="back" value=back.path()/>
                        {reauth_field(Proof::Code)}
                        <button type="submit" class="btn btn-primary">"Confirm it's you"</button>
                    </form>
                }
                .into_any()),
                _ => Err(refused),
            }
        }
    })
}

fn missing(why: &'static str) -> AnyView {
    view! { <p class="alert alert-info" role="status">{why}</p> }.into_any()
}

/// The console's own links.
fn console_nav() -> impl IntoView {
    view! {
        <nav class="admin-nav" aria-label="Admin console">
            <a href=Page::Admin.path()>"Admin console"</a>
            " · "
            <a href=Page::AdminUsers.path()>"Accounts"</a>
            " · "
            <a href=Page::AdminSessions.path()>"All sessions"</a>
            " · "
            <a href=Page::AdminAudit.path()>"Audit log"</a>
        </nav>
    }
}

#[component]
pub fn Admin() -> impl IntoView {
    let error = url_error(&query());
    let content = admin_content(Page::Admin, |store, current| async move {
        store.require_admin(&current).await?;
        let accounts = store.admin_count().await?;
        Ok(view! {
            <p>"You are signed in as an administrator. Administrators on this server: " {accounts} "."</p>
            <ul>
                <li><a href=Page::AdminUsers.path()>"Accounts"</a>": find an account, see its sessions, end them, lock it."</li>
                <li><a href=Page::AdminSessions.path()>"All sessions"</a>": every active session, by country, device, app or awaiting review; end a filtered set."</li>
                <li><a href=Page::AdminAudit.path()>"Audit log"</a>": sign-ins, failures, ends and administrators' actions, exportable."</li>
            </ul>
        }
        .into_any())
    });
    view! {
        <section class="page">
            <h1>"Admin console"</h1>
            {alerts(None, error)}
            {content}
            <p><a href=Page::Sessions.path()>"Back to your sessions"</a></p>
        </section>
    }
}
