//! The pages: login, register, sessions, change password.
use crate::api::{self, Dashboard, HistoryRow, SessionCard};
use crate::error::{AppError, ErrorKind};
use crate::{live, time};
use leptos::prelude::*;
use leptos_router::components::{A, Form, Redirect};
use leptos_router::hooks::use_query_map;

/// The error of the last run of an action, if it failed.
fn action_error<T, O>(action: ServerAction<T>) -> Signal<Option<String>>
where
    T: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.message)
    })
}

/// Error and confirmation messages: from a failed action (with WebAssembly)
/// or from `?error=<code>` after a plain form post (without).
#[component]
fn Alerts(
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] info: Signal<Option<String>>,
) -> impl IntoView {
    let query = use_query_map();
    let from_url = move || {
        query
            .read()
            .get("error")
            .and_then(|c| ErrorKind::from_code(&c))
            .map(|k| k.message().to_owned())
    };
    view! {
        <div class="alerts" aria-live="polite">
            {move || {
                error
                    .get()
                    .or_else(from_url)
                    .map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })
            }}
            {move || info.get().map(|m| view! { <p class="alert alert-info" role="status">{m}</p> })}
        </div>
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
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
            <p><A href="/sessions">"Go to your sessions"</A></p>
        </section>
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let action = ServerAction::<api::Login>::new();
    let query = use_query_map();
    let info = Signal::derive(move || {
        let q = query.read();
        if q.get("ended").is_some() {
            Some("This session was ended from another device.".to_owned())
        } else if q.get("signed_out").is_some() {
            Some("You have been signed out.".to_owned())
        } else {
            None
        }
    });
    let pending = action.pending();
    view! {
        <section class="page narrow auth">
            <h1>"Log in"</h1>
            <Alerts error=action_error(action) info/>
            <ActionForm action>
                <label>
                    "Username"
                    <input name="username" autocomplete="username" required/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <button type="submit" class="btn btn-primary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                    "Log in"
                </button>
            </ActionForm>
            <p class="muted">"No account yet? " <A href="/register">"Create one"</A></p>
        </section>
    }
}

#[component]
pub fn Register() -> impl IntoView {
    let action = ServerAction::<api::Register>::new();
    let pending = action.pending();
    view! {
        <section class="page narrow auth">
            <h1>"Create an account"</h1>
            <Alerts error=action_error(action) info=Signal::derive(|| None::<String>)/>
            <ActionForm action>
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
                <button type="submit" class="btn btn-primary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                    "Create account"
                </button>
            </ActionForm>
            <p class="muted">"Already registered? " <A href="/login">"Log in"</A></p>
        </section>
    }
}

#[component]
pub fn ChangePassword() -> impl IntoView {
    let action = ServerAction::<api::ChangePassword>::new();
    let query = use_query_map();
    let info = Signal::derive(move || {
        let q = query.read();
        q.get("changed")?;
        let n: u64 = q
            .get("signed_out")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Some(if n == 0 {
            "Your password was changed.".to_owned()
        } else {
            format!(
                "Your password was changed. {} signed out.",
                plural(n, "other session was", "other sessions were")
            )
        })
    });
    let pending = action.pending();
    view! {
        <section class="page narrow">
            <h1>"Change password"</h1>
            <Alerts error=action_error(action) info/>
            <ActionForm action>
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
                <button type="submit" class="btn btn-primary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                    "Change password"
                </button>
            </ActionForm>
            <p><A href="/sessions">"Back to your sessions"</A></p>
        </section>
    }
}

