use crate::admin_data::{AdminRows, account_link};
use crate::display::time;
use crate::messages::plural;
use leptos::prelude::*;

/// Every active session the filter (`query`) selects: rendered from its
/// data on the server, then refetched by the browser whenever any
/// account's sessions start or end; rows are keyed by session id.
#[island]
pub fn AdminSessionsTable(rows: AdminRows, query: String) -> impl IntoView {
    let data = RwSignal::new(rows);
    #[cfg(feature = "hydrate")]
    crate::browser::admin::watch(data, query);
    #[cfg(not(feature = "hydrate"))]
    let _ = query;
    view! {
        <p data-field="session-count" aria-live="polite">
            {move || plural(data.with(|d| d.total), "active session", "active sessions")}
        </p>
        <table class="admin-table" aria-label="Active sessions">
            <thead><tr>
                <th scope="col">"Account"</th><th scope="col">"Device"</th>
                <th scope="col">"IP and country"</th><th scope="col">"Last activity"</th>
                <th scope="col">"Signed in"</th><th scope="col">"Review"</th>
            </tr></thead>
            <tbody>
                <For each=move || data.get().rows key=|r| r.id.clone() let:r>
                    <tr data-session-id=r.id.clone()>
                        <td><a href=account_link(&r.user)>{r.user.clone()}</a></td>
                        <td>{r.device.clone()}</td>
                        <td>{r.place.clone()}</td>
                        <td>{time::utc_minutes(r.last_seen_ms)}</td>
                        <td>{time::utc_minutes(r.created_ms)}</td>
                        <td>{if r.review { "Awaiting review" } else { "" }}</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}
