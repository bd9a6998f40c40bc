//! What server functions share: the store, the request's session and
//! facts, error responses, redirects after plain form posts, the cookie.
use crate::contract::{Page, SESSION_COOKIE};
use crate::error::{AppError, ErrorKind};
use crate::session::{Facts, MaybeSignedIn};
use cookie::{Cookie, SameSite};
use http::header::{ACCEPT, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sessions::{CurrentSession, RequestFacts, SessionStore, SessionToken};
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

/// Prepares the response for `err`: its HTTP status for script callers.
/// Plain form posts are left to server_fn's form redirect, whose status a
/// set one would override.
pub fn fail(err: impl Into<AppError>) -> AppError {
    let err = err.into();
    if !is_plain_form_post()
        && let Some(res) = use_context::<ResponseOptions>()
    {
        let status = http::StatusCode::from_u16(err.kind.status());
        res.set_status(status.unwrap_or(http::StatusCode::BAD_REQUEST));
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
        && let Ok(v) = http::HeaderValue::from_str(&cookie.to_string())
    {
        res.append_header(SET_COOKIE, v);
    }
}

/// The session cookie: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain.
fn session_cookie(value: &str, max_age: cookie::time::Duration) -> Cookie<'_> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build()
}

/// Hands the new session's cookie over and goes to the sessions page.
pub fn signed_in_as(store: &SessionStore, token: &SessionToken) {
    let max_age = i64::try_from(store.config().max_age.as_secs()).unwrap_or(i64::MAX);
    set_cookie(session_cookie(
        token.expose_secret(),
        cookie::time::Duration::seconds(max_age),
    ));
    leptos_axum::redirect(Page::Sessions.path());
}

/// Removes the session cookie.
pub fn clear_session_cookie() {
    set_cookie(session_cookie("", cookie::time::Duration::ZERO));
}
