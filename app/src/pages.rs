//! The pages: login, register, sessions, change password.
//!
//! Islands mode: page components run on the server only. The interactive
//! parts are two `#[island]`s that wrap server-rendered forms (so every
//! page works without script) and take over their submits when the
//! WebAssembly runs. The sessions board is rendered here on the server only,
//! for the page and for live refreshes alike; the browser never carries a
//! copy of that markup code.
use crate::api::{self, Dashboard, HistoryRow, SessionCard};
use crate::error::ErrorKind;
use crate::time;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

/// The query of the page being rendered (server side).
fn query() -> ParamsMap {
    use_query_map().get_untracked()
}

/// The message for `?error=<code>`, set after a plain form post failed.
fn url_error(q: &ParamsMap) -> Option<String> {
    q.get("error")
        .and_then(|c| ErrorKind::from_code(&c))
        .map(|k| k.message().to_owned())
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub(crate) fn password_changed_message(signed_out: u64) -> String {
    if signed_out == 0 {
        "Your password was changed.".to_owned()
    } else {
        format!(
            "Your password was changed. {} signed out.",
            plural(signed_out, "other session was", "other sessions were")
        )
    }
}

pub(crate) fn signed_out_message(n: u64) -> String {
    if n == 0 {
        "There were no other sessions to sign out.".to_owned()
    } else {
        format!(
            "Signed out {}.",
            plural(n, "other session", "other sessions")
        )
    }
}

pub(crate) const TERMINATED: &str = "Session terminated. That device is signed out.";

/// Error and confirmation messages.
#[component]
fn Alerts(error: RwSignal<Option<String>>, info: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div class="alerts" aria-live="polite">
            {move || error.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
            {move || info.get().map(|m| view! { <p class="alert alert-info" role="status">{m}</p> })}
        </div>
    }
}

/// Messages above a server-rendered form, whose submit it takes over:
/// the action runs in place with a busy button, and its outcome shows here.
#[island]
fn FormIsland(info: Option<String>, error: Option<String>, children: Children) -> impl IntoView {
    let (info, error) = (RwSignal::new(info), RwSignal::new(error));
    #[cfg(feature = "hydrate")]
    crate::live::mark_hydrated();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        crate::live::submit_account_form(ev, info, error);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <Alerts error info/>
        <div on:submit=on_submit>{children()}</div>
    }
}

