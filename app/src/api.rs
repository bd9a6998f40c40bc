//! Server functions and the data they return. Each one is thin: find the
//! current session, call one store method, map the error.
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::ErrorKind;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sb_session";

/// The live-update stream (server-sent events) of the signed-in session.
pub const EVENTS_URL: &str = "/api/events";

/// One active session, ready to show on a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCard {
    pub id: String,
    pub device_type: String,
    pub platform: String,
    pub browser: String,
    pub ip: String,
    pub location: String,
    pub last_seen_ms: i64,
    pub created_ms: i64,
    pub pages_visited: i64,
    pub current: bool,
}

/// One row of the history table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub id: String,
    pub device_and_browser: String,
    pub location: String,
    pub created_ms: i64,
    pub ended_ms: Option<i64>,
    pub status: String,
}

/// Everything the sessions page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub username: String,
    pub current_id: String,
    pub cards: Vec<SessionCard>,
    pub history: Vec<HistoryRow>,
    pub older: Option<String>,
    pub newer: Option<String>,
    pub now_ms: i64,
    pub dbip_attribution: bool,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Request context for server functions, put there by the server's
    //! tracking layer.
    use super::*;
    use http::header::{ACCEPT, REFERER, SET_COOKIE};
    use http::request::Parts;
    use leptos_axum::ResponseOptions;
    use sessions::{CurrentSession, RequestFacts, SessionStore, SessionToken};

    pub fn store() -> Result<SessionStore, AppError> {
        use_context::<SessionStore>().ok_or_else(|| AppError::new(ErrorKind::Unavailable))
    }

    fn parts() -> Option<Parts> {
        use_context::<Parts>()
    }

    /// The signed-in session of this request, if any.
    pub fn current_session() -> Option<CurrentSession> {
        parts().and_then(|p| {
            p.extensions
                .get::<std::sync::Arc<CurrentSession>>()
                .map(|c| CurrentSession::clone(c))
        })
    }

    /// The signed-in session of this request, or "please sign in".
    pub fn current() -> Result<CurrentSession, AppError> {
        current_session().ok_or_else(|| fail(ErrorKind::NotSignedIn.into(), "/login"))
    }

    /// User agent and client IP of this request.
    pub fn facts() -> Result<RequestFacts, AppError> {
        parts()
            .and_then(|p| p.extensions.get::<RequestFacts>().cloned())
            .ok_or_else(|| AppError::new(ErrorKind::Request))
    }

    /// A plain HTML form post (no WebAssembly): answer with redirects.
    fn is_plain_form_post() -> bool {
        parts()
            .and_then(|p| {
                p.headers
                    .get(ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false)
    }

    /// Path of the same-site page that posted the form, without its query.
    fn referring_path(fallback: &str) -> String {
        parts()
            .and_then(|p| {
                p.headers
                    .get(REFERER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            })
            .and_then(|r| {
                let after_scheme = r.split_once("://")?.1;
                let path = &after_scheme[after_scheme.find('/')?..];
                Some(path.split(['?', '#']).next().unwrap_or("/").to_owned())
            })
            .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/api/"))
            .unwrap_or_else(|| fallback.to_owned())
    }

    /// Prepares the response for `err`: an HTTP status for script callers,
    /// or a redirect back with `?error=<code>` for plain forms.
    pub fn fail(err: AppError, fallback_page: &str) -> AppError {
        if is_plain_form_post() {
            leptos_axum::redirect(&format!(
                "{}?error={}",
                referring_path(fallback_page),
                err.kind.code()
            ));
        } else if let Some(res) = use_context::<ResponseOptions>() {
            res.set_status(
                http::StatusCode::from_u16(err.kind.status())
                    .unwrap_or(http::StatusCode::BAD_REQUEST),
            );
        }
        err
    }

    /// After a plain form post, goes back to `page`; script callers (the
    /// islands) show the result in place instead.
    pub fn redirect_plain_form(page: &str) {
        if is_plain_form_post() {
            leptos_axum::redirect(page);
        }
    }

    /// Maps a store error and prepares the response for it.
    pub fn fail_store(err: sessions::StoreError, fallback_page: &str) -> AppError {
        fail(err.into(), fallback_page)
    }

    /// Sets the session cookie: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain.
    pub fn set_session_cookie(token: &SessionToken, max_age_secs: u64) {
        if let Some(res) = use_context::<ResponseOptions>() {
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Lax",
                token.expose_secret()
            );
            if let Ok(v) = http::HeaderValue::from_str(&cookie) {
                res.append_header(SET_COOKIE, v);
            }
        }
    }

    /// Hands the new session's cookie over and goes to the sessions page.
    pub fn signed_in(store: &SessionStore, token: &SessionToken) {
        set_session_cookie(token, store.config().max_age.as_secs());
        leptos_axum::redirect("/sessions");
    }

    /// Removes the session cookie.
    pub fn clear_session_cookie() {
        if let Some(res) = use_context::<ResponseOptions>() {
            res.append_header(
                SET_COOKIE,
                http::HeaderValue::from_static(
                    "sb_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
                ),
            );
        }
    }

    pub fn card(view: &sessions::SessionView, current_id: &str) -> SessionCard {
        SessionCard {
            id: view.id.clone(),
            device_type: view.device_type.as_str().to_owned(),
            platform: view.platform.clone(),
            browser: view.browser(),
            ip: view.ip.clone(),
            location: view.location.label(),
            last_seen_ms: view.last_seen_at.timestamp_millis(),
            created_ms: view.created_at.timestamp_millis(),
            pages_visited: view.pages_visited,
            current: view.id == current_id,
        }
    }

    pub fn history_row(view: &sessions::SessionView) -> HistoryRow {
        HistoryRow {
            id: view.id.clone(),
            device_and_browser: format!(
                "{} · {} on {}",
                view.device_type.as_str(),
                view.browser(),
                view.platform
            ),
            location: view.location.label(),
            created_ms: view.created_at.timestamp_millis(),
            ended_ms: view.ended_at.map(|t| t.timestamp_millis()),
            status: match view.end_reason {
                None if view.is_active() => "Active".to_owned(),
                None => "Ended".to_owned(),
                Some(r) => format!("Ended — {}", r.label()),
            },
        }
    }
}

/// Signs in and starts a fresh session; lands on `/sessions`.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    use ssr::*;
    let store = store()?;
    let facts = facts()?;
    let (token, _) = store
        .login(&username, &password, &facts)
        .await
        .map_err(|e| fail_store(e, "/login"))?;
    signed_in(&store, &token);
    Ok(())
}

