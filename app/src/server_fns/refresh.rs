//! Live refreshes: the sessions board and the "Was this you?" notices,
//! rendered like the pages render them.
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The sessions board as HTML, rendered like the page renders it: what the
/// page's island shows after a live update, a terminate or history paging.
#[server(endpoint = "board", input = GetUrl)]
pub async fn board_html(
    before: Option<String>,
    after: Option<String>,
    #[server(default)] confirm: bool,
) -> Result<String, AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    let dashboard = crate::dashboard::load(&store, &current, before, after)
        .await
        .map_err(fail)?;
    Ok(crate::components::board::board_html(dashboard, confirm))
}

/// The "Was this you?" notices as HTML, rendered like the pages render
/// them: what the notice island shows after a live update.
#[server(endpoint = "notices", input = GetUrl)]
pub async fn notices_html() -> Result<String, AppError> {
    use super::context::*;
    let store = store()?;
    let current = signed_in().await?;
    let notices = crate::dashboard::notices(&store, &current)
        .await
        .map_err(fail)?;
    Ok(crate::components::notice::notices(notices.0, notices.1).to_html())
}
