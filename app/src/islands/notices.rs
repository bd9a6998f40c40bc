use crate::components::notice::Notices;
use crate::components::{Alerts, Board};
use crate::dashboard::{BoardQuery, Dashboard};
use leptos::prelude::*;

/// "Was this you?" on pages other than the sessions page (whose board
/// carries its own): the notices, live, their answers run in place.
#[island]
pub fn NoticeIsland(notices: Dashboard) -> impl IntoView {
    let board = Board::new(notices, BoardQuery::default(), None, None);
    #[cfg(feature = "hydrate")]
    crate::browser::live::run(board, crate::browser::live::Scope::Notices);
    view! {
        <Alerts error=board.error info=board.info/>
        <div class="notice-area" node_ref=board.root>
            <Notices board/>
        </div>
    }
}
