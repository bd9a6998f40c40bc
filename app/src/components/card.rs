//! One card per active session.
use super::{local_time, marks, reauth_field};
use crate::contract::BoardAction;
use crate::dashboard::{PlaceLine, Proof, SessionCard};
use crate::display::time;
use crate::messages::plural;
use crate::server_fns::board::TerminateSession;
use crate::server_fns::review::RenameSession;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn device_icon(device_type: &str) -> impl IntoView + use<> {
    // Outline icons served from /icons and painted in the text colour by a
    // CSS mask: one empty element per card instead of an inline SVG.
    let class = match device_type {
        "Mobile" => "device-icon icon icon-mobile",
        "Tablet" => "device-icon icon icon-tablet",
        "Bot" => "device-icon icon icon-bot",
        "Desktop" => "device-icon icon icon-desktop",
        _ => "device-icon icon icon-unknown",
    };
    view! { <span class=class aria-hidden="true"></span> }
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
pub fn card(card: SessionCard, now: i64, reauth: Proof) -> impl IntoView + use<> {
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
