//! One card per active session.
use super::{local_time, reauth_field};
use crate::contract::BoardAction;
use crate::dashboard::SessionCard;
use crate::display::time;
use crate::server_fns::board::TerminateSession;
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
    } = card;
    let title = format!("{browser} on {platform}");
    let label = title.clone();
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
                <h3>{title}</h3>
                {current.then(|| view! { <span class="badge">"This device"</span> })}
            </header>
            <dl>
                <div><dt>"Device type"</dt><dd data-field="device-type">{device_type}</dd></div>
                <div><dt>"Platform"</dt><dd data-field="platform">{platform}</dd></div>
                <div><dt>"Browser"</dt><dd data-field="browser">{browser}</dd></div>
                <div><dt>"IP address"</dt><dd data-field="ip">{ip}</dd></div>
                <div><dt>"Location"</dt><dd data-field="location">{location}</dd></div>
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
            </dl>
            {terminate}
        </article>
    }
}
