//! The request layers: origin check (CSRF), session tracking, page guards.
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use futures::future::{BoxFuture, Either, FutureExt, Map, Ready, ready};
use sessions::{CurrentSession, RequestFacts, SessionStore, TrustedProxies, resolve_client_ip};
use std::convert::{Infallible, identity};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// What the layers need.
pub struct WebState {
    pub store: SessionStore,
    pub trusted: TrustedProxies,
    /// `PUBLIC_ORIGIN`, normalised.
    pub origin: Arc<str>,
    /// Becomes `true` on shutdown: live streams end so the server can stop.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

/// The live-update stream's path: authenticated, but not activity.
pub const EVENTS_PATH: &str = app::api::EVENTS_URL;

/// Pages that need a signed-in session.
const PROTECTED_PAGES: &[&str] = &["/sessions", "/account/password"];
/// Pages that count as a "page visited" when loaded.
const PAGES: &[&str] = &["/sessions", "/account/password", "/login", "/register"];

/// Static assets and the health checks: no session work at all.
fn is_untracked(path: &str) -> bool {
    path.starts_with("/pkg/")
        || matches!(
            path,
            "/favicon.svg" | "/favicon.ico" | "/robots.txt" | "/livez" | "/healthz"
        )
}

fn header_str<'a>(headers: &'a HeaderMap, name: &header::HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The scheme://host[:port] of a URL, lower-cased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

/// Whether a request that changes state may come from where it says it
/// comes from. Browsers send `Sec-Fetch-Site`; `same-site` is not enough
/// (another port on the same host is same-site), so then, and when the
/// header is absent, `Origin` or `Referer` must be the public origin.
pub fn origin_allowed(headers: &HeaderMap, public_origin: &str) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    match fetch_site {
        Some("same-origin") | Some("none") => return true,
        Some("cross-site") => return false,
        _ => {}
    }
    let claimed = header_str(headers, &header::ORIGIN)
        .filter(|o| *o != "null")
        .map(normalise_origin)
        .or_else(|| header_str(headers, &header::REFERER).and_then(origin_of));
    match claimed {
        Some(o) => o == public_origin,
        // No browser hints at all: not a browser, so no ambient cookie to abuse
        // unless the caller chose to send one.
        None => fetch_site.is_none() && headers.get(header::ORIGIN).is_none(),
    }
}

fn normalise_origin(origin: &str) -> String {
    origin.trim_end_matches('/').to_ascii_lowercase()
}

/// Whether a reading request that must not be embedded elsewhere (the live
/// stream) may proceed: not cross-site, and any `Origin` is the public one.
pub fn read_allowed(headers: &HeaderMap, public_origin: &str) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    fetch_site != Some("cross-site")
        && header_str(headers, &header::ORIGIN).is_none_or(|o| normalise_origin(o) == public_origin)
}

/// The answer to a refused cross-site state-changing request.
fn refused(path: &str) -> Response {
    tracing::warn!(path, "refused a cross-site request");
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Refused: this request came from another site. Reload Sessionboard and try again from its own pages.",
    )
        .into_response()
}

fn is_page_open(req: &Request) -> bool {
    if req.method() != Method::GET || !PAGES.contains(&req.uri().path()) {
        return false;
    }
    match req
        .headers()
        .get("sec-fetch-dest")
        .and_then(|v| v.to_str().ok())
    {
        Some(dest) => dest == "document",
        None => header_str(req.headers(), &header::ACCEPT).is_some_and(|a| a.contains("text/html")),
    }
}

/// The request policy around the whole app: see [`SessionService`].
#[derive(Clone, Copy)]
pub struct SessionLayer(pub &'static WebState);

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> SessionService<S> {
        SessionService {
            inner,
            state: self.0,
        }
    }
}

/// Refuses cross-site state-changing requests (403); then, except for
/// static assets and health checks, authenticates the session cookie,
/// resolves the client IP, records activity in memory, puts `RequestFacts`
/// and `CurrentSession` into the request for server functions and pages,
/// guards the pages and marks responses `Cache-Control: no-store`.
///
/// Written as a tower service rather than `middleware::from_fn` because it
/// runs on every request: a session found in the authentication cache is
/// handled synchronously, without cloning the inner service or boxing a
/// future. Only a cache miss (a database read) takes the boxed path.
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    state: &'static WebState,
}