#[component]
pub fn Sessions() -> impl IntoView {
    let query = use_query_map();
    // Bumped by live updates: a new key makes the resource load again.
    let reload = RwSignal::new(0u64);
    let dashboard = Resource::new(
        move || {
            let q = query.read();
            (q.get("before"), q.get("after"), reload.get())
        },
        |(before, after, _)| api::get_dashboard(before, after),
    );
    let terminate = ServerAction::<api::TerminateSession>::new();
    let everywhere = ServerAction::<api::SignOutEverywhere>::new();
    let now = RwSignal::new(0i64);
    Effect::new(move |_| live::start(move || reload.update(|n| *n += 1), now));

    let error = Signal::derive(move || {
        action_error(terminate)
            .get()
            .or_else(|| action_error(everywhere).get())
    });
    let info = Signal::derive(move || {
        let q = query.read();
        if q.get("terminated").is_some() {
            return Some("Session terminated. That device is signed out.".to_owned());
        }
        let n: u64 = q.get("signed_out")?.parse().ok()?;
        Some(if n == 0 {
            "There were no other sessions to sign out.".to_owned()
        } else {
            format!(
                "Signed out {}.",
                plural(n, "other session", "other sessions")
            )
        })
    });

    view! {
        <section class="page">
            <h1>"Your sessions"</h1>
            <p class="lead">"Every device signed in to your account right now. End the ones you do not trust."</p>
            <Alerts error info/>
            <aside class="callout" role="note">
                <strong>"Don't recognize a device or location?"</strong>
                " Terminate it, then "
                <A href="/account/password">"change your password"</A>
                ". Consider enabling two-factor authentication too."
            </aside>
            <Transition fallback=|| view! { <p class="muted">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match dashboard.await {
                        Ok(d) => view! { <DashboardView d terminate everywhere now/> }.into_any(),
                        Err(e) if e.kind == ErrorKind::NotSignedIn => view! { <Redirect path="/login"/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.message}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DashboardView(
    d: Dashboard,
    terminate: ServerAction<api::TerminateSession>,
    everywhere: ServerAction<api::SignOutEverywhere>,
    now: RwSignal<i64>,
) -> AnyView {
    let server_now = d.now_ms;
    let now_ms = Signal::derive(move || match now.get() {
        0 => server_now,
        n => n,
    });
    let others = d.cards.iter().filter(|c| !c.current).count() as u64;
    let query = use_query_map();
    let confirming = move || query.read().get("confirm").as_deref() == Some("everywhere");
    let everywhere_pending = everywhere.pending();
    let cards = d
        .cards
        .into_iter()
        .map(|card| view! { <Card card terminate now_ms/> })
        .collect_view();
    let rows = d
        .history
        .into_iter()
        .map(|row| view! { <HistoryLine row now_ms/> })
        .collect_view();
    view! {
        <div class="toolbar">
            <p class="count">{plural(others + 1, "active session", "active sessions")}</p>
            {move || {
                if others == 0 {
                    ().into_any()
                } else if confirming() {
                    view! {
                        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                            <p id="confirm-text">
                                {format!(
                                    "This will sign out {}. This device stays signed in.",
                                    plural(others, "other session", "other sessions"),
                                )}
                            </p>
                            <ActionForm action=everywhere>
                                <button type="submit" class="btn btn-danger" disabled=move || everywhere_pending.get() aria-busy=move || everywhere_pending.get().to_string()>
                                    {format!("Sign out {}", plural(others, "other session", "other sessions"))}
                                </button>
                            </ActionForm>
                            <A href="/sessions" attr:class="btn">"Cancel"</A>
                        </div>
                    }
                        .into_any()
                } else {
                    view! {
                        <Form method="GET" action="/sessions">
                            <input type="hidden" name="confirm" value="everywhere"/>
                            <button type="submit" class="btn btn-danger-outline">"Sign out everywhere"</button>
                        </Form>
                    }
                        .into_any()
                }
            }}
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
            <nav class="pager" aria-label="History pages">
                {d.newer.map(|c| view! {
                    <Form method="GET" action="/sessions">
                        <input type="hidden" name="after" value=c/>
                        <button type="submit" class="btn">"Newer"</button>
                    </Form>
                })}
                {d.older.map(|c| view! {
                    <Form method="GET" action="/sessions">
                        <input type="hidden" name="before" value=c/>
                        <button type="submit" class="btn">"Older"</button>
                    </Form>
                })}
            </nav>
        </section>
        {d.dbip_attribution.then(|| view! {
            <footer class="attribution">
                <a href="https://db-ip.com">"IP Geolocation by DB-IP"</a>
            </footer>
        })}
    }
    .into_any()
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

#[component]
fn Card(
    card: SessionCard,
    terminate: ServerAction<api::TerminateSession>,
    now_ms: Signal<i64>,
) -> AnyView {
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
    let mine = id.clone();
    let terminating = Signal::derive(move || {
        terminate.pending().get() && terminate.input().get().is_some_and(|i| i.id == mine)
    });
    let title = format!("{browser} on {platform}");
    let (id_attr, title_attr) = (id.clone(), title.clone());
    let seen_exact = time::iso(last_seen_ms);
    view! {
        <article class="card" class:current=current data-session-id=id_attr aria-label=title_attr>
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
                        <time datetime=seen_exact.clone() title=seen_exact>{move || time::relative(now_ms.get(), last_seen_ms)}</time>
                    </dd>
                </div>
                <div><dt>"Login time"</dt><dd data-field="login-time"><LocalTime ms=created_ms/></dd></div>
                <div><dt>"Pages visited"</dt><dd data-field="pages-visited">{pages_visited}</dd></div>
            </dl>
            {(!current).then(|| view! {
                <ActionForm action=terminate>
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="btn btn-danger" disabled=terminating aria-busy=move || terminating.get().to_string()>
                        "Terminate"
                    </button>
                </ActionForm>
            })}
        </article>
    }
    .into_any()
}

#[component]
fn HistoryLine(row: HistoryRow, now_ms: Signal<i64>) -> AnyView {
    let HistoryRow {
        id,
        device_and_browser,
        location,
        created_ms,
        ended_ms,
        status,
    } = row;
    let active = ended_ms.is_none();
    let duration = move || time::duration(ended_ms.unwrap_or_else(|| now_ms.get()) - created_ms);
    view! {
        <tr data-session-id=id>
            <td>{device_and_browser}</td>
            <td>{location}</td>
            <td><LocalTime ms=created_ms/></td>
            <td>{duration}</td>
            <td><span class="status" class:active=active>{status}</span></td>
        </tr>
    }
    .into_any()
}

/// A time rendered in UTC by the server, then in the viewer's own time
/// zone once the WebAssembly runs; the exact time shows on hover.
#[component]
fn LocalTime(ms: i64) -> AnyView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let exact = time::iso(ms);
    let datetime = exact.clone();
    view! {
        <time
            datetime=datetime
            title=move || if hydrated.get() { live::local_exact(ms) } else { exact.clone() }
        >
            {move || if hydrated.get() { live::local_minutes(ms) } else { time::utc_minutes(ms) }}
        </time>
    }
    .into_any()
}
