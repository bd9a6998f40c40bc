//! What the policy reads off a request: whether it opens a page, and
//! whether it is an asset (the client's address is the layer crate's).
use app::contract::Page;
use axum::extract::Request;
use axum::http::{HeaderName, Method, header};

const SEC_FETCH_DEST: HeaderName = HeaderName::from_static("sec-fetch-dest");

/// The [`Page`] a GET asks for, if any (a page open when it also
/// [`wants_html`]; the page guards apply to any GET of it).
pub fn page_of(req: &Request) -> Option<Page> {
    if req.method() != Method::GET {
        return None;
    }
    Page::at(req.uri().path())
}

/// A GET that a browser makes for a document (a page, or a not-found
/// page): it accepts `text/html` (every browser's navigation does) and,
/// where the browser says what the response is for, it is a document (so
/// a script's fetch that accepts HTML is not). `Accept` is read first: a
/// standard header's lookup is cheaper, and an API call's ends there.
pub fn wants_html(req: &Request) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let headers = req.headers();
    let accepts_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    accepts_html
        && headers
            .get(SEC_FETCH_DEST)
            .is_none_or(|dest| dest.as_bytes() == b"document")
}

/// Static assets and the health checks: no session work at all (and no
/// `no-store`: flags and icons are the same for everyone, so browsers may
/// keep them).
pub fn is_untracked(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/flags/")
        || path.starts_with("/icons/")
        || matches!(
            path,
            "/favicon.svg" | "/favicon.ico" | "/robots.txt" | "/livez" | "/healthz"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn get(headers: &[(&str, &str)]) -> Request {
        let mut req = Request::get("/sessions");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(Body::empty()).unwrap()
    }

    #[test]
    fn documents_are_told_apart_from_fetches_and_api_calls() {
        let html = "text/html,application/xhtml+xml,*/*;q=0.8";
        assert!(wants_html(&get(&[
            ("accept", html),
            ("sec-fetch-dest", "document")
        ])));
        // A browser that does not say what the response is for.
        assert!(wants_html(&get(&[("accept", html)])));
        // A script's fetch that accepts HTML.
        assert!(!wants_html(&get(&[
            ("accept", html),
            ("sec-fetch-dest", "empty")
        ])));
        assert!(!wants_html(&get(&[("accept", "*/*")])));
        assert!(!wants_html(&get(&[])));
        let mut head = get(&[("accept", html)]);
        *head.method_mut() = Method::HEAD;
        assert!(!wants_html(&head));
    }
}
