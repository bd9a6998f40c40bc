//! Personal API tokens.
use crate::error::AppError;
use leptos::prelude::*;

/// Creates an API token for the signed-in person: `scope` is `read` or
/// `manage`, `days` its lifetime; `password` re-authenticates first when
/// given. Returns the token, which is never shown again.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    scope: String,
    days: u32,
    password: Option<String>,
) -> Result<String, AppError> {
    use super::context::*;
    use crate::error::ErrorKind;
    let store = store()?;
    let current = signed_in().await?;
    let scope = match scope.as_str() {
        "read" => sessions::TokenScope::Read,
        "manage" => sessions::TokenScope::Manage,
        _ => return Err(fail(ErrorKind::Request)),
    };
    reauthenticate_if_given(&store, &current, password).await?;
    let lifetime = std::time::Duration::from_secs(u64::from(days) * 24 * 60 * 60);
    let (token, _) = store
        .create_api_token(&current, &name, scope, lifetime, client_ip().await?)
        .await
        .map_err(fail)?;
    Ok(token.expose_secret().to_owned())
}
