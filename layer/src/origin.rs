//! Where a request says it comes from: the CSRF check of state-changing
//! requests and of the live stream.
use http::{HeaderMap, header};

/// The ASCII origin (`scheme://host[:port]`, lower case, default port
/// left out) of a URL, or `None` for anything that has no tuple origin.
/// The one origin parser: `PUBLIC_ORIGIN`, `Origin` and `Referer` all go
/// through it.
pub fn origin_of(url: &str) -> Option<String> {
    let origin = url::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

fn header<'a>(headers: &'a HeaderMap, name: &header::HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn fetch_site(headers: &HeaderMap) -> Option<&str> {
    headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
}

/// Whether a request that changes state may come from where it says it
/// comes from. Browsers send `Sec-Fetch-Site`; `same-site` is not enough
/// (another port on the same host is same-site), so then, and when the
/// header is absent, `Origin` (or, when that is absent or `null`,
/// `Referer`) must be the public origin. A request with none of the three
/// is allowed only without a session cookie: a script without a browser,
/// with no ambient credentials to abuse.
pub fn state_change_allowed(headers: &HeaderMap, public_origin: &str, has_session: bool) -> bool {
    let site = fetch_site(headers);
    match site {
        Some("same-origin") | Some("none") => return true,
        Some("cross-site") => return false,
        _ => {}
    }
    let origin = header(headers, &header::ORIGIN);
    let claimed = match origin {
        Some(o) if o != "null" => Some(origin_of(o)),
        _ => header(headers, &header::REFERER).map(origin_of),
    };
    match claimed {
        Some(o) => o.as_deref() == Some(public_origin),
        None => site.is_none() && origin.is_none() && !has_session,
    }
}

/// Whether a reading request that must not be embedded elsewhere (the live
/// stream) may proceed: not cross-site, and any `Origin` is the public one.
pub fn read_allowed(headers: &HeaderMap, public_origin: &str) -> bool {
    fetch_site(headers) != Some("cross-site")
        && header(headers, &header::ORIGIN)
            .is_none_or(|o| origin_of(o).as_deref() == Some(public_origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const ORIGIN: &str = "http://localhost:3000";

    #[test]
    fn origins_are_normalised_by_one_parser() {
        assert_eq!(origin_of("http://LOCALHOST:3000/").as_deref(), Some(ORIGIN));
        assert_eq!(
            origin_of("http://a.b:1/c?d#e").as_deref(),
            Some("http://a.b:1")
        );
        assert_eq!(
            origin_of("https://example.com:443").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            origin_of("http://localhost:3000@evil.com").as_deref(),
            Some("http://evil.com")
        );
        assert_eq!(origin_of("http://localhost:3000.evil.com"), None);
        assert_eq!(origin_of("nonsense"), None);
        assert_eq!(origin_of("null"), None);
        assert_eq!(origin_of("data:text/html,hi"), None);
    }

    #[test]
    fn state_changes_from_the_public_origin_only() {
        let ok = |pairs| state_change_allowed(&headers(pairs), ORIGIN, false);
        assert!(ok(&[("sec-fetch-site", "same-origin")]));
        assert!(!ok(&[("sec-fetch-site", "cross-site"), ("origin", ORIGIN)]));
        assert!(!ok(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://localhost:4000")
        ]));
        assert!(ok(&[("sec-fetch-site", "same-site"), ("origin", ORIGIN)]));
        assert!(!ok(&[("sec-fetch-site", "same-site")]));
        assert!(ok(&[("origin", "http://LOCALHOST:3000")]));
        assert!(!ok(&[("origin", "https://evil.example")]));
        assert!(!ok(&[("origin", "http://localhost:3000.evil.com")]));
        assert!(!ok(&[("origin", "http://localhost:3000@evil.com")]));
        assert!(!ok(&[("origin", "null")]));
        assert!(ok(&[
            ("origin", "null"),
            ("referer", "http://localhost:3000/sessions")
        ]));
        assert!(ok(&[("referer", "http://localhost:3000/sessions?x=1")]));
        assert!(!ok(&[("referer", "http://evil.example/x")]));
        assert!(ok(&[]));
        // With a session cookie, silence is not enough.
        assert!(!state_change_allowed(&headers(&[]), ORIGIN, true));
        assert!(state_change_allowed(
            &headers(&[("origin", ORIGIN)]),
            ORIGIN,
            true
        ));
    }

    #[test]
    fn reads_refuse_cross_site_and_foreign_origins() {
        let ok = |pairs| read_allowed(&headers(pairs), ORIGIN);
        assert!(ok(&[("sec-fetch-site", "same-origin")]));
        assert!(ok(&[]));
        assert!(ok(&[("origin", "http://localhost:3000/")]));
        assert!(!ok(&[("sec-fetch-site", "cross-site")]));
        assert!(!ok(&[("origin", "http://localhost:4000")]));
    }

    fn header_value() -> impl proptest::strategy::Strategy<Value = Option<String>> {
        use proptest::prelude::*;
        prop_oneof![
            Just(None),
            Just(Some(ORIGIN.to_owned())),
            Just(Some("http://LOCALHOST:3000/".to_owned())),
            Just(Some("http://localhost:3000/sessions?x=1".to_owned())),
            Just(Some("http://localhost:4000".to_owned())),
            Just(Some("http://localhost:3000.evil.com".to_owned())),
            Just(Some("http://localhost:3000@evil.com".to_owned())),
            Just(Some("null".to_owned())),
            "[ -~]{0,30}".prop_map(Some),
        ]
    }

    proptest::proptest! {
        /// Allowed only when the browser says same-origin (or typed by the
        /// user), when the claimed origin is exactly the public one, or
        /// for a caller with nothing at all and no session.
        #[test]
        fn allowed_only_from_the_public_origin(
            site in header_value(),
            origin in header_value(),
            referer in header_value(),
            site_word in proptest::sample::select(vec!["same-origin", "none", "same-site", "cross-site"]),
            has_session: bool,
        ) {
            let site = site.map(|_| site_word.to_owned());
            let mut h = HeaderMap::new();
            for (name, value) in [("sec-fetch-site", &site), ("origin", &origin), ("referer", &referer)] {
                if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                    h.insert(name, v);
                }
            }
            let allowed = state_change_allowed(&h, ORIGIN, has_session);
            let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
            let claimed = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).and_then(origin_of);
            let exact = claimed("origin").or_else(|| claimed("referer")).as_deref() == Some(ORIGIN);
            let silent = h.is_empty();
            if site == Some("cross-site") {
                proptest::prop_assert!(!allowed);
            }
            if allowed {
                proptest::prop_assert!(
                    matches!(site, Some("same-origin" | "none")) || exact || (silent && !has_session)
                );
            }
        }
    }
}
