//! Change password.
use super::{query, url_error};
use crate::components::Field;
use crate::contract::{AccountForm, Page, query as keys};
use crate::islands::{FormIsland, NoticeIsland};
use crate::messages;
use crate::server_fns::account::ChangePassword as ChangePasswordFn;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ChangePassword() -> impl IntoView {
    let q = query();
    let info = if q.get(keys::DENIED).is_some() {
        Some(messages::DENIED_SIGN_IN.to_owned())
    } else {
        q.get(keys::CHANGED).map(|_| {
            let n = q.get(keys::SIGNED_OUT).and_then(|n| n.parse().ok());
            messages::password_changed(n.unwrap_or(0))
        })
    };
    view! {
        <section class="page narrow">
            <PendingSignIns/>
            <h1>"Change password"</h1>
            <FormIsland form=AccountForm::ChangePassword info error=url_error(&q)>
                <form action=ChangePasswordFn::PATH method="post">
                    <Field label="Current password" name="current_password" autocomplete="current-password" secret=true/>
                    <SecondFactorField/>
                    <Field label="New password" name="new_password" autocomplete="new-password" secret=true minlength=8/>
                    <Field label="Repeat new password" name="confirm" autocomplete="new-password" secret=true minlength=8/>
                    <label class="check">
                        <input type="checkbox" name="sign_out_others" value="on" checked/>
                        "Also sign out all other devices"
                    </label>
                    <button type="submit" class="btn btn-primary">"Change password"</button>
                </form>
            </FormIsland>
            <p><a href=Page::Sessions.path()>"Back to your sessions"</a></p>
        </section>
    }
}

/// The code field of the password form, when the account has a second
/// factor: a phished password alone does not change it.
#[component]
fn SecondFactorField() -> impl IntoView {
    let (store, current) = super::store_and_session();
    let load = move || {
        let (store, current) = (store.clone(), current.clone());
        Suspend::new(async move {
            let (Some(store), Some(current)) = (store, current) else {
                return None;
            };
            let on = store
                .two_factor_status(current.user_id)
                .await
                .is_ok_and(|s| s.enabled);
            on.then(|| view! {
                <Field label="Code from your authenticator app, or a recovery code" name="code" autocomplete="one-time-code"/>
            })
        })
    };
    view! { <Suspense fallback=|| ()>{load}</Suspense> }
}

/// "Was this you?" notices, live: on every signed-in page but the
/// sessions page, whose board shows them.
#[component]
pub fn PendingSignIns() -> impl IntoView {
    let (store, current) = super::store_and_session();
    let load = move || {
        let (store, current) = (store.clone(), current.clone());
        Suspend::new(async move {
            let (Some(store), Some(current)) = (store, current) else {
                return None;
            };
            // A failed read leaves the page usable; the next change retries.
            let notices = crate::dashboard::notices(&store, &current)
                .await
                .unwrap_or_default();
            Some(view! { <NoticeIsland notices/> })
        })
    };
    view! { <Suspense fallback=|| ()>{load}</Suspense> }
}
