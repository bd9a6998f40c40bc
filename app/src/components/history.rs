//! The history table: recent sessions, active and ended.
use super::{local_time, marks};
use crate::dashboard::HistoryRow;
use crate::display::time;
use leptos::prelude::*;

fn history_line(row: HistoryRow, now: i64) -> impl IntoView + use<> {
    let HistoryRow {
        id,
        device_and_browser,
        location,
        created_ms,
        ended_ms,
        status,
        auth_method,
        name,
        marks: m,
        answer,
    } = row;
    let active = ended_ms.is_none();
    let duration = time::duration(ended_ms.unwrap_or(now) - created_ms);
    view! {
        <tr data-session-id=id>
            // One block per cell: on phones each cell is a label and its value.
            <td data-label="Device and browser">
                <div>
                    {name.map(|n| view! { <strong class="history-name" data-field="name">{n}</strong> " · " })}
                    {device_and_browser}
                    <span class="history-auth" data-field="auth-method">{format!(" · {auth_method}")}</span>
                    {marks(m)}
                </div>
            </td>
            <td data-label="Location">{super::location(location)}</td>
            <td data-label="Login time">{local_time(created_ms)}</td>
            <td data-label="Duration" data-since=active.then_some(created_ms)>{duration}</td>
            <td data-label="Status">
                <div>
                    <span class="status" class:active=active>{status}</span>
                    {answer.map(|a| view! { " " <span class="answer" data-field="answer">{a}</span> })}
                </div>
            </td>
        </tr>
    }
}

/// The table (`data-since` marks running durations the browser keeps current).
pub fn history_table(rows: Vec<HistoryRow>, now: i64) -> impl IntoView + use<> {
    let rows = rows
        .into_iter()
        .map(|r| history_line(r, now))
        .collect_view();
    // Focusable: a table wider than the screen scrolls by keyboard too.
    view! {
        <div class="table-wrap" role="region" aria-labelledby="history-title" tabindex="0">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Device and browser"</th>
                        <th scope="col">"Location"</th>
                        <th scope="col">"Login time"</th>
                        <th scope="col">"Duration"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
