//! `/admin/sessions`: every active session of every account, filtered by
//! country, device, app and "awaiting review", and the bulk end of the
//! filtered set: a count, then a confirmation step, then one post.
use super::{admin_content, alerts, console_nav, query, url_error};
use crate::admin_data::AdminRows;
use crate::contract::{Page, query as keys};
use crate::display;
use crate::islands::AdminSessionsTable;
use crate::messages::plural;
use crate::server_fns::admin::{AdminEndSessions, session_filter};
use ::sessions::{AdminSessionPage, HistoryCursor, SessionFilter};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::params::ParamsMap;

const DEVICES: [&str; 5] = ["Desktop", "Mobile", "Tablet", "Bot", "Other"];

/// The filter's query, without the page position or the step.
fn filter_query(q: &ParamsMap) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for key in [keys::COUNTRY, keys::DEVICE, keys::APP, keys::REVIEW] {
        if let Some(v) = q.get(key).filter(|v| !v.is_empty()) {
            s.append_pair(key, &v);
        }
    }
    s.finish()
}

/// The filter as hidden fields of the bulk end's form.
fn hidden(f: &SessionFilter) -> impl IntoView + use<> {
    let device = f.device.map(|d| display::device_type(d).to_owned());
    let pairs = [
        (keys::COUNTRY, f.country.clone()),
        (keys::DEVICE, device),
        (keys::APP, f.app.clone()),
        (keys::REVIEW, f.awaiting_review.then(|| "1".to_owned())),
    ];
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| view! { <input type="hidden" name=k value=v/> }))
        .collect_view()
}

fn filters(f: &SessionFilter) -> impl IntoView + use<> {
    let chosen = f.device.map(display::device_type).unwrap_or("");
    let devices = DEVICES
        .into_iter()
        .map(|d| view! { <option value=d selected=d == chosen>{d}</option> })
        .collect_view();
    view! {
        <form method="get" action=Page::AdminSessions.path() class="audit-filter">
            <label>"Country (code)" <input type="text" name=keys::COUNTRY maxlength=2 value=f.country.clone().unwrap_or_default()/></label>
            <label>"Device"
                <select name=keys::DEVICE><option value="">"Any"</option>{devices}</select>
            </label>
            <label>"App" <input type="text" name=keys::APP value=f.app.clone().unwrap_or_default()/></label>
            <label><input type="checkbox" name=keys::REVIEW value="1" checked=f.awaiting_review/>" Awaiting review only"</label>
            <button type="submit" class="btn">"Filter"</button>
        </form>
    }
}

fn listing(
    page: AdminSessionPage,
    f: SessionFilter,
    base: String,
    before: Option<HistoryCursor>,
    confirm: bool,
) -> AnyView {
    let count = plural(page.total, "active session", "active sessions");
    let sep = if base.is_empty() { "" } else { "&" };
    let bulk = if page.total == 0 {
        None
    } else if confirm {
        Some(
            view! {
                <form action=AdminEndSessions::PATH method="post" class="confirm">
                    {hidden(&f)}
                    <p role="alert">"End " {count.clone()} "? Their devices are signed out at once; your own session stays."</p>
                    <button type="submit" class="btn btn-danger">"Yes, end them"</button>
                    " "
                    <a href=format!("{}?{base}", Page::AdminSessions.path())>"Cancel"</a>
                </form>
            }
            .into_any(),
        )
    } else {
        let href = format!(
            "{}?{base}{sep}{}=1",
            Page::AdminSessions.path(),
            keys::CONFIRM
        );
        Some(
            view! { <p><a class="btn btn-danger" href=href>"End these sessions…"</a></p> }
                .into_any(),
        )
    };
    let older = page.older.clone().map(|c: HistoryCursor| {
        let href = format!(
            "{}?{base}{sep}{}={}",
            Page::AdminSessions.path(),
            keys::BEFORE,
            c.encode()
        );
        view! { <p><a href=href>"Older sign-ins"</a></p> }
    });
    let island_query = match before {
        Some(c) => format!("{base}{sep}{}={}", keys::BEFORE, c.encode()),
        None => base.clone(),
    };
    let rows = AdminRows::from(page);
    view! {
        {filters(&f)}
        {bulk}
        <AdminSessionsTable rows query=island_query/>
        {older}
    }
    .into_any()
}

#[component]
pub fn AdminSessions() -> impl IntoView {
    let q = query();
    let error = url_error(&q);
    let info = q
        .get(keys::ENDED_COUNT)
        .and_then(|n| n.parse::<u64>().ok())
        .map(|n| format!("Ended {}.", plural(n, "session", "sessions")));
    let filter = session_filter(|k| q.get(k));
    let before = q
        .get(keys::BEFORE)
        .and_then(|c| HistoryCursor::parse(&c).ok());
    let confirm = q.get(keys::CONFIRM).is_some();
    let base = filter_query(&q);
    let content = admin_content(Page::AdminSessions, move |store, current| {
        let (filter, before, base) = (filter.clone(), before.clone(), base.clone());
        async move {
            let page = store
                .admin_sessions(&current, &filter, before.as_ref())
                .await?;
            Ok(listing(page, filter, base, before, confirm))
        }
    });
    view! {
        <section class="page">
            {console_nav()}
            <h1>"All sessions"</h1>
            {alerts(info, error)}
            {content}
        </section>
    }
}
