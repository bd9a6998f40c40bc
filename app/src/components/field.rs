use leptos::prelude::*;

/// A labelled, required input of an account form.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    autocomplete: &'static str,
    /// A password (hidden as typed).
    #[prop(optional)]
    secret: bool,
    #[prop(optional)] minlength: Option<u32>,
    #[prop(optional)] maxlength: Option<u32>,
    /// May be left empty.
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    let kind = if secret { "password" } else { "text" };
    view! {
        <label>
            {label}
            <input type=kind name=name autocomplete=autocomplete required=!optional minlength=minlength maxlength=maxlength/>
        </label>
    }
}
