use crate::components::Alerts;
use leptos::prelude::*;

/// "Was this you?" on pages other than the sessions page (whose board
/// carries its own): the notices appear and go live, and their answers
/// run in place.
#[island]
pub fn NoticeIsland(children: Children) -> impl IntoView {
    let (info, error) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let area = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let live = {
        crate::browser::mark_hydrated();
        let live = crate::browser::notices::Notices::new(area, info, error);
        Effect::new(move |_| live.start());
        live
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        live.submit(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <Alerts error info/>
        <div class="notice-area" node_ref=area on:submit=on_submit>{children()}</div>
    }
}
