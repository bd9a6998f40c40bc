//! Email alerts: the account's address, and the page its link opens.
use super::password::PendingSignIns;
use super::{alerts, query, url_error};
use crate::components::{Field, reauth_field};
use crate::contract::{Page, query as keys};
use crate::dashboard::Proof;
use crate::messages;
use crate::server_fns::email::{RemoveEmail, SetEmail, VerifyEmail as VerifyEmailFn};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// What the account's addresses are, and the forms to change them (each
/// asks for a fresh proof when the session's is old).
fn settings(address: sessions::AccountEmail, enabled: bool, proof: Proof) -> impl IntoView {
    let verified = address.verified.clone().map(|a| {
        view! {
            <p data-field="email-status">"Alerts go to " <strong>{a}</strong> " (verified)."</p>
        }
    });
    let pending = address.pending.clone().map(|a| {
        view! {
            <p data-field="email-pending">
                "Waiting for verification: open the link we sent to " <strong>{a}</strong> "."
            </p>
        }
    });
    let none = address
        .is_empty()
        .then(|| view! { <p data-field="email-status">"No address yet."</p> });
    let remove = (!address.is_empty()).then(|| {
        view! {
            <form action=RemoveEmail::PATH method="post">
                {reauth_field(proof)}
                <button type="submit" class="btn">"Remove address"</button>
            </form>
        }
    });
    let status = view! { {verified} {pending} {none} };
    let form = if enabled {
        view! {
            <form action=SetEmail::PATH method="post">
                <Field label="Email address" name="email" autocomplete="email" maxlength=254/>
                {reauth_field(proof)}
                <button type="submit" class="btn btn-primary">"Send verification link"</button>
            </form>
        }
        .into_any()
    } else {
        view! { <p class="alert alert-info" role="status">{messages::MAIL_DISABLED}</p> }.into_any()
    };
    view! { {status} {form} {remove} }
}

#[component]
pub fn Email() -> impl IntoView {
    let q = query();
    let info = if q.get(keys::SENT).is_some() {
        Some(messages::VERIFICATION_SENT.to_owned())
    } else {
        q.get(keys::REMOVED)
            .map(|_| messages::EMAIL_REMOVED.to_owned())
    };
    let error = url_error(&q);
    let content = super::signed_in_content(|store, current| async move {
        let address = store.account_email(current.user_id).await?;
        let stale = !store.recently_authenticated(&current).await?;
        let on = store.two_factor_status(current.user_id).await?.enabled;
        let proof = Proof::needed(stale, on);
        Ok(settings(address, store.config().mail.enabled, proof).into_any())
    });
    view! {
        <section class="page narrow">
            <PendingSignIns/>
            <h1>"Email alerts"</h1>
            <p class="lead">
                "Get an email when your account is signed in to from a device or a country it has not used before."
            </p>
            {alerts(info, error)}
            {content}
            <p><a href=Page::Sessions.path()>"Back to your sessions"</a></p>
        </section>
    }
}

/// The page the link in the email opens: one button, so that a mail
/// scanner fetching the link verifies nothing.
#[component]
pub fn VerifyEmail() -> impl IntoView {
    let q = query();
    let verified = q.get(keys::VERIFIED).is_some();
    let info = verified.then(|| messages::EMAIL_VERIFIED.to_owned());
    let error = url_error(&q);
    let token = q.get(keys::TOKEN).filter(|_| !verified);
    view! {
        <section class="page narrow">
            <h1>"Verify your email address"</h1>
            {alerts(info, error)}
            {token.map(|token| view! {
                <form action=VerifyEmailFn::PATH method="post">
                    <input type="hidden" name="token" value=token/>
                    <button type="submit" class="btn btn-primary">"Verify email address"</button>
                </form>
            })}
            <p><a href=Page::Sessions.path()>"Go to your sessions"</a></p>
        </section>
    }
}
