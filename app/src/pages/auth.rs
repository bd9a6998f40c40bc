//! Log in and create an account.
use super::{query, url_error};
use crate::components::Field;
use crate::contract::{AccountForm, Page, query as keys};
use crate::islands::FormIsland;
use crate::messages;
use crate::server_fns::account::{Login as LoginFn, Register as RegisterFn};
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
