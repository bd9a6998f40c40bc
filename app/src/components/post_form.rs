//! A form that posts to its server function without script and, once
//! hydrated, runs that function as an action in place. Leptos's
//! `ActionForm` does the same, but reads the fields with `serde_qs`,
//! which cost the board's wasm 26 KB gzipped; the board's five
//! actions say which fields they take instead.
use crate::error::AppError;
use crate::server_fns::board::{SignOutEverywhere, TerminateSession};
use crate::server_fns::review::{ConfirmSignIn, DenySignIn, RenameSession};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// A server function's arguments, read from a submitted form's fields.
pub trait FromFields {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn from_fields(field: &dyn Fn(&str) -> Option<String>) -> Self;
}

#[component]
pub fn PostForm<S>(action: ServerAction<S>, children: Children) -> impl IntoView
where
    S: ServerFn<Error = AppError> + FromFields + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        if let Some((_, data)) = crate::browser::submitted(&ev) {
            ev.prevent_default();
            action.dispatch(S::from_fields(&|name| crate::browser::value(&data, name)));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, action);
    };
    view! { <form action=S::url() method="post" on:submit=on_submit>{children()}</form> }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn text(field: &dyn Fn(&str) -> Option<String>, name: &str) -> String {
    field(name).unwrap_or_default()
}

impl FromFields for TerminateSession {
    fn from_fields(field: &dyn Fn(&str) -> Option<String>) -> Self {
        TerminateSession {
            id: text(field, "id"),
            password: field("password"),
        }
    }
}

impl FromFields for SignOutEverywhere {
    fn from_fields(field: &dyn Fn(&str) -> Option<String>) -> Self {
        SignOutEverywhere {
            password: field("password"),
        }
    }
}

impl FromFields for ConfirmSignIn {
    fn from_fields(field: &dyn Fn(&str) -> Option<String>) -> Self {
        ConfirmSignIn {
            id: text(field, "id"),
        }
    }
}

impl FromFields for DenySignIn {
    fn from_fields(field: &dyn Fn(&str) -> Option<String>) -> Self {
        DenySignIn {
            id: text(field, "id"),
            password: field("password"),
        }
    }
}

impl FromFields for RenameSession {
    fn from_fields(field: &dyn Fn(&str) -> Option<String>) -> Self {
        RenameSession {
            id: text(field, "id"),
            name: text(field, "name"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn a_form_without_the_proof_field_sends_no_password() {
        let t = TerminateSession::from_fields(&fields(&[("id", "abc")]));
        assert_eq!((t.id.as_str(), t.password), ("abc", None));
        let t = TerminateSession::from_fields(&fields(&[("id", "abc"), ("password", "pw")]));
        assert_eq!(t.password.as_deref(), Some("pw"));
        let d = DenySignIn::from_fields(&fields(&[("id", "x"), ("password", "123456")]));
        assert_eq!(
            (d.id.as_str(), d.password.as_deref()),
            ("x", Some("123456"))
        );
        assert_eq!(SignOutEverywhere::from_fields(&fields(&[])).password, None);
    }

    #[test]
    fn a_rename_reads_its_id_and_name() {
        let r = RenameSession::from_fields(&fields(&[("id", "s1"), ("name", "Work laptop")]));
        assert_eq!((r.id.as_str(), r.name.as_str()), ("s1", "Work laptop"));
        assert_eq!(
            ConfirmSignIn::from_fields(&fields(&[("id", "s2")])).id,
            "s2"
        );
        assert_eq!(
            RenameSession::from_fields(&fields(&[("id", "s1")])).name,
            ""
        );
    }
}
