//! The pages of forward authentication: why an app refused a signed-in
//! visitor, and an app's sign-out link (`/logout?rd=`), confirmed by a post.
use super::auth::return_field;
use super::query;
use crate::contract::{Page, query as keys};
use crate::server_fns::account::Logout as LogoutFn;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// `/auth/refused?app=<name>&why=<reason>`, where the proxy sends a
/// signed-in visitor an app refused. The app's name is shown only when it
/// is a configured app (the query is anyone's to write).
#[component]
pub fn AppRefused() -> impl IntoView {
    let q = query();
    let rules = use_context::<crate::server_fns::context::ReturnRules>().unwrap_or_default();
    let app = q
        .get(keys::APP)
        .and_then(|name| rules.apps.named(&name).map(|a| a.name.clone()))
        .unwrap_or_else(|| "This app".to_owned());
    let why = q.get(keys::WHY).unwrap_or_default();
    let body = if why == keys::WHY_TWO_FACTOR {
        view! {
            <p>{format!("{app} asks for a second factor: sign in with a code from an authenticator app.")}</p>
            <p>
                <a class="btn btn-primary" href=Page::TwoFactor.path()>"Set up two-factor authentication"</a>
                " then log out and sign in again with a code."
            </p>
        }
        .into_any()
    } else if why == keys::WHY_UNKNOWN {
        view! {
            <p>"This address is not one of the apps Sessionboard signs you in to. Check the link, or ask the person who runs it."</p>
        }
        .into_any()
    } else {
        view! {
            <p>{format!("{app} is not open to your account. Ask the person who runs it to add you.")}</p>
        }
        .into_any()
    };
    view! {
        <section class="page narrow">
            <h1>"You cannot open this app"</h1>
            {body}
            <p class="muted"><a href=Page::Sessions.path()>"Your sessions"</a></p>
        </section>
    }
}

/// `/logout?rd=<app>`: an app's "Sign out" link. A GET never signs out
/// (a link or an image could); it asks, and the button posts.
#[component]
pub fn Logout() -> impl IntoView {
    let q = query();
    let back = return_field(&q);
    view! {
        <section class="page narrow">
            <h1>"Sign out?"</h1>
            <p>"This signs this device out of Sessionboard and of every app behind it."</p>
            <form method="post" action=LogoutFn::PATH>
                {back}
                <button type="submit" class="btn btn-primary">"Sign out"</button>
            </form>
        </section>
    }
}
