//! `/admin/users`: the accounts (searched, paged by username) and, with
//! `?user=`, one account: its facts, its sessions as its owner sees them,
//! its history and failed sign-ins, and what an administrator may do.
use super::{admin_content, alerts, console_nav, query, url_error};
use crate::admin_data::account_link;
use crate::contract::{Page, query as keys};
use crate::display::{self, time};
use crate::messages::plural;
use crate::server_fns::admin::{AdminLock, AdminSignOutEverywhere, AdminTerminate, AdminUnlock};
use ::sessions::{
    AccountSummary, AdminUserView, HistoryCursor, HistoryQuery, SessionView, UserList,
};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| time::utc_minutes(ms(t)))
        .unwrap_or_else(|| "—".to_owned())
}

fn list(found: UserList, search: String) -> AnyView {
    let rows = found
        .users
        .into_iter()
        .map(|a| {
            let status = if a.locked_at.is_some() {
                "Locked"
            } else {
                "Active"
            };
            view! {
                <tr>
                    <td><a href=account_link(&a.username)>{a.username.clone()}</a></td>
                    <td>{a.email.clone().unwrap_or_default()}</td>
                    <td>{a.active_sessions}</td>
                    <td>{when(a.last_activity)}</td>
                    <td>{if a.two_factor { "On" } else { "Off" }}</td>
                    <td>{status}</td>
                </tr>
            }
        })
        .collect_view();
    let next = found.next.map(|after| {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(keys::SEARCH, &search)
            .append_pair(keys::AFTER, &after)
            .finish();
        view! { <p><a href=format!("{}?{q}", Page::AdminUsers.path())>"Next accounts"</a></p> }
    });
    view! {
        <form method="get" action=Page::AdminUsers.path() role="search">
            <label>"Username or email" <input type="search" name=keys::SEARCH value=search/></label>
            <button type="submit" class="btn">"Search"</button>
        </form>
        <table class="admin-table">
            <thead><tr>
                <th scope="col">"Account"</th><th scope="col">"Email"</th>
                <th scope="col">"Active sessions"</th><th scope="col">"Last activity"</th>
                <th scope="col">"Two-factor"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {next}
    }
    .into_any()
}

fn facts(a: &AccountSummary) -> impl IntoView + use<> {
    let email = match (&a.email, a.email_verified) {
        (Some(e), true) => format!("{e} (verified)"),
        (Some(e), false) => format!("{e} (not verified)"),
        (None, _) => "none".to_owned(),
    };
    let status = match a.locked_at {
        Some(at) => format!("Locked since {}", time::utc_minutes(ms(at))),
        None => "Active".to_owned(),
    };
    view! {
        <dl class="admin-facts">
            <dt>"Email"</dt><dd>{email}</dd>
            <dt>"Registered"</dt><dd>{time::utc_minutes(ms(a.created_at))}</dd>
            <dt>"Two-factor"</dt><dd>{if a.two_factor { "On" } else { "Off" }}</dd>
            <dt>"Status"</dt><dd data-field="account-status">{status}</dd>
            <dt>"Administrator"</dt><dd>{if a.admin { "Yes" } else { "No" }}</dd>
        </dl>
    }
}

fn device(s: &SessionView) -> String {
    format!(
        "{} · {} · {}",
        s.display_name(),
        display::device_type(s.device_type),
        s.browser()
    )
}