type Reply = Result<Response, Infallible>;
type Passed<F> = Map<F, fn(Reply) -> Reply>;
type Decided<F> = Either<Passed<F>, Ready<Reply>>;

impl<S> Service<Request> for SessionService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Decided<S::Future>, BoxFuture<'static, Reply>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if changes_state && !origin_allowed(req.headers(), &self.state.origin) {
            return Either::Left(Either::Right(ready(Ok(refused(req.uri().path())))));
        }
        if is_untracked(req.uri().path()) {
            return Either::Left(Either::Left(
                self.inner.call(req).map(identity as fn(_) -> _),
            ));
        }
        let ip = client_ip(&self.state.trusted, &req);
        // Only state-changing server functions (login, register) read the
        // request facts: skip the copy on every GET.
        if req.method() != Method::GET {
            let facts = RequestFacts {
                user_agent: header_str(req.headers(), &header::USER_AGENT)
                    .unwrap_or("")
                    .to_owned(),
                ip,
            };
            req.extensions_mut().insert(facts);
        }
        let token = match session_cookie(req.headers()) {
            None => return Either::Left(decide(&mut self.inner, self.state, req, None, ip)),
            Some(token) => match self.state.store.authenticate_cached(token) {
                Some(current) => {
                    let current = Some(current);
                    return Either::Left(decide(&mut self.inner, self.state, req, current, ip));
                }
                None => token.to_owned(),
            },
        };
        // A database read: the future owns a ready copy of the inner service.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let state = self.state;
        Either::Right(Box::pin(async move {
            match state.store.authenticate(&token).await {
                Ok(current) => decide(&mut inner, state, req, current.map(Arc::new), ip).await,
                Err(e) => {
                    tracing::error!(error = ?e, "session lookup failed");
                    Ok(no_store(
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            "The session database is unavailable. Please try again in a moment.",
                        )
                            .into_response(),
                    ))
                }
            }
        }))
    }
}

/// Client IP: forwarding headers only matter behind a trusted proxy.
fn client_ip(trusted: &TrustedProxies, req: &Request) -> IpAddr {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    if !trusted.contains(peer) {
        return sessions::client_ip::canonical(peer);
    }
    let values = |name| {
        req.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
    };
    let (xff, fwd) = (values("x-forwarded-for"), values("forwarded"));
    resolve_client_ip(peer, &xff, &fwd, trusted)
}

/// Records the request's activity, hands the session to the handlers and
/// applies the page guards.
fn decide<S>(
    inner: &mut S,
    state: &WebState,
    mut req: Request,
    current: Option<Arc<CurrentSession>>,
    ip: IpAddr,
) -> Decided<S::Future>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let signed_in = current.is_some();
    if let Some(current) = current {
        if req.uri().path() != EVENTS_PATH {
            state
                .store
                .record_activity(&current, ip, is_page_open(&req));
        }
        req.extensions_mut().insert(current);
    }
    // Page guards, so that they work without any script.
    if req.method() == Method::GET
        && let Some(to) = guard_redirect(req.uri().path(), signed_in)
    {
        return Either::Right(ready(Ok(no_store(Redirect::to(to).into_response()))));
    }
    Either::Left(inner.call(req).map(no_store_reply as fn(_) -> _))
}

fn no_store_reply(reply: Reply) -> Reply {
    reply.map(no_store)
}

/// Where a GET of `path` is sent instead, if anywhere.
fn guard_redirect(path: &str, signed_in: bool) -> Option<&'static str> {
    match path {
        "/" if signed_in => Some("/sessions"),
        "/" => Some("/login"),
        "/login" | "/register" if signed_in => Some("/sessions"),
        p if !signed_in && PROTECTED_PAGES.contains(&p) => Some("/login"),
        _ => None,
    }
}

/// `SESSION_COOKIE` followed by `=` (checked by a test).
const COOKIE_PREFIX: &str = "sb_session=";

/// The session cookie's value. Found by hand rather than with the cookie
/// crate's parser: this runs on every request, the header is plain
/// `name=value` pairs, and our token is base64url (never quoted or encoded).
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim_ascii_start().strip_prefix(COOKIE_PREFIX))
        .map(str::trim_ascii)
}

