//! Response headers the policy adds: the security headers on every
//! response, and `Cache-Control: no-store` on those that depend on the
//! session.
use axum::http::header::{self, HeaderValue};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pin_project_lite::pin_project;
use rand::RngCore;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The nonce of a page's inline scripts, put into the request for the page
/// renderer and named in the response's `Content-Security-Policy`.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

impl CspNonce {
    /// 128 random bits.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// What a page's policy says after its scripts (a macro so that the
/// policy without a nonce is one `'static` string).
macro_rules! page_csp_rest {
    () => {
        "; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    };
}

/// A page's policy when it has no nonce (a not-found page, say).
const PAGE_CSP: &str = concat!(
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
    page_csp_rest!()
);

fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'{}",
        page_csp_rest!()
    )
}

/// The policy of every response that is not a page: it may load, run and
/// frame nothing (what a JSON answer, a script file or an SVG opened on its
/// own needs), and is 118 bytes shorter than a page's on every API reply.
const NOT_A_PAGE_CSP: &str =
    "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Whether a response is an HTML document, which gets the page policy.
fn is_html(h: &axum::http::HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
}

/// Which headers go on every response. Every value is `'static`, so that
/// copying the policy into each response's future touches no reference
/// count that all threads share.
#[derive(Debug, Clone, Copy)]
pub struct HeaderPolicy {
    https: bool,
}

impl HeaderPolicy {
    /// With HSTS when the public origin is `https`.
    pub fn new(https: bool) -> Self {
        Self { https }
    }

    fn apply(&self, res: &mut Response, tracked: bool, nonce: Option<&CspNonce>) {
        let h = res.headers_mut();
        let html = is_html(h);
        let csp = match nonce {
            Some(n) => HeaderValue::from_str(&page_csp(&n.0))
                .unwrap_or_else(|_| HeaderValue::from_static(PAGE_CSP)),
            None if html => HeaderValue::from_static(PAGE_CSP),
            None => HeaderValue::from_static(NOT_A_PAGE_CSP),
        };
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // A referrer policy governs the requests a document makes. Other
        // responses, opened as documents, may make none (their CSP allows
        // nothing); a stylesheet's fetches stay same-origin, where the
        // default policy sends what `same-origin` does. Left off them, an
        // API reply's headers fit the header map's first allocation.
        if html {
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
        }
        if self.https {
            h.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
        }
        // No `Vary: Cookie` beside it: `no-store` already keeps every cache
        // from storing the response (RFC 9111, 5.2.2.5), so there is nothing
        // to vary.
        if tracked {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }

    /// `res` with the headers of a response that depends on the session.
    pub fn tracked(&self, mut res: Response, nonce: Option<&CspNonce>) -> Response {
        self.apply(&mut res, true, nonce);
        res
    }
}

pin_project! {
    /// The inner service's future, with the policy's headers added to its
    /// response.
    pub struct WithHeaders<F> {
        #[pin]
        inner: F,
        policy: Option<(HeaderPolicy, bool, Option<CspNonce>)>,
    }
}

impl<F> WithHeaders<F> {
    pub fn new(inner: F, policy: HeaderPolicy, tracked: bool, nonce: Option<CspNonce>) -> Self {
        Self {
            inner,
            policy: Some((policy, tracked, nonce)),
        }
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for WithHeaders<F> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Ok(mut res) = std::task::ready!(this.inner.poll(cx));
        if let Some((policy, tracked, nonce)) = this.policy.take() {
            policy.apply(&mut res, tracked, nonce.as_ref());
        }
        Poll::Ready(Ok(res))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_of(https: bool, tracked: bool) -> axum::http::HeaderMap {
        let mut res = Response::new(axum::body::Body::empty());
        HeaderPolicy::new(https).apply(&mut res, tracked, None);
        res.headers().clone()
    }

    #[test]
    fn hsts_only_for_an_https_origin_and_no_store_only_where_tracked() {
        let https = headers_of(true, false);
        assert_eq!(
            https[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains"
        );
        assert!(!https.contains_key(header::CACHE_CONTROL));
        let http = headers_of(false, true);
        assert!(!http.contains_key(header::STRICT_TRANSPORT_SECURITY));
        assert_eq!(http[header::CACHE_CONTROL], "no-store");
        assert!(!http.contains_key(header::VARY));
        assert_eq!(http[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(http[header::CONTENT_SECURITY_POLICY], NOT_A_PAGE_CSP);
        // A referrer policy only where a document makes requests.
        assert!(!http.contains_key(header::REFERRER_POLICY));
    }

    #[test]
    fn pages_get_the_page_policy_and_a_referrer_policy() {
        let mut res = Response::new(axum::body::Body::empty());
        let html = HeaderValue::from_static("text/html; charset=utf-8");
        res.headers_mut().insert(header::CONTENT_TYPE, html);
        let nonce = CspNonce("abc".to_owned());
        HeaderPolicy::new(false).apply(&mut res, true, Some(&nonce));
        let h = res.headers();
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert_eq!(csp, page_csp("abc"));
        assert_eq!(csp.replace(" 'nonce-abc'", ""), PAGE_CSP);
        assert!(csp.ends_with("form-action 'self'"), "{csp}");
    }
}
