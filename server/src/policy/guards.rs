//! Page guards, so that they work without any script: a GET of a page
//! that the visitor may not open is redirected (the rule is the page's
//! own, in the app's route table).
use app::contract::Page;
use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};

/// The redirect for this request, if the page guard says so.
pub fn redirect(req: &Request, signed_in: bool) -> Option<Response> {
    if req.method() != Method::GET {
        return None;
    }
    let to = Page::at(req.uri().path())?.redirect(signed_in)?;
    Some(Redirect::to(to.path()).into_response())
}
