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

fn csp(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; {scripts}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
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

/// Which headers go on every response.
#[derive(Debug, Clone)]
pub struct HeaderPolicy {
    csp: HeaderValue,
    hsts: Option<HeaderValue>,
}

impl HeaderPolicy {
    /// With HSTS when the public origin is `https`.
    pub fn new(https: bool) -> Self {
        Self {
            csp: HeaderValue::from_str(&csp(None)).expect("ASCII"),
            hsts: https.then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains")),
        }
    }

    fn apply(&self, res: &mut Response, tracked: bool, nonce: Option<&CspNonce>) {
        let h = res.headers_mut();
        let csp = match nonce {
            Some(n) => HeaderValue::from_str(&csp(Some(&n.0))).unwrap_or_else(|_| self.csp.clone()),
            None if is_html(h) => self.csp.clone(),
            None => HeaderValue::from_static(NOT_A_PAGE_CSP),
        };
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        if let Some(hsts) = &self.hsts {
            h.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
        // No `Vary: Cookie` beside it: `no-store` already keeps every cache
        // from storing the response (RFC 9111, 5.2.2.5), so there is nothing
        // to vary, and a seventh header grows every API reply's header map.
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
    }
}