/// Creates an account and signs it in.
#[server(endpoint = "register")]
pub async fn register(username: String, password: String, confirm: String) -> Result<(), AppError> {
    use ssr::*;
    if password != confirm {
        return Err(fail(ErrorKind::PasswordMismatch.into(), "/register"));
    }
    let store = store()?;
    let facts = facts()?;
    let user = store
        .register_user(&username, &password)
        .await
        .map_err(|e| fail_store(e, "/register"))?;
    let (token, _) = store
        .start_session(user.id, &facts)
        .await
        .map_err(|e| fail_store(e, "/register"))?;
    signed_in(&store, &token);
    Ok(())
}

/// Ends the current session ("Log out").
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use ssr::*;
    let store = store()?;
    clear_session_cookie();
    if let Some(current) = current_session() {
        store
            .end_session(&current, sessions::EndReason::SignedOut)
            .await
            .map_err(|e| fail_store(e, "/sessions"))?;
    }
    leptos_axum::redirect("/login?signed_out=1");
    Ok(())
}

/// The signed-in username, if any (for the navigation bar).
#[server(endpoint = "whoami", input = GetUrl)]
pub async fn whoami() -> Result<Option<String>, AppError> {
    Ok(ssr::current_session().map(|c| c.username))
}

/// Everything for the sessions page; `before`/`after` page the history.
#[server(endpoint = "dashboard", input = GetUrl)]
pub async fn get_dashboard(
    before: Option<String>,
    after: Option<String>,
) -> Result<Dashboard, AppError> {
    use ssr::*;
    let store = store()?;
    let current = current()?;
    let parse = |c: Option<String>| {
        c.filter(|s| !s.is_empty())
            .map(|s| sessions::HistoryCursor::parse(&s))
            .transpose()
            .map_err(|e| fail_store(e, "/sessions"))
    };
    let query = sessions::HistoryQuery {
        before: parse(before)?,
        after: parse(after)?,
        limit: 10,
    };
    let active = store
        .list_active_sessions(current.user_id)
        .await
        .map_err(|e| fail_store(e, "/sessions"))?;
    let page = store
        .session_history(current.user_id, &query)
        .await
        .map_err(|e| fail_store(e, "/sessions"))?;
    Ok(Dashboard {
        username: current.username.clone(),
        current_id: current.public_id.clone(),
        cards: active.iter().map(|s| card(s, &current.public_id)).collect(),
        history: page.entries.iter().map(history_row).collect(),
        older: page.older.map(|c| c.encode()),
        newer: page.newer.map(|c| c.encode()),
        now_ms: store.now().timestamp_millis(),
        dbip_attribution: store.geoip().requires_dbip_attribution(),
    })
}

/// The sessions board as HTML, rendered like the page renders it: what the
/// page's island shows after a live update, a terminate or history paging.
#[server(endpoint = "board", input = GetUrl)]
pub async fn board_html(
    before: Option<String>,
    after: Option<String>,
    confirm: bool,
) -> Result<String, AppError> {
    let dashboard = get_dashboard(before, after).await?;
    Ok(crate::pages::board(dashboard, confirm).to_html())
}

/// Ends another session of the signed-in account.
#[server(endpoint = "terminate_session")]
pub async fn terminate_session(id: String) -> Result<(), AppError> {
    use ssr::*;
    let store = store()?;
    let current = current()?;
    store
        .terminate_session(&current, &id)
        .await
        .map_err(|e| fail_store(e, "/sessions"))?;
    redirect_plain_form("/sessions?terminated=1");
    Ok(())
}

/// Ends every other session of the signed-in account; returns how many.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<u64, AppError> {
    use ssr::*;
    let store = store()?;
    let current = current()?;
    let n = store
        .terminate_other_sessions(&current)
        .await
        .map_err(|e| fail_store(e, "/sessions"))?;
    redirect_plain_form(&format!("/sessions?signed_out={n}"));
    Ok(n)
}

/// Changes the password; `sign_out_others` is the checkbox (present = on).
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm: String,
    sign_out_others: Option<String>,
) -> Result<u64, AppError> {
    use ssr::*;
    if new_password != confirm {
        return Err(fail(
            ErrorKind::PasswordMismatch.into(),
            "/account/password",
        ));
    }
    let store = store()?;
    let current = current()?;
    let n = store
        .change_password(
            &current,
            &current_password,
            &new_password,
            sign_out_others.is_some(),
        )
        .await
        .map_err(|e| fail_store(e, "/account/password"))?;
    redirect_plain_form(&format!("/account/password?changed=1&signed_out={n}"));
    Ok(n)
}
