use super::*;
use proptest::prelude::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn proxies() -> TrustedProxies {
    TrustedProxies::parse("127.0.0.1/32, 10.0.0.0/8").unwrap()
}

fn xff(peer: &str, values: &[&str]) -> IpAddr {
    resolve_client_ip(ip(peer), values, ProxyHeader::XForwardedFor, &proxies())
}

#[test]
fn untrusted_peer_headers_are_ignored() {
    assert_eq!(xff("203.0.113.9", &["81.2.69.142"]), ip("203.0.113.9"));
    let none = TrustedProxies::none();
    let got = resolve_client_ip(
        ip("203.0.113.9"),
        &["81.2.69.142"],
        ProxyHeader::XForwardedFor,
        &none,
    );
    assert_eq!(got, ip("203.0.113.9"));
}

#[test]
fn trusted_peer_uses_rightmost_untrusted_entry() {
    assert_eq!(
        xff("127.0.0.1", &["1.2.3.4, 81.2.69.142, 10.0.0.5"]),
        ip("81.2.69.142")
    );
    // Several header lines form one chain.
    assert_eq!(
        xff("127.0.0.1", &["1.2.3.4", "81.2.69.142, 10.0.0.5"]),
        ip("81.2.69.142")
    );
    // All trusted: the leftmost is the best we know.
    assert_eq!(xff("127.0.0.1", &["10.1.1.1, 10.2.2.2"]), ip("10.1.1.1"));
    assert_eq!(xff("127.0.0.1", &["[2001:218::1]:443"]), ip("2001:218::1"));
    assert_eq!(xff("127.0.0.1", &["81.2.69.142:5555"]), ip("81.2.69.142"));
    assert_eq!(xff("::ffff:127.0.0.1", &["81.2.69.142"]), ip("81.2.69.142"));
}

#[test]
fn the_walk_stops_at_garbage_without_throwing_the_chain_away() {
    // The client's own garbage on the left does not hide it.
    assert_eq!(
        xff("127.0.0.1", &["nonsense, 81.2.69.142"]),
        ip("81.2.69.142")
    );
    // Garbage right of the proxies walked: the last proxy is the best we know.
    assert_eq!(
        xff("127.0.0.1", &["81.2.69.142, junk, 10.0.0.7"]),
        ip("10.0.0.7")
    );
    // Garbage at the right end: the peer.
    for bad in ["", "not-an-ip", "1.2.3.4.5", "81.2.69.142, "] {
        assert_eq!(xff("127.0.0.1", &[bad]), ip("127.0.0.1"), "{bad:?}");
    }
}

#[test]
fn only_the_configured_header_is_read() {
    let t = proxies();
    let fwd =
        |values: &[&str]| resolve_client_ip(ip("127.0.0.1"), values, ProxyHeader::Forwarded, &t);
    assert_eq!(
        fwd(&[r#"for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.3"#]),
        ip("2001:db8:cafe::17")
    );
    assert_eq!(fwd(&["for=unknown"]), ip("127.0.0.1"));
    assert_eq!(fwd(&["proto=https"]), ip("127.0.0.1"));
    let real = resolve_client_ip(ip("127.0.0.1"), &["81.2.69.142"], ProxyHeader::XRealIp, &t);
    assert_eq!(real, ip("81.2.69.142"));
    assert_eq!(
        "Forwarded".parse::<ProxyHeader>(),
        Ok(ProxyHeader::Forwarded)
    );
    assert!("x-client-ip".parse::<ProxyHeader>().is_err());
}

#[test]
fn bad_proxy_list_is_an_error() {
    assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    assert!(TrustedProxies::parse("nope").is_err());
    assert!(TrustedProxies::parse("").unwrap().is_empty());
    assert!(TrustedProxies::parse("::1").unwrap().contains(ip("::1")));
    let mapped = TrustedProxies::parse("::ffff:10.0.0.0/104").unwrap();
    assert!(mapped.contains(ip("10.1.2.3")));
}

/// An entry of a forwarding chain: a trusted proxy, an outside address,
/// or garbage.
fn entry() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u8..4).prop_map(|n| format!("10.0.0.{n}")),
        Just("127.0.0.1".to_owned()),
        (1u8..4, 0u8..4).prop_map(|(a, b)| format!("81.2.{a}.{b}")),
        Just("2001:218::1".to_owned()),
        "[ -~]{0,12}",
    ]
}

proptest! {
    #[test]
    fn client_ip_is_the_peer_or_an_entry_never_a_proxy_left_of_a_stranger(
        peer in prop_oneof![Just("127.0.0.1"), Just("10.0.0.9"), Just("203.0.113.5")],
        chain in proptest::collection::vec(entry(), 0..6),
    ) {
        let t = proxies();
        let peer = ip(peer);
        let header = chain.join(",");
        let got = resolve_client_ip(peer, &[&header], ProxyHeader::XForwardedFor, &t);
        let parsed: Vec<Option<IpAddr>> = chain.iter().map(|e| parse_node(e.trim())).collect();
        if !t.contains(peer) {
            prop_assert_eq!(got, peer);
        } else if got != peer {
            let at: Vec<usize> = (0..parsed.len()).filter(|&i| parsed[i] == Some(got)).collect();
            prop_assert!(!at.is_empty(), "not an entry");
            if t.contains(got) {
                // Trusted: only trusted addresses may lie to its right.
                let ok = at.iter().any(|&i| parsed[i + 1..].iter().all(|e| e.is_some_and(|ip| t.contains(ip))));
                prop_assert!(ok, "a trusted entry chosen over a stranger to its right");
            }
        }
    }

    #[test]
    fn trusted_proxy_lists_parse_or_fail_cleanly(list in "[0-9a-f.:/, ]{0,40}") {
        if let Ok(t) = TrustedProxies::parse(&list) {
            for part in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let net = IpNet::from_str(part).or_else(|_| IpAddr::from_str(part).map(IpNet::from));
                prop_assert!(net.is_ok_and(|n| t.contains(n.network()) && t.contains(n.broadcast())));
            }
        }
    }
}
