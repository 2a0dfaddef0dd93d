//! The client's address behind a proxy. The connecting peer is the client unless it is one
//! of the configured trusted proxies (`TRUSTED_PROXIES`, IPs or CIDRs, parsed with `ipnet`):
//! only then is the forwarded chain read (`Forwarded`, RFC 7239, parsed with
//! `forwarded-header-value`; else `X-Forwarded-For`), from the nearest hop outwards, past
//! every trusted proxy, to the first address that is not one. A header from anyone else is
//! ignored: a client cannot pick its own rate-limit bucket. (tower_governor's
//! `SmartIpKeyExtractor` reads these headers from any peer, so it is not used.)

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::{header, HeaderMap};
use forwarded_header_value::ForwardedHeaderValue;
use ipnet::IpNet;

/// The proxies whose forwarded headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma- (or space-) separated list of IPs and CIDRs, e.g. `10.0.0.0/8, 192.0.2.7`.
    pub fn parse(value: &str) -> Result<Self, String> {
        value
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                IpNet::from_str(item)
                    .or_else(|_| IpAddr::from_str(item).map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("`{item}` is not an IP address or a CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether no proxy is trusted (then the peer is always the client).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer`, or what trusted proxies forwarded.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        for hop in forwarded_chain(headers).into_iter().rev() {
            match hop {
                Some(ip) => client = ip.to_canonical(),
                // An obfuscated or malformed hop: the last address known is the client.
                None => break,
            }
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// The forwarded `for` addresses, farthest first (`None` for a hop that names no address).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let lines = |name: &str| -> Vec<&str> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    };
    let forwarded = lines(header::FORWARDED.as_str());
    if !forwarded.is_empty() {
        return match ForwardedHeaderValue::from_forwarded(&forwarded.join(",")) {
            Ok(value) => value
                .iter()
                .map(|stanza| stanza.forwarded_for_ip())
                .collect(),
            Err(_) => vec![None],
        };
    }
    lines("x-forwarded-for")
        .iter()
        .flat_map(|line| line.split(','))
        .map(|hop| {
            let hop = hop.trim();
            IpAddr::from_str(hop)
                .ok()
                .or_else(|| SocketAddr::from_str(hop).ok().map(|s| s.ip()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn lists_of_ips_and_ranges_parse_and_bad_items_are_named() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7 2001:db8::/32").unwrap();
        assert!(proxies.trusts(ip("10.1.2.3")));
        assert!(proxies.trusts(ip("192.0.2.7")));
        assert!(proxies.trusts(ip("::ffff:10.9.9.9")), "IPv4-mapped peers");
        assert!(proxies.trusts(ip("2001:db8::1")));
        assert!(!proxies.trusts(ip("192.0.2.8")));
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        let bad = TrustedProxies::parse("10.0.0.0/8, proxy.example").unwrap_err();
        assert!(bad.contains("proxy.example"), "{bad}");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }

    #[test]
    fn only_a_trusted_peer_is_believed() {
        let proxies = TrustedProxies::parse("10.0.0.1").unwrap();
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &forwarded),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client_address(ip("198.51.100.4"), &forwarded),
            ip("198.51.100.4"),
            "from anyone else the header is ignored"
        );
        assert_eq!(
            TrustedProxies::default().client_address(ip("10.0.0.1"), &forwarded),
            ip("10.0.0.1"),
            "no trusted proxies: always the peer"
        );
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn the_chain_is_read_from_the_nearest_hop_past_trusted_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client put a fake first entry; the proxies appended the real ones.
        let chain = headers(&[
            ("x-forwarded-for", "1.1.1.1, 203.0.113.9"),
            ("x-forwarded-for", "10.0.0.2"),
        ]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &chain),
            ip("203.0.113.9")
        );
        let rfc = headers(&[(
            "forwarded",
            "for=1.1.1.1, for=\"[2001:db8::5]:4711\";proto=https, for=10.0.0.2",
        )]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &rfc),
            ip("2001:db8::5")
        );
        let hidden = headers(&[("forwarded", "for=_hidden, for=10.0.0.2")]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &hidden),
            ip("10.0.0.2"),
            "an obfuscated hop stops the walk"
        );
        let garbage = headers(&[("x-forwarded-for", "not-an-ip")]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &garbage),
            ip("10.0.0.1")
        );
    }
}
