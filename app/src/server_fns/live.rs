//! What the live board and notices refetch when something changed: their
//! data, never markup (the islands render it).
use crate::codec::TextJson;
use crate::dashboard::Dashboard;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Post};

/// The sessions board's data; `before`/`after` page the history.
#[server(endpoint = "board", input = GetUrl, output = Post<TextJson>)]
pub async fn board_data(
    before: Option<String>,
    after: Option<String>,
) -> Result<Dashboard, AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    crate::dashboard::load(&store, &current, before, after)
        .await
        .map_err(fail)
}

/// The "Was this you?" notices of the signed-in account (a board with only
/// its notices), for pages other than the sessions page.
#[server(endpoint = "notices", input = GetUrl, output = Post<TextJson>)]
pub async fn notices_data() -> Result<Dashboard, AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    crate::dashboard::notices(&store, &current)
        .await
        .map_err(fail)
}
