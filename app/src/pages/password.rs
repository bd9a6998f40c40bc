//! Change password.
use super::{query, url_error};
use crate::components::Field;
use crate::contract::{AccountForm, Page, query as keys};
use crate::islands::FormIsland;
use crate::messages;
use crate::server_fns::account::ChangePassword as ChangePasswordFn;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ChangePassword() -> impl IntoView {
    let q = query();
    let info = q.get(keys::CHANGED).map(|_| {
        let n = q.get(keys::SIGNED_OUT).and_then(|n| n.parse().ok());
        messages::password_changed(n.unwrap_or(0))
    });
    view! {
        <section class="page narrow">
            <h1>"Change password"</h1>
            <FormIsland form=AccountForm::ChangePassword info error=url_error(&q)>
                <form action=ChangePasswordFn::PATH method="post">
                    <Field label="Current password" name="current_password" autocomplete="current-password" secret=true/>
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
