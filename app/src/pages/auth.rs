//! Log in and create an account.
use super::{query, url_error};
use crate::components::Field;
use crate::contract::{AccountForm, Page, query as keys};
use crate::islands::FormIsland;
use crate::messages;
use crate::server_fns::account::{
    ForgotPassword as ForgotPasswordFn, Login as LoginFn, LoginVerify as LoginVerifyFn,
    Register as RegisterFn, ResetPassword as ResetPasswordFn,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn Login() -> impl IntoView {
    let q = query();
    let ended = q.get(keys::ENDED);
    let info = if ended.as_deref() == Some(keys::ENDED_BY_ADMINISTRATOR) {
        Some(messages::ENDED_BY_ADMINISTRATOR.to_owned())
    } else if ended.as_deref() == Some(keys::ENDED_FOR_ROOM) {
        Some(messages::ENDED_FOR_ROOM.to_owned())
    } else if ended.is_some() {
        Some(messages::ENDED_ELSEWHERE.to_owned())
    } else if q.get(keys::EXPIRED).is_some() {
        Some(messages::EXPIRED.to_owned())
    } else if q.get(keys::SIGNED_OUT).is_some() {
        Some(messages::SIGNED_OUT.to_owned())
    } else if q.get(keys::RESET).is_some() {
        Some(messages::PASSWORD_RESET.to_owned())
    } else {
        None
    };
    let back = return_field(&q);
    view! {
        <section class="page narrow auth">
            <h1>"Log in"</h1>
            <FormIsland form=AccountForm::Login info error=url_error(&q)>
                <form action=LoginFn::PATH method="post">
                    {back}
                    <Field label="Username" name="username" autocomplete="username"/>
                    <Field label="Password" name="password" autocomplete="current-password" secret=true/>
                    <button type="submit" class="btn btn-primary">"Log in"</button>
                </form>
            </FormIsland>
            <p class="muted">
                <a href=Page::ForgotPassword.path()>"Forgot your password?"</a>
                " · No account yet? " <a href=Page::Register.path()>"Create one"</a>
            </p>
        </section>
    }
}

/// The return address of a sign-in that an app sent here (`?rd=`), as a
/// hidden field, when it is one a sign-in may return to.
pub(super) fn return_field(
    q: &leptos_router::params::ParamsMap,
) -> Option<impl IntoView + Clone + use<>> {
    let to = crate::server_fns::context::return_to(q.get(keys::RETURN).as_deref())?;
    Some(view! { <input type="hidden" name=keys::RETURN value=to/> })
}

/// A half-done login that is over: why, and the way back to the start.
pub(super) fn login_expired(error: Option<String>) -> AnyView {
    let why = error.unwrap_or_else(|| messages::LOGIN_EXPIRED.to_owned());
    view! {
        <p class="alert alert-error" role="alert">{why}</p>
        <p><a href=Page::Login.path()>"Sign in again"</a></p>
    }
    .into_any()
}

/// Asks for a reset link by email. A plain form: every step is a page.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let q = query();
    let info = q.get(keys::SENT).map(|_| messages::RESET_REQUESTED);
    view! {
        <section class="page narrow auth">
            <h1>"Forgot your password?"</h1>
            <div class="alerts" aria-live="polite">
                {url_error(&q).map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
                {info.map(|m| view! { <p class="alert alert-info" role="status">{m}</p> })}
            </div>
            <p>"Enter your username or the email address your account verified. If there is one, we email it a link to set a new password."</p>
            <form action=ForgotPasswordFn::PATH method="post">
                <Field label="Username or email address" name="username" autocomplete="username"/>
                <button type="submit" class="btn btn-primary">"Email me a link"</button>
            </form>
            <p class="muted"><a href=Page::Login.path()>"Back to log in"</a></p>
        </section>
    }
}

/// The page of a reset link: a new password (and a code with two-factor on).
#[component]
pub fn ResetPassword() -> impl IntoView {
    let q = query();
    let token = q.get(keys::TOKEN).unwrap_or_default();
    let error = url_error(&q);
    let store = use_context::<::sessions::SessionStore>();
    let load = move || {
        let (store, token, error) = (store.clone(), token.clone(), error.clone());
        Suspend::new(async move {
            let link = match &store {
                Some(store) => store
                    .reset_link(&token)
                    .await
                    .map_err(crate::AppError::from),
                None => Err(crate::ErrorKind::Unavailable.into()),
            };
            match link {
                Ok(link) => view! {
                    {error.map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
                    <p>"Set a new password for " <strong>{link.username}</strong> ". Every device will be signed out."</p>
                    <form action=ResetPasswordFn::PATH method="post">
                        <input type="hidden" name="token" value=token/>
                        <Field label="New password" name="new_password" autocomplete="new-password" secret=true minlength=8/>
                        <Field label="Repeat new password" name="confirm" autocomplete="new-password" secret=true minlength=8/>
                        {link.needs_code.then(|| view! {
                            <Field label="Code from your authenticator app, or a recovery code" name="code" autocomplete="one-time-code"/>
                        })}
                        <button type="submit" class="btn btn-primary">"Set new password"</button>
                    </form>
                }
                .into_any(),
                Err(e) => view! {
                    <p class="alert alert-error" role="alert">{e.message()}</p>
                    <p><a href=Page::ForgotPassword.path()>"Ask for a new link"</a></p>
                }
                .into_any(),
            }
        })
    };
    view! {
        <section class="page narrow auth">
            <h1>"Set a new password"</h1>
            <Suspense fallback=|| ()>{load}</Suspense>
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
    let q = query();
    let error = url_error(&q);
    let back = return_field(&q);
    let store = use_context::<::sessions::SessionStore>();
    let pending = crate::server_fns::context::pending_login_cookie();
    let load = move || {
        let (store, pending, error, back) =
            (store.clone(), pending.clone(), error.clone(), back.clone());
        Suspend::new(async move {
            let open = match (store, pending) {
                (Some(store), Some(p)) => store.pending_login_open(&p).await.unwrap_or(false),
                _ => false,
            };
            if !open {
                // Ended by its last wrong code, or expired.
                return login_expired(error);
            }
            view! {
                <FormIsland form=AccountForm::LoginVerify info=None error>
                    <form action=LoginVerifyFn::PATH method="post">
                        {back}
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
