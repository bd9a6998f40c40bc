//! "Was this you?" answers and session names.
#[cfg(feature = "ssr")]
use crate::contract::{Page, query};
use crate::error::AppError;
use leptos::prelude::*;

/// "Yes, it was me" about another session of the signed-in account.
#[server(endpoint = "confirm_sign_in")]
pub async fn confirm_sign_in(id: String) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    store.confirm_sign_in(&current, &id).await.map_err(fail)?;
    after_plain_form(Page::Sessions, &format!("{}=1", query::CONFIRMED));
    Ok(())
}

/// "No — sign it out": ends that session and records the denial; then the
/// change-password page is the next step. `password` re-authenticates
/// first, like terminating.
#[server(endpoint = "deny_sign_in")]
pub async fn deny_sign_in(id: String, password: Option<String>) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    reauthenticate_if_given(&store, &current, password).await?;
    store.deny_sign_in(&current, &id).await.map_err(fail)?;
    after_plain_form(Page::ChangePassword, &format!("{}=1", query::DENIED));
    Ok(())
}

/// Names a session of the signed-in account (an empty name restores the
/// default).
#[server(endpoint = "rename_session")]
pub async fn rename_session(id: String, name: String) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    store
        .rename_session(&current, &id, &name)
        .await
        .map_err(fail)?;
    after_plain_form(Page::Sessions, &format!("{}=1", query::RENAMED));
    Ok(())
}
