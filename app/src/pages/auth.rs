//! Log in and create an account.
use super::{query, url_error};
use crate::components::Field;
use crate::contract::{AccountForm, Page, query as keys};
use crate::islands::FormIsland;
use crate::messages;
use crate::server_fns::account::{
    Login as LoginFn, LoginVerify as LoginVerifyFn, Register as RegisterFn,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn Login() -> impl IntoView {
    let q = query();
    let info = if q.get(keys::ENDED).is_some() {
        Some(messages::ENDED_ELSEWHERE.to_owned())
    } else if q.get(keys::EXPIRED).is_some() {
        Some(messages::EXPIRED.to_owned())
    } else if q.get(keys::SIGNED_OUT).is_some() {
        Some(messages::SIGNED_OUT.to_owned())
    } else {
        None
    };
    view! {
        <section class="page narrow auth">
            <h1>"Log in"</h1>
            <FormIsland form=AccountForm::Login info error=url_error(&q)>
                <form action=LoginFn::PATH method="post">
                    <Field label="Username" name="username" autocomplete="username"/>
                    <Field label="Password" name="password" autocomplete="current-password" secret=true/>
                    <button type="submit" class="btn btn-primary">"Log in"</button>
                </form>
            </FormIsland>
            <p class="muted">"No account yet? " <a href=Page::Register.path()>"Create one"</a></p>
        </section>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    view! {
        <section class="page narrow auth">
            <h1>"Create an account"</h1>
            <FormIsland form=AccountForm::Register info=None error=url_error(&query())>
                <form action=RegisterFn::PATH method="post">
                    <Field label="Username" name="username" autocomplete="username" minlength=3 maxlength=32/>
                    <Field label="Password" name="password" autocomplete="new-password" secret=true minlength=8/>
                    <Field label="Repeat password" name="confirm" autocomplete="new-password" secret=true minlength=8/>
                    <button type="submit" class="btn btn-primary">"Create account"</button>
                </form>
            </FormIsland>
            <p class="muted">"Already registered? " <a href=Page::Login.path()>"Log in"</a></p>
        </section>
    }
}

/// The second step of a login with two-factor authentication.
#[component]
pub fn LoginVerify() -> impl IntoView {
    let error = url_error(&query());
    let store = use_context::<::sessions::SessionStore>();
    let pending = crate::server_fns::context::pending_login_cookie();
    let load = move || {
        let (store, pending, error) = (store.clone(), pending.clone(), error.clone());
        Suspend::new(async move {
            let open = match (store, pending) {
                (Some(store), Some(p)) => store.pending_login_open(&p).await.unwrap_or(false),
                _ => false,
            };
            if !open {
                return view! {
                    <p class="alert alert-error" role="alert">{messages::LOGIN_EXPIRED}</p>
                    <p><a href=Page::Login.path()>"Sign in again"</a></p>
                }
                .into_any();
            }
            view! {
                <FormIsland form=AccountForm::LoginVerify info=None error>
                    <form action=LoginVerifyFn::PATH method="post">
                        <Field label="Authentication code" name="code" autocomplete="one-time-code"/>
                        <p class="muted">"The 6-digit code from your authenticator app, or one of your recovery codes."</p>
                        <button type="submit" class="btn btn-primary">"Verify"</button>
                    </form>
                </FormIsland>
            }
            .into_any()
        })
    };
    view! {
        <section class="page narrow auth">
            <h1>"Two-factor authentication"</h1>
            <Suspense fallback=|| ()>{load}</Suspense>
        </section>
    }
}
