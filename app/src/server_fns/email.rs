//! The account's email address: set (a verification link goes out),
//! verified (from the link), removed.
#[cfg(feature = "ssr")]
use crate::contract::{Page, query};
use crate::error::AppError;
use leptos::prelude::*;

/// Asks for alerts to go to `email`; the link that verifies it is emailed
/// (re-authenticating first with `password`, a code with two-factor on,
/// if given).
#[server(endpoint = "set_email")]
pub async fn set_email(email: String, password: Option<String>) -> Result<String, AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    reauthenticate_if_given(&store, &current, password).await?;
    let address = store.set_email(&current, &email).await.map_err(fail)?;
    after_plain_form(Page::Email, &format!("{}=1", query::SENT));
    Ok(address)
}

/// Removes the addresses of the signed-in account.
#[server(endpoint = "remove_email")]
pub async fn remove_email(password: Option<String>) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    reauthenticate_if_given(&store, &current, password).await?;
    store.remove_email(&current).await.map_err(fail)?;
    after_plain_form(Page::Email, &format!("{}=1", query::REMOVED));
    Ok(())
}

/// Verifies an address with the token of its link (signed in or not).
#[server(endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    store.verify_email(&token).await.map_err(fail)?;
    after_plain_form(Page::VerifyEmail, &format!("{}=1", query::VERIFIED));
    Ok(())
}
