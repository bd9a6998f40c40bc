use crate::components::Alerts;
use crate::contract::AccountForm;
use leptos::prelude::*;

/// Messages above a server-rendered account form, whose submit it takes
/// over: the action runs in place with a busy button, and its outcome
/// shows here.
#[island]
pub fn FormIsland(
    form: AccountForm,
    info: Option<String>,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    let (info, error) = (RwSignal::new(info), RwSignal::new(error));
    #[cfg(feature = "hydrate")]
    crate::browser::mark_hydrated();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        crate::browser::forms::submit(form, ev, info, error);
        #[cfg(not(feature = "hydrate"))]
        let _ = (form, ev);
    };
    view! {
        <Alerts error info/>
        <div on:submit=on_submit>{children()}</div>
    }
}
