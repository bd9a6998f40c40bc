//! One row of the history table: what can change while the page is open
//! (the status when it ends, a name, an answer, the marks) is read from
//! the board's data by id; a running duration ticks with the board's clock.
use super::state::Board;
use super::{live_marks, local_time};
use crate::dashboard::HistoryRow;
use crate::display::time;
use leptos::prelude::*;

#[component]
pub fn HistoryLine(board: Board, initial: HistoryRow) -> impl IntoView {
    let id = initial.id.clone();
    let row = {
        let id = id.clone();
        Memo::new(move |_| {
            board
                .data
                .with(|d| d.history.iter().find(|r| r.id == id).cloned())
        })
    };
    let HistoryRow {
        device_and_browser,
        location,
        created_ms,
        auth_method,
        apps,
        ..
    } = initial;
    let apps = (!apps.is_empty())
        .then(|| view! { <span class="history-apps" data-field="apps">{format!(" · {}", apps.join(", "))}</span> });
    let ended = Memo::new(move |_| row.with(|r| r.as_ref().and_then(|r| r.ended_ms)));
    let duration = move || {
        let end = ended.get().unwrap_or_else(|| board.now.get());
        time::duration(end - created_ms)
    };
    let status = move || row.with(|r| r.as_ref().map(|r| r.status.clone()).unwrap_or_default());
    let answer = move || {
        row.with(|r| r.as_ref().and_then(|r| r.answer.clone()))
            .map(|a| view! { " " <span class="answer" data-field="answer">{a}</span> })
    };
    let name = move || {
        row.with(|r| r.as_ref().and_then(|r| r.name.clone()))
            .map(|n| view! { <strong class="history-name" data-field="name">{n}</strong> " · " })
    };
    view! {
        <tr data-session-id=id>
            // One block per cell: on phones each cell is a label and its value.
            <td data-label="Device and browser">
                <div>
                    {name}
                    {device_and_browser}
                    <span class="history-auth" data-field="auth-method">{format!(" · {auth_method}")}</span>
                    {apps}
                    {live_marks(Memo::new(move |_| row.with(|r| r.as_ref().map(|r| r.marks).unwrap_or_default())))}
                </div>
            </td>
            <td data-label="Location">{super::location(location)}</td>
            <td data-label="Login time">{local_time(created_ms, board.local.into())}</td>
            <td data-label="Duration" data-field="duration">{duration}</td>
            <td data-label="Status">
                <div>
                    <span class="status" class:active=move || ended.get().is_none()>{status}</span>
                    {answer}
                </div>
            </td>
        </tr>
    }
}