fn no_store(mut response: Response<Body>) -> Response<Body> {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::api::SESSION_COOKIE;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    const ORIGIN: &str = "http://localhost:3000";

    #[test]
    fn same_origin_passes_cross_site_fails() {
        assert!(origin_allowed(
            &headers(&[("sec-fetch-site", "same-origin")]),
            ORIGIN
        ));
        assert!(!origin_allowed(
            &headers(&[("sec-fetch-site", "cross-site"), ("origin", ORIGIN)]),
            ORIGIN
        ));
    }

    #[test]
    fn same_site_other_port_fails() {
        let h = headers(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://localhost:4000"),
        ]);
        assert!(!origin_allowed(&h, ORIGIN));
        let h = headers(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://localhost:3000"),
        ]);
        assert!(origin_allowed(&h, ORIGIN));
        assert!(!origin_allowed(
            &headers(&[("sec-fetch-site", "same-site")]),
            ORIGIN
        ));
    }

    #[test]
    fn without_fetch_metadata_origin_or_referer_decides() {
        assert!(origin_allowed(
            &headers(&[("origin", "http://LOCALHOST:3000")]),
            ORIGIN
        ));
        assert!(!origin_allowed(
            &headers(&[("origin", "https://evil.example")]),
            ORIGIN
        ));
        assert!(!origin_allowed(&headers(&[("origin", "null")]), ORIGIN));
        assert!(origin_allowed(
            &headers(&[("referer", "http://localhost:3000/sessions?x=1")]),
            ORIGIN
        ));
        assert!(!origin_allowed(
            &headers(&[("referer", "http://evil.example/x")]),
            ORIGIN
        ));
        // A non-browser client that sends nothing at all.
        assert!(origin_allowed(&headers(&[]), ORIGIN));
    }

    #[test]
    fn session_cookie_is_found_among_others() {
        let h = headers(&[("cookie", "a=1; sb_session=tok; b=2")]);
        assert_eq!(session_cookie(&h), Some("tok"));
        assert_eq!(COOKIE_PREFIX, format!("{SESSION_COOKIE}="));
        let tight = headers(&[("cookie", "x_sb_session=no;sb_session=tok2 ;c=3")]);
        assert_eq!(session_cookie(&tight), Some("tok2"));
        assert_eq!(
            session_cookie(&headers(&[("cookie", "sb_session=first")])),
            Some("first")
        );
        assert_eq!(
            session_cookie(&headers(&[("cookie", "a=sb_session=x")])),
            None
        );
        assert_eq!(session_cookie(&headers(&[("cookie", "a=1")])), None);
        assert_eq!(session_cookie(&headers(&[])), None);
    }

    #[test]
    fn reads_refuse_cross_site_and_foreign_origins() {
        assert!(read_allowed(
            &headers(&[("sec-fetch-site", "same-origin")]),
            ORIGIN
        ));
        assert!(read_allowed(&headers(&[]), ORIGIN));
        assert!(read_allowed(
            &headers(&[("origin", "http://localhost:3000/")]),
            ORIGIN
        ));
        assert!(!read_allowed(
            &headers(&[("sec-fetch-site", "cross-site")]),
            ORIGIN
        ));
        assert!(!read_allowed(
            &headers(&[("origin", "http://localhost:4000")]),
            ORIGIN
        ));
    }

    #[test]
    fn page_guards() {
        assert_eq!(guard_redirect("/", false), Some("/login"));
        assert_eq!(guard_redirect("/", true), Some("/sessions"));
        assert_eq!(guard_redirect("/sessions", false), Some("/login"));
        assert_eq!(guard_redirect("/account/password", false), Some("/login"));
        assert_eq!(guard_redirect("/sessions", true), None);
        assert_eq!(guard_redirect("/login", true), Some("/sessions"));
        assert_eq!(guard_redirect("/login", false), None);
        assert_eq!(guard_redirect("/api/dashboard", false), None);
    }

    #[test]
    fn origin_parsing() {
        assert_eq!(
            origin_of("http://a.b:1/c?d").as_deref(),
            Some("http://a.b:1")
        );
        assert_eq!(origin_of("nonsense"), None);
    }
}
