//! What server functions share: the store, the request's session and
//! facts, error responses, redirects after plain form posts, the cookie.
use crate::contract::{CookieScope, PENDING_LOGIN_COOKIE, Page};
use crate::error::{AppError, ErrorKind};
use crate::session::{Facts, MaybeSignedIn};
use cookie::{Cookie, SameSite};
use http::header::{ACCEPT, RETRY_AFTER, SET_COOKIE};
use http::request::Parts;
use http::{HeaderName, HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sessions::{CurrentSession, RequestFacts, SessionStore, SessionToken};
use std::net::IpAddr;
use std::sync::Arc;

pub fn store() -> Result<SessionStore, AppError> {
    use_context::<SessionStore>().ok_or_else(|| fail(ErrorKind::Unavailable))
}

/// The signed-in session of this request, if any.
pub async fn maybe_signed_in() -> Result<Option<Arc<CurrentSession>>, AppError> {
    let MaybeSignedIn(current) = leptos_axum::extract()
        .await
        .map_err(|_| fail(ErrorKind::Request))?;
    Ok(current)
}

/// The signed-in session of this request, or "please sign in".
pub async fn signed_in() -> Result<Arc<CurrentSession>, AppError> {
    maybe_signed_in()
        .await?
        .ok_or_else(|| fail(ErrorKind::NotSignedIn))
}

/// User agent and client IP of this request.
pub async fn facts() -> Result<RequestFacts, AppError> {
    let Facts(facts) = leptos_axum::extract()
        .await
        .map_err(|_| fail(ErrorKind::Request))?;
    Ok(facts)
}

/// The client's address (state-changing requests carry it).
pub async fn client_ip() -> Result<IpAddr, AppError> {
    Ok(facts().await?.ip)
}

/// A plain HTML form post (no WebAssembly), answered with redirects.
fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Prepares the response for `err`: `Retry-After` when it says when, and
/// its HTTP status for script callers. Plain form posts are left to
/// server_fn's form redirect, whose status a set one would override.
pub fn fail(err: impl Into<AppError>) -> AppError {
    let err = err.into();
    let Some(res) = use_context::<ResponseOptions>() else {
        return err;
    };
    if let Some(secs) = err.retry_after_secs {
        res.insert_header(RETRY_AFTER, HeaderValue::from(secs));
    }
    if !is_plain_form_post() {
        let status = StatusCode::from_u16(err.kind.status());
        res.set_status(status.unwrap_or(StatusCode::BAD_REQUEST));
    }
    err
}

/// After a plain form post, goes to `page` (with a query saying what
/// happened); script callers show the result in place instead.
pub fn after_plain_form(page: Page, query: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(&format!("{}?{query}", page.path()));
    }
}

fn set_cookie(cookie: Cookie<'_>) {
    if let Some(res) = use_context::<ResponseOptions>()
        && let Ok(v) = HeaderValue::from_str(&cookie.to_string())
    {
        res.append_header(SET_COOKIE, v);
    }
}

/// The session cookie: HttpOnly, Secure, SameSite=Lax, Path=/, and a
/// Domain only when shared with the apps' subdomains (`COOKIE_DOMAIN`).
fn session_cookie(value: &str, max_age: cookie::time::Duration) -> Cookie<'_> {
    let scope = use_context::<CookieScope>().unwrap_or_default();
    let mut cookie = host_cookie(scope.name(), value, max_age);
    if let Some(domain) = scope.domain {
        cookie.set_domain(domain);
    }
    cookie
}

/// A `__Host-` cookie: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain.
fn host_cookie<'a>(name: &'a str, value: &'a str, max_age: cookie::time::Duration) -> Cookie<'a> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build()
}

/// Where a sign-in or sign-out may return to: the protected apps and
/// Sessionboard's own origin (provided by the server to every render).
#[derive(Debug, Clone, Default)]
pub struct ReturnRules {
    pub apps: Arc<sessions::apps::Apps>,
    pub origin: String,
}

/// `rd` if it is a place a sign-in may return to (an app, or here),
/// absolute; never anywhere else.
pub fn return_to(rd: Option<&str>) -> Option<String> {
    let rules = use_context::<ReturnRules>()?;
    rules.apps.return_to(rd?, &rules.origin)
}

/// The app a return address belongs to (a sign-in that started there).
pub fn app_of(to: Option<&str>) -> Option<String> {
    let rules = use_context::<ReturnRules>()?;
    Some(rules.apps.for_url(to?)?.name.clone())
}

/// Hands the new session's cookie over and goes to `to`.
pub fn signed_in_as(store: &SessionStore, token: &SessionToken, to: &str) {
    let max_age = i64::try_from(store.config().max_age.as_secs()).unwrap_or(i64::MAX);
    set_cookie(session_cookie(
        token.expose_secret(),
        cookie::time::Duration::seconds(max_age),
    ));
    leptos_axum::redirect(to);
}

/// Hands over the half-done login's cookie (five minutes) and goes to
/// the code step (`to`, which carries the return address).
pub fn pending_login_started(pending: &sessions::PendingLogin, to: &str) {
    let five_minutes = cookie::time::Duration::minutes(5);
    set_cookie(host_cookie(
        PENDING_LOGIN_COOKIE,
        pending.expose_secret(),
        five_minutes,
    ));
    leptos_axum::redirect(to);
}

/// A half-done login completed with `token`: its cookie goes, the
/// browser's previous session ends, and it is signed in; where it goes
/// (`back`, or the sessions page).
pub async fn signed_in_after_pending(
    store: &SessionStore,
    token: &SessionToken,
    back: Option<String>,
) -> Result<String, AppError> {
    clear_pending_login_cookie();
    end_previous_session(store).await?;
    let to = back.unwrap_or_else(|| Page::Sessions.path().to_owned());
    signed_in_as(store, token, &to);
    Ok(to)
}

/// Removes the half-done login's cookie.
pub fn clear_pending_login_cookie() {
    set_cookie(host_cookie(
        PENDING_LOGIN_COOKIE,
        "",
        cookie::time::Duration::ZERO,
    ));
}

/// The half-done login's cookie of this request, if any.
pub fn pending_login_cookie() -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_owned()))
        .filter_map(Result::ok)
        .find(|c| c.name() == PENDING_LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
}

/// Removes the session cookie, and asks the browser to drop everything
/// the site stored.
pub fn clear_session_cookie() {
    set_cookie(session_cookie("", cookie::time::Duration::ZERO));
    if let Some(res) = use_context::<ResponseOptions>() {
        let all = HeaderValue::from_static("\"cookies\", \"storage\"");
        res.insert_header(HeaderName::from_static("clear-site-data"), all);
    }
}

/// Ends the session this request came with, if any: signing in again while
/// signed in leaves no second session behind.
pub async fn end_previous_session(store: &SessionStore) -> Result<(), AppError> {
    if let Some(previous) = maybe_signed_in().await? {
        store.log_out(&previous).await.map_err(fail)?;
    }
    Ok(())
}

/// Re-authenticates the session with `password` when one was given.
pub async fn reauthenticate_if_given(
    store: &SessionStore,
    current: &CurrentSession,
    password: Option<String>,
) -> Result<(), AppError> {
    match password.filter(|p| !p.is_empty()) {
        Some(password) => store
            .reauthenticate(current, &password, client_ip().await?)
            .await
            .map_err(fail),
        None => Ok(()),
    }
}
