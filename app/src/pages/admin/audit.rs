//! `/admin/audit`: the audit log, filtered by account, kind and days,
//! newest first, with "Older" pages and an export of the same filter as
//! JSON lines.
use super::{admin_content, alerts, console_nav, query, url_error};
use crate::contract::{AUDIT_EXPORT_PATH, Page, query as keys};
use crate::display::time;
use crate::server_fns::admin::audit_filter;
use ::sessions::AuditEntry;
use leptos::prelude::*;
use leptos_router::params::ParamsMap;

/// The filter's query, without the page position.
fn filter_query(q: &ParamsMap) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for key in [keys::USER, keys::KIND, keys::SINCE, keys::UNTIL] {
        if let Some(v) = q.get(key).filter(|v| !v.is_empty()) {
            s.append_pair(key, &v);
        }
    }
    s.finish()
}

fn row(e: AuditEntry) -> impl IntoView {
    let detail = match &e.detail {
        serde_json::Value::Object(m) if m.is_empty() => String::new(),
        other => other.to_string(),
    };
    view! {
        <tr>
            <td><time datetime=time::iso(e.at.timestamp_millis())>{time::utc_minutes(e.at.timestamp_millis())}</time></td>
            <td>{e.kind}</td>
            <td>{e.user.unwrap_or_default()}</td>
            <td>{e.actor.unwrap_or_default()}</td>
            <td>{e.ip.unwrap_or_default()}</td>
            <td><code>{detail}</code></td>
        </tr>
    }
}

#[component]
pub fn AdminAudit() -> impl IntoView {
    let q = query();
    let error = url_error(&q);
    let filter = audit_filter(|k| q.get(k));
    let (base, value) = (filter_query(&q), move |k: &str| {
        q.get(k).unwrap_or_default()
    });
    let (user, kind, since, until) = (
        value(keys::USER),
        value(keys::KIND),
        value(keys::SINCE),
        value(keys::UNTIL),
    );
    let content = admin_content(Page::AdminAudit, move |store, current| {
        let (filter, base, kind) = (filter.clone(), base.clone(), kind.clone());
        let (user, since, until) = (user.clone(), since.clone(), until.clone());
        async move {
            store.require_admin(&current).await?;
            let filter = filter?;
            let page = store.audit_page(&filter).await?;
            let kinds = store
                .audit_kinds()
                .await?
                .into_iter()
                .map(|k| {
                    let selected = k == kind;
                    let label = k.clone();
                    view! { <option value=k selected=selected>{label}</option> }
                })
                .collect_view();
            let sep = if base.is_empty() { "" } else { "&" };
            let older = page.older.map(|pos| {
                let href = format!(
                    "{}?{base}{sep}{}={pos}",
                    Page::AdminAudit.path(),
                    keys::BEFORE
                );
                view! { <p><a href=href>"Older events"</a></p> }
            });
            let export = format!("{AUDIT_EXPORT_PATH}?{base}");
            let rows = page.entries.into_iter().map(row).collect_view();
            Ok(view! {
                <form method="get" action=Page::AdminAudit.path() class="audit-filter">
                    <label>"Account" <input type="text" name=keys::USER value=user/></label>
                    <label>"Kind"
                        <select name=keys::KIND>
                            <option value="">"Any"</option>
                            {kinds}
                        </select>
                    </label>
                    <label>"From" <input type="date" name=keys::SINCE value=since/></label>
                    <label>"To" <input type="date" name=keys::UNTIL value=until/></label>
                    <button type="submit" class="btn">"Filter"</button>
                </form>
                <p><a href=export download="audit.jsonl">"Export these events (JSON lines)"</a></p>
                <table class="admin-table" aria-label="Audit events">
                    <thead><tr>
                        <th scope="col">"When (UTC)"</th><th scope="col">"What"</th>
                        <th scope="col">"Account"</th><th scope="col">"By"</th>
                        <th scope="col">"IP"</th><th scope="col">"Details"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                {older}
            }
            .into_any())
        }
    });
    view! {
        <section class="page">
            {console_nav()}
            <h1>"Audit log"</h1>
            {alerts(None, error)}
            {content}
        </section>
    }
}
