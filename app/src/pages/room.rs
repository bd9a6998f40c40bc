//! `/login/room`: the account is at its session limit. The person sees
//! its signed-in devices and chooses which one to sign out; nothing is
//! ended for them. Plain forms: the same with and without script.
use super::auth::{login_expired, return_field};
use super::{query, url_error};
use crate::contract::Page;
use crate::display::{self, time};
use crate::messages;
use crate::server_fns::room::MakeRoom;
use ::sessions::SessionView;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn choice(s: SessionView, back: Option<impl IntoView + 'static>) -> impl IntoView {
    let label = format!("Sign out {} and continue", s.display_name());
    view! {
        <li class="room-choice">
            <p>
                <strong>{s.display_name()}</strong>
                " · " {display::device_type(s.device_type)} " · " {s.browser()}
                <br/>
                {s.ip.clone()} " · " {display::location(&s.location)}
                " · last active " {time::utc_minutes(s.last_seen_at.timestamp_millis())}
            </p>
            <form action=MakeRoom::PATH method="post">
                {back}
                <input type="hidden" name="id" value=s.id.clone()/>
                <button type="submit" class="btn btn-danger" aria-label=label>"Sign out this device"</button>
            </form>
        </li>
    }
}

#[component]
pub fn LoginRoom() -> impl IntoView {
    let q = query();
    let error = url_error(&q);
    let back = return_field(&q);
    let store = use_context::<::sessions::SessionStore>();
    let pending = crate::server_fns::context::pending_login_cookie();
    let load = move || {
        let (store, pending, error, back) =
            (store.clone(), pending.clone(), error.clone(), back.clone());
        Suspend::new(async move {
            let choices = match (store, pending) {
                (Some(store), Some(p)) => store.room_choices(&p).await.ok(),
                _ => None,
            };
            let Some(choices) = choices else {
                return login_expired(error);
            };
            let items = choices
                .into_iter()
                .map(|s| choice(s, back.clone()))
                .collect_view();
            view! {
                {error.map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
                <p class="lead">{messages::SESSION_LIMIT}</p>
                <ul class="room-choices">{items}</ul>
                <p><a href=Page::Login.path()>"Cancel"</a></p>
            }
            .into_any()
        })
    };
    view! {
        <section class="page narrow auth">
            <h1>"Too many signed-in devices"</h1>
            <Suspense fallback=|| ()>{load}</Suspense>
        </section>
    }
}
