//! "Was this you?": one notice per marked sign-in not answered yet, with
//! its two answers as plain forms (the islands run them in place).
use super::{local_time, marks, reauth_field};
use crate::contract::BoardAction;
use crate::dashboard::{Notice, Proof};
use crate::server_fns::review::{ConfirmSignIn, DenySignIn};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn notice(n: Notice, reauth: Proof) -> impl IntoView + use<> {
    let Notice {
        id,
        title,
        device_type,
        browser,
        platform,
        location,
        ip,
        created_ms,
        marks: m,
        codes_left,
    } = n;
    let heading = format!("notice-{id}");
    let labelled_by = heading.clone();
    let (notice_id, confirm_id) = (id.clone(), id.clone());
    view! {
        <article class="notice" data-notice=notice_id aria-labelledby=labelled_by>
            <h2 id=heading>"Was this you?"</h2>
            <p>"A new sign-in to your account: " <strong>{title}</strong></p>
            {marks(m)}
            {codes_left.map(|n| view! {
                <p data-field="codes-left">
                    {format!("It signed in with a recovery code: {} left.", crate::messages::plural(n, "code", "codes"))}
                </p>
            })}
            <dl>
                <div><dt>"Device"</dt><dd data-field="device-type">{device_type}</dd></div>
                <div><dt>"Browser"</dt><dd data-field="browser">{browser}</dd></div>
                <div><dt>"Platform"</dt><dd data-field="platform">{platform}</dd></div>
                <div><dt>"Location"</dt><dd data-field="location">{super::location(location)}</dd></div>
                <div><dt>"IP address"</dt><dd data-field="ip">{ip}</dd></div>
                <div><dt>"Time"</dt><dd data-field="login-time">{local_time(created_ms)}</dd></div>
            </dl>
            <div class="notice-actions">
                <form action=ConfirmSignIn::PATH method="post" data-action=BoardAction::ItWasMe.as_str()>
                    <input type="hidden" name="id" value=confirm_id/>
                    <button type="submit" class="btn btn-primary">"Yes, it was me"</button>
                </form>
                <form action=DenySignIn::PATH method="post" data-action=BoardAction::NotMe.as_str()>
                    <input type="hidden" name="id" value=id/>
                    {reauth_field(reauth)}
                    <button type="submit" class="btn btn-danger">"No — sign it out"</button>
                </form>
            </div>
        </article>
    }
}

/// The notices, newest first; nothing when there are none.
pub fn notices(list: Vec<Notice>, reauth: Proof) -> impl IntoView + use<> {
    (!list.is_empty()).then(|| {
        let items = list.into_iter().map(|n| notice(n, reauth)).collect_view();
        view! { <section class="notices" aria-label="New sign-ins">{items}</section> }
    })
}
