//! One card per active session.
use super::{local_time, marks, reauth_field};
use crate::contract::BoardAction;
use crate::dashboard::{PlaceLine, SessionCard};
use crate::display::time;
use crate::messages::plural;
use crate::server_fns::board::TerminateSession;
use crate::server_fns::review::RenameSession;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn device_icon(device_type: &str) -> impl IntoView + use<> {
    // Simple outline icons, drawn here rather than fetched.
    let path = match device_type {
        "Mobile" => "M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm3 17h2",
        "Tablet" => {
            "M5 2h14a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm6 17h2"
        }
        "Bot" => {
            "M7 8h10a3 3 0 0 1 3 3v6a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3v-6a3 3 0 0 1 3-3zm5-5v5M9 13h.01M15 13h.01M9 17h6"
        }
        "Desktop" => {
            "M3 4h18a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm5 17h8m-4-4v4"
        }
        _ => "M12 3a9 9 0 1 0 0 18a9 9 0 0 0 0-18zm0 5v5m0 3h.01",
    };
    view! {
        <svg class="device-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}

/// "Used from 3 places", opening to the trail, most recent first.
fn trail(count: u32, places: Vec<PlaceLine>) -> impl IntoView + use<> {
    (count > 1).then(|| {
        let items = places
            .into_iter()
            .map(|p| {
                view! {
                    <li>
                        <span class="place-location">{super::location(p.location)}</span>
                        " · " <span class="place-ip">{p.ip}</span>
                        " · " {local_time(p.first_ms)} " – " {local_time(p.last_ms)}
                    </li>
                }
            })
            .collect_view();
        view! {
            <details class="trail" data-field="places">
                <summary>{format!("Used from {}", plural(u64::from(count), "place", "places"))}</summary>
                <ul>{items}</ul>
            </details>
        }
    })
}

/// Naming the session: a plain form, folded away.
fn rename(id: String, name: Option<String>, placeholder: String) -> impl IntoView + use<> {
    let field = format!("name-{id}");
    view! {
        <details class="rename">
            <summary>"Rename"</summary>
            <form action=RenameSession::PATH method="post" data-action=BoardAction::Rename.as_str()>
                <input type="hidden" name="id" value=id/>
                <label for=field.clone()>"Name"</label>
                <input id=field type="text" name="name" maxlength="60" value=name placeholder=placeholder autocomplete="off"/>
                <button type="submit" class="btn">"Save name"</button>
            </form>
        </details>
    }
}

/// The card of one active session; every detail carries a `data-field`.
pub fn card(card: SessionCard, now: i64, reauth: bool) -> impl IntoView + use<> {
    let SessionCard {
        id,
        device_type,
        platform,
        browser,
        ip,
        location,
        last_seen_ms,
        created_ms,
        pages_visited,
        current,
        auth_method,
        name,
        title,
        default_name,
        marks: m,
        place_count,
        places,
    } = card;
    let label = title.clone();
    let rename_form = rename(id.clone(), name, default_name);
    let seen_exact = time::iso(last_seen_ms);
    let terminate = (!current).then(|| {
        view! {
            <form action=TerminateSession::PATH method="post" data-action=BoardAction::Terminate.as_str()>
                <input type="hidden" name="id" value=id.clone()/>
                {reauth_field(reauth)}
                <button type="submit" class="btn btn-danger">"Terminate"</button>
            </form>
        }
    });
    view! {
        <article class="card" class:current=current data-session-id=id aria-label=label>
            <header>
                {device_icon(device_type)}
                <h3 data-field="name">{title}</h3>
                {current.then(|| view! { <span class="badge">"This device"</span> })}
            </header>
            {marks(m)}
            <dl>
                <div><dt>"Device type"</dt><dd data-field="device-type">{device_type}</dd></div>
                <div><dt>"Platform"</dt><dd data-field="platform">{platform}</dd></div>
                <div><dt>"Browser"</dt><dd data-field="browser">{browser}</dd></div>
                <div><dt>"IP address"</dt><dd data-field="ip">{ip}</dd></div>
                <div><dt>"Location"</dt><dd data-field="location">{super::location(location)}</dd></div>
                <div>
                    <dt>"Last activity"</dt>
                    <dd data-field="last-activity">
                        <time datetime=seen_exact.clone() title=seen_exact data-rel=last_seen_ms>
                            {time::relative(now, last_seen_ms)}
                        </time>
                    </dd>
                </div>
                <div><dt>"Login time"</dt><dd data-field="login-time">{local_time(created_ms)}</dd></div>
                <div><dt>"Pages visited"</dt><dd data-field="pages-visited">{pages_visited}</dd></div>
                <div><dt>"Signed in with"</dt><dd data-field="auth-method">{auth_method}</dd></div>
            </dl>
            {trail(place_count, places)}
            <div class="card-actions">
                {rename_form}
                {terminate}
            </div>
        </article>
    }
}
