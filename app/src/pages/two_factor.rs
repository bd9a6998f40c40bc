//! Two-factor authentication: set up (scan, confirm, recovery codes once)
//! and turn off. Every step is a server-rendered page with plain forms.
use super::password::PendingSignIns;
use super::{query, url_error};
use crate::components::{Field, reauth_field};
use crate::contract::{Page, query as keys};
use crate::dashboard::Proof;
use crate::display;
use crate::messages::{self, plural};
use crate::server_fns::account::Reauthenticate;
use crate::server_fns::two_factor::{
    BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, RecoveryCodesSaved, RegenerateRecoveryCodes,
};
use ::sessions::{CurrentSession, RecoveryCodes, SessionStore};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The codes as a text file, for the download link.
fn codes_file(username: &str, codes: &[String]) -> String {
    let text = format!(
        "Sessionboard recovery codes for {username}\nEach works once.\n\n{}\n",
        codes.join("\n")
    );
    let encoded: String = text
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' => c.to_string(),
            other => {
                let mut buf = [0u8; 4];
                other
                    .encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect();
    format!("data:text/plain;charset=utf-8,{encoded}")
}

fn recovery_codes(username: &str, shown: RecoveryCodes) -> impl IntoView + use<> {
    let href = codes_file(username, &shown.codes);
    let items = shown
        .codes
        .into_iter()
        .map(|c| view! { <li><code>{c}</code></li> })
        .collect_view();
    view! {
        <section class="recovery" aria-labelledby="recovery-title">
            <h2 id="recovery-title">"Your recovery codes"</h2>
            <p>"Each one signs you in once if your phone is lost. Save them somewhere safe: once you say so, they are never shown again."</p>
            <ul class="codes" data-field="recovery-codes">{items}</ul>
            <a class="btn" href=href download="sessionboard-recovery-codes.txt">"Download as text"</a>
            <form action=RecoveryCodesSaved::PATH method="post">
                <input type="hidden" name="batch" value=shown.batch/>
                <button type="submit" class="btn btn-primary">"I have saved these codes"</button>
            </form>
        </section>
    }
}

/// "Confirm it's you" before something only a fresh proof may see.
fn confirm_first(why: &'static str, proof: Proof) -> AnyView {
    view! {
        <p>{why}</p>
        <form action=Reauthenticate::PATH method="post">
            <input type="hidden" name="back" value=Page::TwoFactor.path()/>
            {reauth_field(proof)}
            <button type="submit" class="btn btn-primary">"Confirm it's you"</button>
        </form>
    }
    .into_any()
}

async fn on(store: &SessionStore, current: &CurrentSession, left: u64, proof: Proof) -> AnyView {
    let codes = match store.reveal_recovery_codes(current).await {
        Ok(fresh) => fresh.map(|codes| recovery_codes(&current.username, codes).into_any()),
        Err(_) => Some(confirm_first(
            "Your new recovery codes are waiting. Confirm it's you to see them.",
            Proof::Code,
        )),
    };
    view! {
        <p data-field="two-factor-status">"Two-factor authentication is on."</p>
        <p>{format!("{} left.", plural(left, "recovery code", "recovery codes"))}</p>
        {codes}
        <h2>"New recovery codes"</h2>
        <p>"Lost some of them? New codes replace every old one."</p>
        <form action=RegenerateRecoveryCodes::PATH method="post">
            {reauth_field(proof)}
            <button type="submit" class="btn">"Make new recovery codes"</button>
        </form>
        <h2>"Turn it off"</h2>
        <form action=DisableTwoFactor::PATH method="post">
            <Field label="Password" name="password" autocomplete="current-password" secret=true/>
            <Field label="Code from your app or a recovery code" name="code" autocomplete="one-time-code"/>
            <button type="submit" class="btn btn-danger">"Turn off two-factor authentication"</button>
        </form>
    }
    .into_any()
}

fn scan(e: ::sessions::Enrolment) -> AnyView {
    let svg = display::qr_svg(&e.otpauth_url).unwrap_or_default();
    // Groups of four, as apps show keys.
    let grouped = e
        .secret_base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <ol class="steps">
            <li>
                <p>"Scan this code with an authenticator app (Google Authenticator, Aegis, 1Password, …):"</p>
                <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=svg></div>
                <p>"Or type this key: " <code data-field="totp-secret">{grouped}</code></p>
            </li>
            <li>
                <form action=ConfirmTwoFactor::PATH method="post">
                    <Field label="Code from the app" name="code" autocomplete="one-time-code"/>
                    <label class="check">
                        <input type="checkbox" name="sign_out_others" value="on" checked/>
                        "Also sign out every other session (they signed in without a code)"
                    </label>
                    <button type="submit" class="btn btn-primary">"Turn on"</button>
                </form>
            </li>
        </ol>
    }
    .into_any()
}

fn off(proof: Proof) -> AnyView {
    view! {
        <p data-field="two-factor-status">"Two-factor authentication is off."</p>
        <p>"With it on, signing in needs a code from an app on your phone as well as your password."</p>
        <form action=BeginTwoFactor::PATH method="post">
            {reauth_field(proof)}
            <button type="submit" class="btn btn-primary">"Set up an authenticator app"</button>
        </form>
    }
    .into_any()
}

async fn state(store: SessionStore, current: &CurrentSession) -> Result<AnyView, crate::AppError> {
    let status = store.two_factor_status(current.user_id).await?;
    let stale = !store.recently_authenticated(current).await?;
    if status.enabled {
        let proof = Proof::needed(stale, true);
        return Ok(on(&store, current, status.recovery_codes_left, proof).await);
    }
    Ok(match store.two_factor_enrolment(current).await {
        Ok(Some(e)) => scan(e),
        Ok(None) => off(Proof::needed(stale, false)),
        Err(::sessions::StoreError::ReauthRequired) => confirm_first(
            "Your set-up is waiting. Confirm it's you to see its key again.",
            Proof::Password,
        ),
        Err(e) => return Err(e.into()),
    })
}

#[component]
pub fn TwoFactor() -> impl IntoView {
    let q = query();
    let info = if q.get(keys::ON).is_some() {
        Some(messages::TWO_FACTOR_TURNED_ON)
    } else if q.get(keys::SAVED).is_some() {
        Some(messages::RECOVERY_CODES_SAVED)
    } else if q.get(keys::NEWER).is_some() {
        Some(messages::NEWER_RECOVERY_CODES)
    } else if q.get(keys::REGENERATED).is_some() {
        Some(messages::RECOVERY_CODES_REGENERATED)
    } else {
        q.get(keys::OFF).map(|_| messages::TWO_FACTOR_TURNED_OFF)
    };
    let error = url_error(&q);
    let content =
        super::signed_in_content(|store, current| async move { state(store, &current).await });
    view! {
        <section class="page narrow">
            <PendingSignIns/>
            <h1>"Two-factor authentication"</h1>
            <div class="alerts" aria-live="polite">
                {error.map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
                {info.map(|m| view! { <p class="alert alert-info" role="status">{m}</p> })}
            </div>
            {content}
            <p><a href=Page::Sessions.path()>"Back to your sessions"</a></p>
        </section>
    }
}
