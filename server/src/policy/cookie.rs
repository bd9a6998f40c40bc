//! The session cookie's value in a request.
use app::contract::SESSION_COOKIE;
use axum::http::{HeaderMap, header};

/// The session cookie's value, first one wins (a value that is not UTF-8
/// is skipped). Found by hand rather than with the `cookie` crate's
/// parser: this runs on every request, and a full parse of every pair
/// (with its allocations) for one value we know to be base64url, never
/// quoted or encoded, measured slower in the web bench. Bytes rather than
/// `to_str` for the same reason, and so that another cookie's odd byte
/// does not hide ours.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .flat_map(|v| pairs(v.as_bytes()))
        .find_map(|pair| {
            let eq = memchr::memchr(b'=', pair)?;
            let (name, value) = (&pair[..eq], &pair[eq + 1..]);
            if name.trim_ascii() != SESSION_COOKIE.as_bytes() {
                return None;
            }
            std::str::from_utf8(value.trim_ascii()).ok()
        })
}

/// The `;`-separated pairs of one header value, found with `memchr`.
fn pairs(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let r = rest?;
        let (pair, next) = match memchr::memchr(b';', r) {
            Some(i) => (&r[..i], Some(&r[i + 1..])),
            None => (r, None),
        };
        rest = next;
        Some(pair)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn cookies(values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::COOKIE, HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    fn found(values: &[&[u8]]) -> Option<String> {
        session_cookie(&cookies(values)).map(str::to_owned)
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
        // A value that is not UTF-8 is skipped, not an error.
        let mut odd = format!("{name}=caf").into_bytes();
        odd.push(0xe9);
        assert_eq!(found(&[&odd]), None);
        assert_eq!(
            found(&[&odd, format!("{name}=ok").as_bytes()]).as_deref(),
            Some("ok")
        );
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
                ),
                0..6,
            )
        ) {
            let header = pairs
                .iter()
                .map(|(name, value, space)| format!("{space}{name}={value}"))
                .collect::<Vec<_>>()
                .join(";");
            let want = pairs.iter().find(|(n, _, _)| n == SESSION_COOKIE).map(|(_, v, _)| v.trim().to_owned());
            proptest::prop_assert_eq!(found(&[header.as_bytes()]), want);
        }
    }
}
