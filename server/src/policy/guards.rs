//! Page guards, so that they work without any script: a GET of a page
//! that the visitor may not open is redirected (the rule is the page's
//! own, in the app's route table).
use crate::state::AppState;
use app::contract::{Page, query};
use axum::extract::Request;
use axum::response::{IntoResponse, Redirect, Response};

/// The redirect for a GET of `page`, if its guard says so. A signed-in
/// visitor an app sent to the login page (`?rd=`) goes straight back.
pub fn redirect(state: &AppState, page: Page, signed_in: bool, req: &Request) -> Option<Response> {
    let to = page.redirect(signed_in)?;
    if page == Page::Login
        && let Some(back) =
            return_address(req).and_then(|rd| state.apps().return_to(&rd, state.origin()))
    {
        return Some(Redirect::to(&back).into_response());
    }
    Some(Redirect::to(to.path()).into_response())
}

/// The `rd` of a request's query, decoded.
fn return_address(req: &Request) -> Option<String> {
    url::form_urlencoded::parse(req.uri().query()?.as_bytes())
        .find(|(k, _)| k == query::RETURN)
        .map(|(_, v)| v.into_owned())
}
