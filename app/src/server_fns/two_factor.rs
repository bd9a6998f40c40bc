//! Turning two-factor authentication on (a new secret, then a first code)
//! and off (password and a code). Plain form posts: every step is a page.
#[cfg(feature = "ssr")]
use crate::contract::{Page, query};
use crate::error::AppError;
use leptos::prelude::*;

/// Starts enrolment (re-authenticating first with `password`, if given).
#[server(endpoint = "two_factor_begin")]
pub async fn begin_two_factor(password: Option<String>) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    reauthenticate_if_given(&store, &current, password).await?;
    store.begin_two_factor(&current).await.map_err(fail)?;
    after_plain_form(Page::TwoFactor, "scan=1");
    Ok(())
}

/// Turns it on with a first code from the app; `sign_out_others` is the
/// checkbox (present = on). Returns how many other sessions ended.
#[server(endpoint = "two_factor_confirm")]
pub async fn confirm_two_factor(
    code: String,
    sign_out_others: Option<String>,
) -> Result<u64, AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    let n = store
        .confirm_two_factor(&current, &code, sign_out_others.is_some())
        .await
        .map_err(fail)?;
    after_plain_form(Page::TwoFactor, &format!("{}=1", query::ON));
    Ok(n)
}

/// New recovery codes in place of the old ones (re-authenticating first
/// with `password`, a code here, if given).
#[server(endpoint = "two_factor_regenerate")]
pub async fn regenerate_recovery_codes(password: Option<String>) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    reauthenticate_if_given(&store, &current, password).await?;
    store
        .regenerate_recovery_codes(&current)
        .await
        .map_err(fail)?;
    after_plain_form(Page::TwoFactor, &format!("{}=1", query::REGENERATED));
    Ok(())
}

/// The owner saved the recovery codes of `batch` (the set the page
/// showed): they are not shown again. Newer codes, made since that page
/// was shown, stay and are shown instead.
#[server(endpoint = "two_factor_codes_saved")]
pub async fn recovery_codes_saved(batch: String) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    let saved = store
        .recovery_codes_saved(&current, &batch)
        .await
        .map_err(fail)?;
    let key = if saved { query::SAVED } else { query::NEWER };
    after_plain_form(Page::TwoFactor, &format!("{key}=1"));
    Ok(())
}

/// Turns it off: the password and a code (or a recovery code).
#[server(endpoint = "two_factor_disable")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    let ip = client_ip().await?;
    store
        .disable_two_factor(&current, &password, &code, ip)
        .await
        .map_err(fail)?;
    after_plain_form(Page::TwoFactor, &format!("{}=1", query::OFF));
    Ok(())
}
