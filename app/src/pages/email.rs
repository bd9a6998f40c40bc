//! Email alerts: the account's address, and the page its link opens.
use super::password::PendingSignIns;
use super::{query, url_error};
use crate::components::Field;
use crate::contract::{Page, query as keys};
use crate::messages;
use crate::server_fns::email::{RemoveEmail, SetEmail, VerifyEmail as VerifyEmailFn};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn alerts(info: Option<String>, error: Option<String>) -> impl IntoView {
    view! {
        <div class="alerts" aria-live="polite">
            {error.map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
            {info.map(|m| view! { <p class="alert alert-info" role="status">{m}</p> })}
        </div>
    }
}

/// What the account's address is, and the forms to change it.
fn settings(address: Option<sessions::AccountEmail>, enabled: bool) -> impl IntoView {
    let status = match &address {
        Some(a) if a.verified => view! {
            <p data-field="email-status">"Alerts go to " <strong>{a.address.clone()}</strong> " (verified)."</p>
        }
        .into_any(),
        Some(a) => view! {
            <p data-field="email-status">
                "Waiting for verification: open the link we sent to " <strong>{a.address.clone()}</strong> "."
            </p>
        }
        .into_any(),
        None => view! { <p data-field="email-status">"No address yet."</p> }.into_any(),
    };
    let remove = address.is_some().then(|| {
        view! {
            <form action=RemoveEmail::PATH method="post">
                <button type="submit" class="btn">"Remove address"</button>
            </form>
        }
    });
    let form = if enabled {
        view! {
            <form action=SetEmail::PATH method="post">
                <Field label="Email address" name="email" autocomplete="email" maxlength=254/>
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
        Ok(settings(address, store.config().mail.enabled).into_any())
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
