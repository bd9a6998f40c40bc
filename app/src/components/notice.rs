//! "Was this you?": one notice per marked sign-in not answered yet, with
//! its two answers as forms (plain posts without script, actions with it).
use super::PostForm;
use super::state::{Board, refusal};
use super::{local_time, marks, proof_field, submit_button};
#[cfg(feature = "hydrate")]
use crate::contract::{Page, query};
use crate::dashboard::Notice;
use crate::messages;
use crate::server_fns::review::{ConfirmSignIn, DenySignIn};
use leptos::prelude::*;

#[component]
fn NoticeCard(board: Board, initial: Notice) -> impl IntoView {
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
        started_app,
        codes_left,
    } = initial;
    let confirm = ServerAction::<ConfirmSignIn>::new();
    board.on_outcome(confirm, |()| messages::CONFIRMED_SIGN_IN.to_owned());
    let deny = ServerAction::<DenySignIn>::new();
    board.on_outcome(deny, |()| messages::DENIED_SIGN_IN.to_owned());
    // "No": signed out; changing the password is the next step.
    Effect::watch(
        move || deny.version().get(),
        move |_, _, _| {
            if let Some(Ok(())) = deny.value().get_untracked() {
                #[cfg(feature = "hydrate")]
                crate::browser::go(&format!(
                    "{}?{}=1",
                    Page::ChangePassword.path(),
                    query::DENIED
                ));
            }
        },
        false,
    );
    let heading = format!("notice-{id}");
    let (notice_id, labelled_by, confirm_id) = (id.clone(), heading.clone(), id.clone());
    let (confirming, denying) = (confirm.pending(), deny.pending());
    view! {
        <article class="notice" data-notice=notice_id aria-labelledby=labelled_by>
            <h2 id=heading>"Was this you?"</h2>
            <p>"A new sign-in to your account: " <strong>{title}</strong></p>
            {marks(m)}
            {codes_left.map(|n| view! {
                <p data-field="codes-left">
                    {format!("It signed in with a recovery code: {} left.", messages::plural(n, "code", "codes"))}
                </p>
            })}
            <dl>
                <div><dt>"Device"</dt><dd data-field="device-type">{device_type}</dd></div>
                <div><dt>"Browser"</dt><dd data-field="browser">{browser}</dd></div>
                <div><dt>"Platform"</dt><dd data-field="platform">{platform}</dd></div>
                <div><dt>"Location"</dt><dd data-field="location">{super::location(location)}</dd></div>
                <div><dt>"IP address"</dt><dd data-field="ip">{ip}</dd></div>
                <div><dt>"Time"</dt><dd data-field="login-time">{local_time(created_ms, board.local.into())}</dd></div>
                {started_app.map(|a| view! { <div><dt>"Signed in to"</dt><dd data-field="started-app">{a}</dd></div> })}
            </dl>
            <div class="notice-actions">
                <PostForm action=confirm>
                    <input type="hidden" name="id" value=confirm_id/>
                    {submit_button("btn btn-primary", "Yes, it was me".into(), confirming)}
                </PostForm>
                <PostForm action=deny>
                    <input type="hidden" name="id" value=id/>
                    {proof_field(board.proof)}
                    {submit_button("btn btn-danger", "No — sign it out".into(), denying)}
                </PostForm>
            </div>
            {refusal(confirm)}
            {refusal(deny)}
        </article>
    }
}

/// The notices, newest first; nothing when there are none.
#[component]
pub fn Notices(board: Board) -> impl IntoView {
    let list = move || board.data.with(|d| d.notices.clone());
    let any = move || board.data.with(|d| !d.notices.is_empty());
    view! {
        <section class="notices" aria-label="New sign-ins" class:empty=move || !any()>
            <For each=list key=|n| n.id.clone() let:notice>
                <NoticeCard board initial=notice/>
            </For>
        </section>
    }
}
