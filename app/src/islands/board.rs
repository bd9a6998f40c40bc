use crate::components::{Board, BoardView};
use crate::dashboard::{BoardQuery, Dashboard};
use leptos::prelude::*;

/// The live sessions board: rendered from its data on the server, then
/// owned by the browser, which refetches the data (never markup) when the
/// live stream says something changed, and runs its forms as actions.
#[island]
pub fn SessionsBoard(
    dashboard: Dashboard,
    query: BoardQuery,
    info: Option<String>,
    error: Option<String>,
) -> impl IntoView {
    let board = Board::new(dashboard, query, info, error);
    #[cfg(feature = "hydrate")]
    crate::browser::live::run(board, crate::browser::live::Scope::Board);
    view! { <BoardView board/> }
}