fn active_rows(user: &str, sessions: Vec<SessionView>) -> impl IntoView + use<> {
    let user = user.to_owned();
    sessions
        .into_iter()
        .map(|s| {
            let label = format!("Terminate {}", s.display_name());
            view! {
                <tr>
                    <td>{device(&s)}</td>
                    <td>{s.ip.clone()} " · " {display::location(&s.location)}</td>
                    <td>{display::auth_method(s.auth_method)}</td>
                    <td>{time::utc_minutes(ms(s.last_seen_at))}</td>
                    <td>{time::utc_minutes(ms(s.created_at))}</td>
                    <td>
                        <form action=AdminTerminate::PATH method="post">
                            <input type="hidden" name="user" value=user.clone()/>
                            <input type="hidden" name="id" value=s.id.clone()/>
                            <button type="submit" class="btn btn-danger" aria-label=label>"Terminate"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view()
}

fn history_rows(sessions: Vec<SessionView>) -> impl IntoView + use<> {
    sessions
        .into_iter()
        .map(|s| {
            view! {
                <tr>
                    <td>{device(&s)}</td>
                    <td>{s.ip.clone()} " · " {display::location(&s.location)}</td>
                    <td>{time::utc_minutes(ms(s.created_at))}</td>
                    <td>{when(s.ended_at)}</td>
                    <td>{s.end_reason.map(display::end_reason).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view()
}

fn account(v: AdminUserView) -> AnyView {
    let name = v.account.username.clone();
    let locked = v.account.locked_at.is_some();
    let (action, label) = if locked {
        (AdminUnlock::PATH, "Unlock account")
    } else {
        (AdminLock::PATH, "Lock account")
    };
    let failed = v
        .failed
        .iter()
        .map(|f| {
            let what = plural(u64::from(f.count), "failed sign-in", "failed sign-ins");
            view! { <li>{what} " from " {f.ip.clone()} " · " {display::location(&f.location)} ", latest " {time::utc_minutes(ms(f.last_at))}</li> }
        })
        .collect_view();
    let older = v.history.older.map(|c: HistoryCursor| {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(keys::USER, &name)
            .append_pair(keys::BEFORE, &c.encode())
            .finish();
        view! { <p><a href=format!("{}?{q}", Page::AdminUsers.path())>"Older sessions"</a></p> }
    });
    view! {
        <h2>{name.clone()}</h2>
        {facts(&v.account)}
        <div class="admin-actions">
            <form action=AdminSignOutEverywhere::PATH method="post">
                <input type="hidden" name="user" value=name.clone()/>
                <button type="submit" class="btn btn-danger">"Sign out everywhere"</button>
            </form>
            <form action=action method="post">
                <input type="hidden" name="user" value=name.clone()/>
                <button type="submit" class="btn btn-danger">{label}</button>
            </form>
        </div>
        <h3>{plural(v.active.len() as u64, "active session", "active sessions")}</h3>
        <table class="admin-table" aria-label="Active sessions">
            <thead><tr>
                <th scope="col">"Device"</th><th scope="col">"IP and country"</th>
                <th scope="col">"Signed in with"</th><th scope="col">"Last activity"</th>
                <th scope="col">"Signed in"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>{active_rows(&name, v.active)}</tbody>
        </table>
        <h3>"History"</h3>
        <table class="admin-table" aria-label="History">
            <thead><tr>
                <th scope="col">"Device"</th><th scope="col">"IP and country"</th>
                <th scope="col">"Signed in"</th><th scope="col">"Ended"</th><th scope="col">"Why"</th>
            </tr></thead>
            <tbody>{history_rows(v.history.entries)}</tbody>
        </table>
        {older}
        <h3>"Failed sign-ins"</h3>
        <ul>{failed}</ul>
    }
    .into_any()
}

fn done_message(done: &str) -> Option<String> {
    Some(
        match done {
            "terminated" => "The session was ended.",
            "signed_out" => "The account was signed out everywhere.",
            "locked" => "The account is locked: every session was ended and no one can sign in.",
            "unlocked" => "The account is unlocked.",
            _ => return None,
        }
        .to_owned(),
    )
}

#[component]
pub fn AdminUsers() -> impl IntoView {
    let q = query();
    let user = q.get(keys::USER).filter(|s| !s.is_empty());
    let search = q.get(keys::SEARCH).unwrap_or_default();
    let after = q.get(keys::AFTER).filter(|s| !s.is_empty());
    let before = q
        .get(keys::BEFORE)
        .and_then(|c| HistoryCursor::parse(&c).ok());
    let info = q.get(keys::DONE).and_then(|d| done_message(&d));
    let error = url_error(&q);
    let content = admin_content(Page::AdminUsers, move |store, current| {
        let (user, search, after, before) =
            (user.clone(), search.clone(), after.clone(), before.clone());
        async move {
            Ok(match user {
                Some(name) => {
                    let history = HistoryQuery {
                        before,
                        ..Default::default()
                    };
                    account(store.admin_user(&current, &name, &history).await?)
                }
                None => {
                    let query = ::sessions::UserQuery {
                        search: search.clone(),
                        after,
                        limit: 0,
                    };
                    list(store.admin_users(&current, &query).await?, search)
                }
            })
        }
    });
    view! {
        <section class="page">
            {console_nav()}
            <h1>"Accounts"</h1>
            {alerts(info, error)}
            {content}
        </section>
    }
}
