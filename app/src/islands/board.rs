use crate::components::Alerts;
use leptos::prelude::*;

/// The live part of the sessions page. It takes over the board's forms
/// and, when the live stream says something changed, replaces the board
/// with a fresh server rendering; relative times tick every second.
#[island]
pub fn SessionsBoard(
    before: Option<String>,
    after: Option<String>,
    confirm: bool,
    info: Option<String>,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    let (info, error) = (RwSignal::new(info), RwSignal::new(error));
    let board = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let live = {
        crate::browser::mark_hydrated();
        let live = crate::browser::board::Board::new(board, info, error, before, after, confirm);
        Effect::new(move |_| live.start());
        live
    };
    #[cfg(not(feature = "hydrate"))]
    let _ = (before, after, confirm);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        live.submit(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        live.click(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <Alerts error info/>
        <div class="board" node_ref=board on:submit=on_submit on:click=on_click>{children()}</div>
    }
}
