//! The session limit's step of a login: the person chooses which of the
//! account's sessions to end so that this sign-in can start.
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::ErrorKind;
use leptos::prelude::*;

/// Ends session `id` of the account whose login this browser holds (all
/// its factors given) and signs in; returns where to go.
#[server(endpoint = "make_room")]
pub async fn make_room(id: String, rd: Option<String>) -> Result<String, AppError> {
    use super::context::*;
    let store = store()?;
    let mut facts = facts().await?;
    let back = return_to(rd.as_deref());
    facts.app = app_of(back.as_deref());
    let pending = pending_login_cookie().ok_or_else(|| fail(ErrorKind::LoginExpired))?;
    let (token, _) = match store.make_room(&pending, &id, &facts).await {
        Ok(done) => done,
        Err(e) => {
            if matches!(e, sessions::StoreError::LoginExpired) {
                clear_pending_login_cookie();
            }
            return Err(fail(e));
        }
    };
    signed_in_after_pending(&store, &token, back).await
}
