//! The sessions board's actions. Both need a recently authenticated
//! session; `password`, when given, re-authenticates first (the board
//! asks for it when the session's proof is older than the window).
#[cfg(feature = "ssr")]
use crate::contract::{Page, query};
use crate::error::AppError;
use leptos::prelude::*;

/// Ends another session of the signed-in account.
#[server(endpoint = "terminate_session")]
pub async fn terminate_session(id: String, password: Option<String>) -> Result<(), AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    reauthenticate_if_given(&store, &current, password).await?;
    store.terminate_session(&current, &id).await.map_err(fail)?;
    after_plain_form(Page::Sessions, &format!("{}=1", query::TERMINATED));
    Ok(())
}

/// Ends every other session of the signed-in account; returns how many.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere(password: Option<String>) -> Result<u64, AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    reauthenticate_if_given(&store, &current, password).await?;
    let n = store.sign_out_everywhere(&current).await.map_err(fail)?;
    after_plain_form(Page::Sessions, &format!("{}={n}", query::SIGNED_OUT));
    Ok(n)
}
