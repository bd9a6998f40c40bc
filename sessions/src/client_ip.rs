//! The client's IP address: the socket peer, or what a trusted proxy says.
use crate::StartupError;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The proxies whose `X-Forwarded-For` / `Forwarded` headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// No trusted proxies: forwarding headers are always ignored.
    pub fn none() -> Self {
        Self::default()
    }

    /// Parses a comma-separated list of CIDRs or single addresses
    /// (`"127.0.0.1/32, 10.0.0.0/8, ::1"`). Empty input means none.
    pub fn parse(list: &str) -> Result<Self, StartupError> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                IpNet::from_str(s)
                    .or_else(|_| IpAddr::from_str(s).map(IpNet::from))
                    .map_err(|_| StartupError::InvalidTrustedProxy(s.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) as plain IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The client address of a request.
///
/// Forwarding headers count only when `peer` is a trusted proxy. Then the
/// rightmost `X-Forwarded-For` entry that is not itself a trusted proxy wins
/// (entries to its left are client-controlled); without that header the
/// `Forwarded` header's `for=` values are read the same way. A malformed
/// header is ignored as a whole, never an error.
pub fn resolve_client_ip(
    peer: IpAddr,
    x_forwarded_for: &[&str],
    forwarded: &[&str],
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.contains(peer) {
        return peer;
    }
    let chain = if x_forwarded_for.is_empty() {
        parse_forwarded(forwarded)
    } else {
        parse_x_forwarded_for(x_forwarded_for)
    };
    match chain {
        Some(chain) if !chain.is_empty() => chain
            .iter()
            .rev()
            .find(|ip| !trusted.contains(**ip))
            // Every hop is trusted: the leftmost is the best we know.
            .or_else(|| chain.first())
            .copied()
            .unwrap_or(peer),
        _ => peer,
    }
}

fn parse_x_forwarded_for(values: &[&str]) -> Option<Vec<IpAddr>> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|entry| parse_node(entry.trim()))
        .collect()
}

fn parse_forwarded(values: &[&str]) -> Option<Vec<IpAddr>> {
    let mut out = Vec::new();
    for element in values.iter().flat_map(|v| v.split(',')) {
        for pair in element.split(';') {
            let (key, value) = pair.split_once('=')?;
            if key.trim().eq_ignore_ascii_case("for") {
                out.push(parse_node(value.trim().trim_matches('"'))?);
            }
        }
    }
    Some(out)
}

/// One address, possibly with a port (`1.2.3.4:80`, `[::1]:80`).
fn parse_node(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = IpAddr::from_str(s) {
        return Some(canonical(ip));
    }
    if let Ok(sa) = SocketAddr::from_str(s) {
        return Some(canonical(sa.ip()));
    }
    let inner = s.strip_prefix('[')?.strip_suffix(']')?;
    IpAddr::from_str(inner).ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::parse("127.0.0.1/32, 10.0.0.0/8").unwrap()
    }

    #[test]
    fn untrusted_peer_headers_are_ignored() {
        let got = resolve_client_ip(ip("203.0.113.9"), &["81.2.69.142"], &[], &proxies());
        assert_eq!(got, ip("203.0.113.9"));
        let got = resolve_client_ip(
            ip("203.0.113.9"),
            &["81.2.69.142"],
            &[],
            &TrustedProxies::none(),
        );
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn trusted_peer_uses_rightmost_untrusted_xff() {
        let got = resolve_client_ip(
            ip("127.0.0.1"),
            &["1.1.1.1, 81.2.69.142, 10.0.0.5"],
            &[],
            &proxies(),
        );
        assert_eq!(got, ip("81.2.69.142"));
    }

    #[test]
    fn multiple_xff_headers_form_one_chain() {
        let got = resolve_client_ip(
            ip("127.0.0.1"),
            &["1.1.1.1", "89.160.20.128"],
            &[],
            &proxies(),
        );
        assert_eq!(got, ip("89.160.20.128"));
    }

    #[test]
    fn all_trusted_chain_takes_leftmost() {
        let got = resolve_client_ip(ip("127.0.0.1"), &["10.1.1.1, 10.2.2.2"], &[], &proxies());
        assert_eq!(got, ip("10.1.1.1"));
    }

    #[test]
    fn malformed_xff_is_ignored() {
        for bad in ["not-an-ip", "1.2.3.4, garbage", "", " , "] {
            let got = resolve_client_ip(ip("127.0.0.1"), &[bad], &[], &proxies());
            assert_eq!(got, ip("127.0.0.1"), "{bad:?}");
        }
    }

    #[test]
    fn xff_entries_with_ports_and_ipv6() {
        let got = resolve_client_ip(ip("127.0.0.1"), &["[2001:218::1]:443"], &[], &proxies());
        assert_eq!(got, ip("2001:218::1"));
        let got = resolve_client_ip(ip("127.0.0.1"), &["81.2.69.142:5555"], &[], &proxies());
        assert_eq!(got, ip("81.2.69.142"));
    }

    #[test]
    fn forwarded_header_is_read() {
        let got = resolve_client_ip(
            ip("127.0.0.1"),
            &[],
            &[r#"for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711""#],
            &proxies(),
        );
        assert_eq!(got, ip("2001:db8:cafe::17"));
        let got = resolve_client_ip(ip("127.0.0.1"), &["for=unknown"], &[], &proxies());
        assert_eq!(got, ip("127.0.0.1"));
    }

    #[test]
    fn mapped_ipv4_peer_is_canonical() {
        let got = resolve_client_ip(ip("::ffff:127.0.0.1"), &["81.2.69.142"], &[], &proxies());
        assert_eq!(got, ip("81.2.69.142"));
    }

    #[test]
    fn bad_proxy_list_is_an_error() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("nope").is_err());
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("::1").unwrap().contains(ip("::1")));
    }
}
