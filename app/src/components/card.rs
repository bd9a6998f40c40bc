//! One card per active session. What can change while the page is open
//! (name, marks, address, place, last activity, pages visited, the places
//! it was used from, whether Terminate asks for a proof) is read from the
//! board's data by id; the rest was fixed at sign-in.
use super::PostForm;
use super::state::{Board, refusal};
use super::{live_marks, local_time, proof_field, submit_button};
use crate::dashboard::{PlaceLine, SessionCard};
use crate::display::time;
use crate::messages::{self, plural};
use crate::server_fns::board::TerminateSession;
use crate::server_fns::review::RenameSession;
use leptos::prelude::*;

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
fn trail(count: u32, places: Vec<PlaceLine>, local: Signal<bool>) -> impl IntoView + use<> {
    (count > 1).then(|| {
        let items = places
            .into_iter()
            .map(|p| {
                view! {
                    <li>
                        <span class="place-location">{super::location(p.location)}</span>
                        " · " <span class="place-ip">{p.ip}</span>
                        " · " {local_time(p.first_ms, local)} " – " {local_time(p.last_ms, local)}
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

/// The card of one active session; every detail carries a `data-field`.
#[component]
pub fn Card(board: Board, initial: SessionCard) -> impl IntoView {
    let id = initial.id.clone();
    let card = {
        let id = id.clone();
        Memo::new(move |_| {
            board
                .data
                .with(|d| d.cards.iter().find(|c| c.id == id).cloned())
        })
    };
    let text = move |f: fn(&SessionCard) -> String| {
        move || card.with(|c| c.as_ref().map(f).unwrap_or_default())
    };
    let local: Signal<bool> = board.local.into();
    let terminate = ServerAction::<TerminateSession>::new();
    board.on_outcome(terminate, |()| messages::TERMINATED.to_owned());
    let rename = ServerAction::<RenameSession>::new();
    board.on_outcome(rename, |()| messages::RENAMED.to_owned());
    let seen = Memo::new(move |_| card.with(|c| c.as_ref().map_or(0, |c| c.last_seen_ms)));
    let seen_exact = move || time::iso(seen.get());
    let places =
        Memo::new(move |_| card.with(|c| c.as_ref().map(|c| (c.place_count, c.places.clone()))));
    let apps =
        Memo::new(move |_| card.with(|c| c.as_ref().map(|c| c.apps.clone()).unwrap_or_default()));
    // "Wiki · 2 minutes ago, Photos · yesterday", ticking with the board.
    let apps_line = move || {
        let used = apps.get();
        (!used.is_empty()).then(|| {
            let line = move || {
                let now = board.now.get();
                apps.with(|a| {
                    a.iter()
                        .map(|a| format!("{} · {}", a.name, time::relative(now, a.last_ms)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
            };
            view! { <div><dt>"Apps"</dt><dd data-field="apps">{line}</dd></div> }
        })
    };
    let SessionCard {
        device_type,
        platform,
        browser,
        created_ms,
        current,
        auth_method,
        name,
        default_name,
        started_app,
        ..
    } = initial;
    let field = format!("name-{id}");
    let (card_id, rename_id) = (id.clone(), id.clone());
    let (busy, renaming) = (terminate.pending(), rename.pending());
    let terminate_form = (!current).then(|| {
        let id = id.clone();
        view! {
            <PostForm action=terminate>
                <input type="hidden" name="id" value=id/>
                {proof_field(board.proof)}
                {submit_button("btn btn-danger", "Terminate".into(), busy)}
            </PostForm>
            {refusal(terminate)}
        }
    });
    // A custom name never hides what the device is.
    let device_line = {
        let default_name = default_name.clone();
        move || {
            card.with(|c| c.as_ref().is_some_and(|c| c.name.is_some()))
                .then(|| view! { <p class="device-line" data-field="default-name">{default_name.clone()}</p> })
        }
    };
    view! {
        <article class="card" class:current=current data-session-id=card_id aria-label=text(|c| c.title.clone())>
            <header>
                {device_icon(&device_type)}
                <h3 data-field="name">{text(|c| c.title.clone())}</h3>
                {current.then(|| view! { <span class="badge">"This device"</span> })}
            </header>
            {device_line}
            {live_marks(Memo::new(move |_| card.with(|c| c.as_ref().map(|c| c.marks).unwrap_or_default())))}
            <dl>
                <div><dt>"Device type"</dt><dd data-field="device-type">{device_type}</dd></div>
                <div><dt>"Platform"</dt><dd data-field="platform">{platform}</dd></div>
                <div><dt>"Browser"</dt><dd data-field="browser">{browser}</dd></div>
                <div><dt>"IP address"</dt><dd data-field="ip">{text(|c| c.ip.clone())}</dd></div>
                <div><dt>"Location"</dt><dd data-field="location">{move || card.with(|c| c.as_ref().map(|c| super::location(c.location.clone())))}</dd></div>
                <div>
                    <dt>"Last activity"</dt>
                    <dd data-field="last-activity">
                        <time datetime=seen_exact title=seen_exact>
                            {move || time::relative(board.now.get(), seen.get())}
                        </time>
                    </dd>
                </div>
                <div><dt>"Login time"</dt><dd data-field="login-time">{local_time(created_ms, local)}</dd></div>
                <div><dt>"Pages visited"</dt><dd data-field="pages-visited">{move || card.with(|c| c.as_ref().map_or(0, |c| c.pages_visited))}</dd></div>
                <div><dt>"Signed in with"</dt><dd data-field="auth-method">{auth_method}</dd></div>
                {started_app.map(|a| view! { <div><dt>"Signed in from"</dt><dd data-field="started-app">{a}</dd></div> })}
                {apps_line}
            </dl>
            {move || places.get().map(|(n, p)| trail(n, p, local))}
            <div class="card-actions">
                <details class="rename">
                    <summary>"Rename"</summary>
                    <PostForm action=rename>
                        <input type="hidden" name="id" value=rename_id/>
                        <label for=field.clone()>"Name"</label>
                        <input id=field type="text" name="name" maxlength="60" value=name placeholder=default_name autocomplete="off"/>
                        {submit_button("btn", "Save name".into(), renaming)}
                    </PostForm>
                    {refusal(rename)}
                </details>
                {terminate_form}
            </div>
        </article>
    }
}
