//! Signing in and out, registering, changing the password.
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{contract::Page, contract::query, error::ErrorKind};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Signs in and starts a fresh session (ending the one this browser had,
/// if any); returns where to go: `rd` when it is an app behind the proxy
/// or a page here, else `/sessions`; or the code step (carrying `rd`) when
/// the account has a second factor.
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    rd: Option<String>,
) -> Result<String, AppError> {
    use super::context::*;
    use sessions::LoginStep;
    let store = store()?;
    let mut facts = facts().await?;
    let back = return_to(rd.as_deref());
    facts.app = app_of(back.as_deref());
    match store
        .login(&username, &password, &facts)
        .await
        .map_err(fail)?
    {
        LoginStep::SignedIn(token, _) => {
            end_previous_session(&store).await?;
            let to = back.unwrap_or_else(|| Page::Sessions.path().to_owned());
            signed_in_as(&store, &token, &to);
            Ok(to)
        }
        LoginStep::SecondFactor(pending) => {
            let to = with_return(Page::LoginVerify, back.as_deref());
            pending_login_started(&pending, &to);
            Ok(to)
        }
        LoginStep::MakeRoom(pending) => {
            let to = with_return(Page::LoginRoom, back.as_deref());
            pending_login_started(&pending, &to);
            Ok(to)
        }
    }
}

/// `page`'s path, carrying a return address.
#[cfg(feature = "ssr")]
pub(crate) fn with_return(page: Page, back: Option<&str>) -> String {
    match back {
        Some(to) => format!(
            "{}?{}={}",
            page.path(),
            query::RETURN,
            url::form_urlencoded::byte_serialize(to.as_bytes()).collect::<String>()
        ),
        None => page.path().to_owned(),
    }
}

/// The second step of a login: a code from the authenticator app or a
/// recovery code completes the half-done login this browser holds.
#[server(endpoint = "login_verify")]
pub async fn login_verify(code: String, rd: Option<String>) -> Result<String, AppError> {
    use super::context::*;
    let store = store()?;
    let mut facts = facts().await?;
    let back = return_to(rd.as_deref());
    facts.app = app_of(back.as_deref());
    let pending = pending_login_cookie().ok_or_else(|| fail(ErrorKind::LoginExpired))?;
    let (token, _) = match store.complete_login(&pending, &code, &facts).await {
        Ok(done) => done,
        Err(sessions::StoreError::SessionLimit) => {
            // The code was right; the login waits for a session to end.
            let to = with_return(Page::LoginRoom, back.as_deref());
            leptos_axum::redirect(&to);
            return Ok(to);
        }
        Err(e) => {
            use sessions::StoreError as S;
            if matches!(e, S::LoginExpired | S::TooManyCodes) {
                clear_pending_login_cookie();
            }
            return Err(fail(e));
        }
    };
    signed_in_after_pending(&store, &token, back).await
}

/// Creates an account and signs it in.
#[server(endpoint = "register")]
pub async fn register(username: String, password: String, confirm: String) -> Result<(), AppError> {
    use super::context::*;
    if password != confirm {
        return Err(fail(ErrorKind::PasswordMismatch));
    }
    let store = store()?;
    let facts = facts().await?;
    let user = store
        .register(&username, &password, facts.ip)
        .await
        .map_err(fail)?;
    let (token, _) = store.start_session(user.id, &facts).await.map_err(fail)?;
    end_previous_session(&store).await?;
    signed_in_as(&store, &token, Page::Sessions.path());
    Ok(())
}

/// Ends the current session ("Log out"): the row first, then the cookie,
/// so that a failure leaves the person signed in and told so. Then back
/// to `rd` (an app's sign-out link), or to the login page.
#[server(endpoint = "logout")]
pub async fn logout(rd: Option<String>) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    if let Some(current) = maybe_signed_in().await? {
        store.log_out(&current).await.map_err(fail)?;
    }
    clear_session_cookie();
    let to = return_to(rd.as_deref())
        .unwrap_or_else(|| format!("{}?{}=1", Page::Login.path(), query::SIGNED_OUT));
    leptos_axum::redirect(&to);
    Ok(())
}

/// The signed-in username, if any (the live board asks after its stream
/// was refused).
#[server(endpoint = "whoami", input = GetUrl)]
pub async fn whoami() -> Result<Option<String>, AppError> {
    let current = super::context::maybe_signed_in().await?;
    Ok(current.map(|c| c.username.clone()))
}

/// Proves the session again (the password, or a code with two-factor on)
/// and, after a plain form post, goes back to `back` (one of our pages).
#[server(endpoint = "reauthenticate")]
pub async fn reauthenticate(password: String, back: Option<String>) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    let ip = client_ip().await?;
    store
        .reauthenticate(&current, &password, ip)
        .await
        .map_err(fail)?;
    let page = back.as_deref().and_then(Page::at).unwrap_or(Page::Sessions);
    after_plain_form(page, "reauthenticated=1");
    Ok(())
}

/// Asks for a reset link by email (the answer is the same whether or not
/// the account exists).
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(username: String) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let ip = client_ip().await?;
    store
        .request_password_reset(&username, ip)
        .await
        .map_err(fail)?;
    after_plain_form(Page::ForgotPassword, &format!("{}=1", query::SENT));
    Ok(())
}

/// Sets a new password with the token of a reset link (and a code when
/// the account has a second factor); every session of the account ends.
#[server(endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    new_password: String,
    confirm: String,
    code: Option<String>,
) -> Result<u64, AppError> {
    use super::context::*;
    if new_password != confirm {
        return Err(fail(ErrorKind::PasswordMismatch));
    }
    let store = store()?;
    let ip = client_ip().await?;
    let n = store
        .reset_password(&token, &new_password, code.as_deref(), ip)
        .await
        .map_err(fail)?;
    // Whatever this browser held is over too.
    clear_session_cookie();
    after_plain_form(Page::Login, &format!("{}=1", query::RESET));
    Ok(n)
}

/// Changes the password; `sign_out_others` is the checkbox (present = on);
/// `code` is asked for when the account has a second factor.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm: String,
    code: Option<String>,
    sign_out_others: Option<String>,
) -> Result<u64, AppError> {
    use super::context::*;
    if new_password != confirm {
        return Err(fail(ErrorKind::PasswordMismatch));
    }
    let store = store()?;
    let current = signed_in().await?;
    let others = sign_out_others.is_some();
    let ip = client_ip().await?;
    let n = store
        .change_password(
            &current,
            &current_password,
            code.as_deref(),
            &new_password,
            others,
            ip,
        )
        .await
        .map_err(fail)?;
    after_plain_form(
        Page::ChangePassword,
        &format!("{}=1&{}={n}", query::CHANGED, query::SIGNED_OUT),
    );
    Ok(n)
}
