//! The client's IP address: the socket peer, or what a trusted proxy says
//! in the one forwarding header it is configured to set.
use crate::StartupError;
use ipnet::{IpNet, Ipv4Net};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The proxies whose forwarding header is believed.
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
                    .map(canonical_net)
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

/// The forwarding header the trusted proxies set (`PROXY_HEADER`). Only
/// that one is read: a client can send any of the others itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (the default).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client;proto=https, for=proxy1`.
    Forwarded,
    /// `X-Real-IP: client` (one address, set by the proxy).
    XRealIp,
}

impl ProxyHeader {
    /// Every forwarding header there is.
    pub const ALL: [ProxyHeader; 3] = [Self::XForwardedFor, Self::Forwarded, Self::XRealIp];

    /// The header's name, lower case.
    pub const fn name(self) -> &'static str {
        match self {
            Self::XForwardedFor => "x-forwarded-for",
            Self::Forwarded => "forwarded",
            Self::XRealIp => "x-real-ip",
        }
    }
}

impl FromStr for ProxyHeader {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("{s:?}: expected x-forwarded-for, forwarded or x-real-ip"))
    }
}

/// IPv4-mapped networks (`::ffff:10.0.0.0/104`) as plain IPv4, like
/// the peers they are compared with.
fn canonical_net(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(n) if n.prefix_len() >= 96 => n
            .network()
            .to_ipv4_mapped()
            .and_then(|v4| Ipv4Net::new(v4, n.prefix_len() - 96).ok())
            .map_or(net, IpNet::V4),
        _ => net,
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
/// The header counts only when `peer` is a trusted proxy. Its entries are
/// walked right to left (each hop appends on the right): trusted proxies
/// are passed over, and the first entry that is not one is the client
/// (everything to its left is client-controlled). The walk stops at the
/// first entry that is not an address; then the last proxy walked past is
/// the best we know (or the peer, if none).
pub fn resolve_client_ip(
    peer: IpAddr,
    header_values: &[&str],
    header: ProxyHeader,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.contains(peer) {
        return peer;
    }
    let mut best = peer;
    for entry in entries(header_values, header).into_iter().rev() {
        let Some(ip) = entry else { break };
        if !trusted.contains(ip) {
            return ip;
        }
        best = ip;
    }
    best
}

/// The header's hops, left to right; `None` for one that is not an address.
fn entries(values: &[&str], header: ProxyHeader) -> Vec<Option<IpAddr>> {
    let elements = values.iter().flat_map(|v| v.split(',')).map(str::trim);
    match header {
        ProxyHeader::XForwardedFor => elements.map(parse_node).collect(),
        ProxyHeader::XRealIp => values.iter().map(|v| parse_node(v.trim())).collect(),
        ProxyHeader::Forwarded => elements
            .map(|element| {
                let node = element.split(';').find_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    key.trim().eq_ignore_ascii_case("for").then_some(value)
                })?;
                parse_node(node.trim().trim_matches('"'))
            })
            .collect(),
    }
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
mod tests;