#[component]
pub fn Home() -> impl IntoView {
    view! { <Redirect path="/sessions"/> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page narrow">
            <h1>"Page not found"</h1>
            <p><a href="/sessions">"Go to your sessions"</a></p>
        </section>
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let q = query();
    let info = if q.get("ended").is_some() {
        Some("This session was ended from another device.".to_owned())
    } else if q.get("signed_out").is_some() {
        Some("You have been signed out.".to_owned())
    } else {
        None
    };
    view! {
        <section class="page narrow auth">
            <h1>"Log in"</h1>
            <FormIsland info error=url_error(&q)>
                <form action="/api/login" method="post">
                    <label>
                        "Username"
                        <input name="username" autocomplete="username" required/>
                    </label>
                    <label>
                        "Password"
                        <input type="password" name="password" autocomplete="current-password" required/>
                    </label>
                    <button type="submit" class="btn btn-primary">"Log in"</button>
                </form>
            </FormIsland>
            <p class="muted">"No account yet? " <a href="/register">"Create one"</a></p>
        </section>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    view! {
        <section class="page narrow auth">
            <h1>"Create an account"</h1>
            <FormIsland info=None error=url_error(&query())>
                <form action="/api/register" method="post">
                    <label>
                        "Username"
                        <input name="username" autocomplete="username" required minlength="3" maxlength="32"/>
                    </label>
                    <label>
                        "Password"
                        <input type="password" name="password" autocomplete="new-password" required minlength="8"/>
                    </label>
                    <label>
                        "Repeat password"
                        <input type="password" name="confirm" autocomplete="new-password" required minlength="8"/>
                    </label>
                    <button type="submit" class="btn btn-primary">"Create account"</button>
                </form>
            </FormIsland>
            <p class="muted">"Already registered? " <a href="/login">"Log in"</a></p>
        </section>
    }
}

#[component]
pub fn ChangePassword() -> impl IntoView {
    let q = query();
    let info = q.get("changed").map(|_| {
        password_changed_message(
            q.get("signed_out")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        )
    });
    view! {
        <section class="page narrow">
            <h1>"Change password"</h1>
            <FormIsland info error=url_error(&q)>
                <form action="/api/change_password" method="post">
                    <label>
                        "Current password"
                        <input type="password" name="current_password" autocomplete="current-password" required/>
                    </label>
                    <label>
                        "New password"
                        <input type="password" name="new_password" autocomplete="new-password" required minlength="8"/>
                    </label>
                    <label>
                        "Repeat new password"
                        <input type="password" name="confirm" autocomplete="new-password" required minlength="8"/>
                    </label>
                    <label class="check">
                        <input type="checkbox" name="sign_out_others" value="on" checked/>
                        "Also sign out all other devices"
                    </label>
                    <button type="submit" class="btn btn-primary">"Change password"</button>
                </form>
            </FormIsland>
            <p><a href="/sessions">"Back to your sessions"</a></p>
        </section>
    }
}

#[component]
pub fn Sessions() -> impl IntoView {
    let q = query();
    let (before, after) = (q.get("before"), q.get("after"));
    let confirm = q.get("confirm").as_deref() == Some("everywhere");
    let info = if q.get("terminated").is_some() {
        Some(TERMINATED.to_owned())
    } else {
        q.get("signed_out")
            .and_then(|n| n.parse().ok())
            .map(signed_out_message)
    };
    let error = url_error(&q);
    let load = move || {
        let (before, after, info, error) =
            (before.clone(), after.clone(), info.clone(), error.clone());
        Suspend::new(async move {
            match api::get_dashboard(before.clone(), after.clone()).await {
                Ok(d) => view! {
                    <SessionsBoard before after confirm info error>
                        {board(d, confirm)}
                    </SessionsBoard>
                }
                .into_any(),
                Err(e) if e.kind == ErrorKind::NotSignedIn => {
                    view! { <Redirect path="/login"/> }.into_any()
                }
                Err(e) => {
                    view! { <p class="alert alert-error" role="alert">{e.message}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <section class="page">
            <h1>"Your sessions"</h1>
            <p class="lead">"Every device signed in to your account right now. End the ones you do not trust."</p>
            <aside class="callout" role="note">
                <strong>"Don't recognize a device or location?"</strong>
                " Terminate it, then "
                <a href="/account/password">"change your password"</a>
                ". Consider enabling two-factor authentication too."
            </aside>
            <Suspense fallback=|| view! { <p class="muted">"Loading sessions…"</p> }>{load}</Suspense>
        </section>
    }
}

/// The live part of the sessions page. It takes over the board's forms
/// and, when the live stream says something changed, replaces the board
/// with a fresh server rendering; relative times tick every second.
#[island]
fn SessionsBoard(
    before: Option<String>,
    after: Option<String>,
    confirm: bool,
    info: Option<String>,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    let (info, error) = (RwSignal::new(info), RwSignal::new(error));
    let board = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let live = {
        crate::live::mark_hydrated();
        let live = crate::live::Board::new(board, info, error, before, after, confirm);
        Effect::new(move |_| live.start());
        live
    };
    #[cfg(not(feature = "hydrate"))]
    let _ = (before, after, confirm);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        live.submit(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        live.click(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <Alerts error info/>
        <div class="board" node_ref=board on:submit=on_submit on:click=on_click>{children()}</div>
    }
}

/// The board: toolbar, cards, history and pager, rendered on the server.
/// `data-rel`, `data-since` and `data-local` mark times the browser keeps
/// current (relative, running duration, viewer's time zone).
pub fn board(d: Dashboard, confirm: bool) -> impl IntoView {
    let now = d.now_ms;
    let others = d.cards.iter().filter(|c| !c.current).count() as u64;
    let toolbar = if others == 0 {
        None
    } else if confirm {
        let n = plural(others, "other session", "other sessions");
        Some(
            view! {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                    <p id="confirm-text">{format!("This will sign out {n}. This device stays signed in.")}</p>
                    <form action="/api/sign_out_everywhere" method="post">
                        <button type="submit" class="btn btn-danger">{format!("Sign out {n}")}</button>
                    </form>
                    <a href="/sessions" class="btn" data-cancel="">"Cancel"</a>
                </div>
            }
            .into_any(),
        )
    } else {
        Some(
            view! {
                <form action="/sessions" method="get">
                    <input type="hidden" name="confirm" value="everywhere"/>
                    <button type="submit" class="btn btn-danger-outline">"Sign out everywhere"</button>
                </form>
            }
            .into_any(),
        )
    };
    let cards = d.cards.into_iter().map(|c| card(c, now)).collect_view();
    let rows = d
        .history
        .into_iter()
        .map(|r| history_line(r, now))
        .collect_view();
    let newer = d.newer.map(|c| {
        view! {
            <form action="/sessions" method="get">
                <input type="hidden" name="after" value=c/>
                <button type="submit" class="btn">"Newer"</button>
            </form>
        }
    });
    let older = d.older.map(|c| {
        view! {
            <form action="/sessions" method="get">
                <input type="hidden" name="before" value=c/>
                <button type="submit" class="btn">"Older"</button>
            </form>
        }
    });
    view! {
        <div class="toolbar">
            <p class="count">{plural(others + 1, "active session", "active sessions")}</p>
            {toolbar}
        </div>
        <div class="cards">{cards}</div>
        <section class="history" aria-labelledby="history-title">
            <h2 id="history-title">"Session history"</h2>
            <div class="table-wrap">
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
            <nav class="pager" aria-label="History pages">{newer} {older}</nav>
        </section>
        {d.dbip_attribution.then(|| view! {
            <footer class="attribution">
                <a href="https://db-ip.com">"IP Geolocation by DB-IP"</a>
            </footer>
        })}
    }
}

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

fn card(card: SessionCard, now: i64) -> impl IntoView + use<> {
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
            <form action="/api/terminate_session" method="post">
                <input type="hidden" name="id" value=id.clone()/>
                <button type="submit" class="btn btn-danger">"Terminate"</button>
            </form>
        }
    });
    view! {
        <article class="card" class:current=current data-session-id=id aria-label=label>
            <header>
                {device_icon(&device_type)}
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

fn history_line(row: HistoryRow, now: i64) -> impl IntoView + use<> {
    let HistoryRow {
        id,
        device_and_browser,
        location,
        created_ms,
        ended_ms,
        status,
    } = row;
    let active = ended_ms.is_none();
    let duration = time::duration(ended_ms.unwrap_or(now) - created_ms);
    view! {
        <tr data-session-id=id>
            <td>{device_and_browser}</td>
            <td>{location}</td>
            <td>{local_time(created_ms)}</td>
            <td data-since=active.then_some(created_ms)>{duration}</td>
            <td><span class="status" class:active=active>{status}</span></td>
        </tr>
    }
}

/// A time in UTC as rendered; the browser shows it in the viewer's own
/// time zone, with the exact time on hover.
fn local_time(ms: i64) -> impl IntoView + use<> {
    let exact = time::iso(ms);
    view! { <time datetime=exact.clone() title=exact data-local=ms>{time::utc_minutes(ms)}</time> }
}
