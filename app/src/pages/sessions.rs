//! The sessions page: the live board inside its island, and the advice.
use super::{query, url_error};
use crate::contract::{Page, query as keys};
use crate::dashboard::BoardQuery;
use crate::islands::SessionsBoard;
use crate::messages;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// The advice for a session nobody recognises, pointing at the second
/// factor until it is on.
fn callout(two_factor_on: bool) -> impl IntoView {
    let second = if two_factor_on {
        view! { " " <span data-field="two-factor-status">"Two-factor authentication is on."</span> }
            .into_any()
    } else {
        view! {
            " Consider " <a href=Page::TwoFactor.path()>"enabling two-factor authentication"</a> " too."
        }
        .into_any()
    };
    view! {
        <aside class="callout" role="note">
            <strong>"Don't recognize a device or location?"</strong>
            " Terminate it, then "
            <a href=Page::ChangePassword.path()>"change your password"</a>
            "."
            {second}
        </aside>
    }
}

#[component]
pub fn Sessions() -> impl IntoView {
    let q = query();
    let (before, after) = (q.get(keys::BEFORE), q.get(keys::AFTER));
    let confirm = q.get(keys::CONFIRM).as_deref() == Some(keys::CONFIRM_EVERYWHERE);
    let info = if q.get(keys::TERMINATED).is_some() {
        Some(messages::TERMINATED.to_owned())
    } else if q.get(keys::CONFIRMED).is_some() {
        Some(messages::CONFIRMED_SIGN_IN.to_owned())
    } else if q.get(keys::RENAMED).is_some() {
        Some(messages::RENAMED.to_owned())
    } else {
        q.get(keys::SIGNED_OUT)
            .and_then(|n| n.parse().ok())
            .map(messages::signed_out_everywhere)
    };
    let error = url_error(&q);
    let (store, current) = super::store_and_session();
    let load = move || {
        let (store, current) = (store.clone(), current.clone());
        let (before, after, info, error) =
            (before.clone(), after.clone(), info.clone(), error.clone());
        Suspend::new(async move {
            let (Some(store), Some(current)) = (store, current) else {
                return view! { <Redirect path=Page::Login.path()/> }.into_any();
            };
            match crate::dashboard::load(&store, &current, before.clone(), after.clone()).await {
                Ok(dashboard) => {
                    let two_factor_on = dashboard.two_factor_on;
                    let query = BoardQuery {
                        before,
                        after,
                        confirm,
                    };
                    view! {
                        {callout(two_factor_on)}
                        <SessionsBoard dashboard query info error/>
                    }
                    .into_any()
                }
                Err(e) => {
                    view! { <p class="alert alert-error" role="alert">{e.message()}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <section class="page">
            <h1>"Your sessions"</h1>
            <p class="lead">"Every device signed in to your account right now. End the ones you do not trust."</p>
            <Suspense fallback=|| view! { <p class="muted">"Loading sessions…"</p> }>{load}</Suspense>
        </section>
    }
}
