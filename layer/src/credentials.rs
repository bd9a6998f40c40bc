//! The credentials in a request: the session cookie's value, or an API
//! token as `Authorization: Bearer`.
use http::{HeaderMap, header};

/// The session cookie's value as bytes, the first one wins. Found by hand
/// rather than with the `cookie` crate's parser: this runs on every
/// request, and a full parse of every pair (with its allocations) for one
/// value we know to be base64url, never quoted or encoded, measured slower
/// in the web bench. Bytes rather than `to_str`, so that another cookie's
/// odd byte does not hide ours; and not checked as UTF-8, since only a
/// token's shape (ASCII) is ever accepted, and it is checked next.
/// `name` is the session cookie's name.
pub fn named_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h [u8]> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .find_map(|v| in_header(v.as_bytes(), name))
}

/// An API token sent as `Authorization: Bearer <token>` (the scheme's
/// case ignored, as RFC 9110 says).
pub fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let (scheme, token) = value.split_at_checked(7)?;
    scheme
        .eq_ignore_ascii_case(b"bearer ")
        .then(|| token.trim_ascii())
}

/// The session cookie's value in one header's `;`-separated pairs.
fn in_header<'v>(mut rest: &'v [u8], name: &str) -> Option<&'v [u8]> {
    loop {
        let end = memchr::memchr(b';', rest);
        let pair = &rest[..end.unwrap_or(rest.len())];
        if let Some(value) = ours(pair, name) {
            return Some(value);
        }
        rest = &rest[end? + 1..];
    }
}

/// The value of `pair` if it is named like the session cookie (spaces
/// around the name and the value allowed). A prefix comparison rather than
/// a search for `=`: most pairs fail at their first bytes.
fn ours<'v>(pair: &'v [u8], name: &str) -> Option<&'v [u8]> {
    let rest = pair.trim_ascii_start().strip_prefix(name.as_bytes())?;
    let value = rest.trim_ascii_start().strip_prefix(b"=")?;
    Some(value.trim_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;
    const SESSION_COOKIE: &str = "__Host-sb_session";
    use http::HeaderValue;

    fn cookies(values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::COOKIE, HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    fn found(values: &[&[u8]]) -> Option<String> {
        named_cookie(&cookies(values), SESSION_COOKIE)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    #[test]
    fn lookup_edge_cases() {
        let name = SESSION_COOKIE;
        assert_eq!(
            found(&[format!("a=1; {name}=tok; b=2").as_bytes()]).as_deref(),
            Some("tok")
        );
        assert_eq!(
            found(&[format!("x_{name}=no;{name}=tok2 ;c=3").as_bytes()]).as_deref(),
            Some("tok2")
        );
        assert_eq!(found(&[format!("x_{name}=no").as_bytes()]), None);
        assert_eq!(found(&[format!("{name}x=no").as_bytes()]), None);
        assert_eq!(found(&[format!("a={name}=x").as_bytes()]), None);
        // Not a pair of ours; spaces around the name and the value; a
        // value holding `=`.
        for (header, want) in [
            (format!("a=b {name}=x"), None),
            (format!("{name} x=no"), None),
            (format!("a=1;\t{name} = spaced ;b=2"), Some("spaced")),
            (format!("{name}=a=b"), Some("a=b")),
        ] {
            assert_eq!(found(&[header.as_bytes()]).as_deref(), want, "{header}");
        }
        assert_eq!(found(&[format!("{name}=").as_bytes()]).as_deref(), Some(""));
        // Duplicates: the first one, also across headers.
        assert_eq!(
            found(&[format!("{name}=one; {name}=two").as_bytes()]).as_deref(),
            Some("one")
        );
        assert_eq!(
            found(&[b"a=1", format!("{name}=three").as_bytes()]).as_deref(),
            Some("three")
        );
        let big = format!("{name}={}", "A".repeat(8 * 1024));
        assert_eq!(found(&[big.as_bytes()]).map(|v| v.len()), Some(8 * 1024));
        // A value that is not UTF-8 is taken as it is (no token has its
        // shape), and another cookie's odd byte hides nothing.
        let mut odd = format!("{name}=caf").into_bytes();
        odd.push(0xe9);
        assert_eq!(found(&[&odd]).as_deref(), Some("caf\u{fffd}"));
        assert_eq!(
            found(&[&odd, format!("{name}=ok").as_bytes()]).as_deref(),
            Some("caf\u{fffd}"),
            "still the first"
        );
        let mut other = b"a=caf\xe9; ".to_vec();
        other.extend_from_slice(format!("{name}=ok").as_bytes());
        assert_eq!(found(&[&other]).as_deref(), Some("ok"));
        assert_eq!(found(&[]), None);
    }

    proptest::proptest! {
        /// The first pair named exactly like the session cookie, and only it.
        #[test]
        fn only_the_session_cookie_is_found(
            pairs in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        SESSION_COOKIE.to_owned(),
                        format!("x_{SESSION_COOKIE}"),
                        format!("{SESSION_COOKIE}x"),
                        "sb_session".to_owned(),
                        "a".to_owned(),
                    ]),
                    "[A-Za-z0-9_=-]{0,12}",
                    " {0,2}",
                    " {0,1}",
                ),
                0..6,
            )
        ) {
            let header = pairs
                .iter()
                .map(|(name, value, space, gap)| format!("{space}{name}{gap}={value}"))
                .collect::<Vec<_>>()
                .join(";");
            let want = pairs.iter().find(|(n, ..)| n == SESSION_COOKIE).map(|(_, v, ..)| v.trim().to_owned());
            proptest::prop_assert_eq!(found(&[header.as_bytes()]), want);
        }
    }
}
