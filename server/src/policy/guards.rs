//! Page guards, so that they work without any script: a GET of a page
//! that the visitor may not open is redirected (the rule is the page's
//! own, in the app's route table).
use app::contract::Page;
use axum::response::{IntoResponse, Redirect, Response};

/// The redirect for a GET of `page`, if its guard says so.
pub fn redirect(page: Page, signed_in: bool) -> Option<Response> {
    let to = page.redirect(signed_in)?;
    Some(Redirect::to(to.path()).into_response())
}
