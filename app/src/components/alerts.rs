use leptos::prelude::*;

/// Error and confirmation messages, announced politely as they change;
/// focusable from script, so that the focus can land on an outcome.
#[component]
pub fn Alerts(error: RwSignal<Option<String>>, info: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div class="alerts" aria-live="polite">
            {move || error.get().map(|m| view! { <p class="alert alert-error" role="alert" tabindex="-1">{m}</p> })}
            {move || info.get().map(|m| view! { <p class="alert alert-info" role="status" tabindex="-1">{m}</p> })}
        </div>
    }
}
