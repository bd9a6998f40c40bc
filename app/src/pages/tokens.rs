//! `/account/tokens`: a personal API token for scripts, shown once. Each
//! token is then a card on the sessions page, ended there like a session.
use super::{query, url_error};
use crate::components::Field;
use crate::contract::{AccountForm, Page};
use crate::islands::FormIsland;
use crate::messages;
use crate::server_fns::tokens::CreateApiToken;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ApiTokens() -> impl IntoView {
    let q = query();
    view! {
        <section class="page narrow">
            <h1>"API tokens"</h1>
            <p>
                "A token lets a script call the JSON API (" <a href="/api/v1/openapi.json">"OpenAPI document"</a>
                ") as " <code>"Authorization: Bearer …"</code> ". Each token appears on "
                <a href=Page::Sessions.path()>"your sessions"</a> " as a card of its own; Terminate ends it."
            </p>
            <noscript><p role="note">{messages::TOKENS_NEED_SCRIPT}</p></noscript>
            <FormIsland form=AccountForm::CreateToken info=None error=url_error(&q)>
                <form action=CreateApiToken::PATH method="post">
                    <Field label="Name" name="name" autocomplete="off" maxlength=60/>
                    <label for="scope">"What it may do"</label>
                    <select id="scope" name="scope">
                        <option value="read" selected>"Read sessions and history"</option>
                        <option value="manage">"Read, and end or name sessions"</option>
                    </select>
                    <label for="days">"Expires after"</label>
                    <select id="days" name="days">
                        <option value="30">"30 days"</option>
                        <option value="90" selected>"90 days"</option>
                        <option value="365">"1 year"</option>
                    </select>
                    <Field label="Your password (or, with two-factor on, a code) if you signed in over 10 minutes ago" name="password" autocomplete="current-password" secret=true optional=true/>
                    <button type="submit" class="btn btn-primary">"Create token"</button>
                </form>
            </FormIsland>
        </section>
    }
}
