//! Where webhooks may go: `http(s)` URLs whose every address is public. Loopback, private,
//! shared, link-local (cloud metadata at 169.254.169.254 among them), multicast and reserved
//! addresses are refused when an endpoint is saved and again when each delivery connects (the
//! resolver below), so a name that later resolves inwards reaches nothing. A setting allows
//! loopback, for local development and tests.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;

pub const MAX_URL: usize = 2_000;

/// What deliveries may reach.
#[derive(Debug, Clone, Copy, Default)]
pub struct Targets {
    pub allow_loopback: bool,
}

/// Why a URL is refused, in the owner's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl Targets {
    /// The URL parsed and its host resolved; every address must be allowed.
    pub async fn check(&self, text: &str) -> Result<Url, Refused> {
        let url = parse(text)?;
        let host = url
            .host_str()
            .ok_or_else(|| Refused("Die Adresse braucht einen Host.".into()))?
            .trim_matches(['[', ']']);
        let port = url.port_or_known_default().unwrap_or(443);
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| Refused(format!("Der Name {host} lässt sich nicht auflösen.")))?
            .collect();
        if addresses.is_empty() {
            return Err(Refused(format!(
                "Der Name {host} lässt sich nicht auflösen."
            )));
        }
        for address in &addresses {
            self.allowed(address.ip())?;
        }
        Ok(url)
    }

    /// Whether a delivery may connect to `ip`.
    pub fn allowed(&self, ip: IpAddr) -> Result<(), Refused> {
        let ip = canonical(ip);
        if ip.is_loopback() && self.allow_loopback {
            return Ok(());
        }
        if is_public(ip) {
            Ok(())
        } else {
            Err(Refused(format!(
                "Die Adresse zeigt auf {ip}, ein internes oder reserviertes Netz."
            )))
        }
    }

    /// A resolver for the delivery client that drops every address [`Self::allowed`] refuses.
    pub fn resolver(self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver(self))
    }
}

fn parse(text: &str) -> Result<Url, Refused> {
    let text = text.trim();
    if text.len() > MAX_URL {
        return Err(Refused(format!("Höchstens {MAX_URL} Zeichen.")));
    }
    let url = Url::parse(text).map_err(|_| Refused("Keine gültige URL.".into()))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Refused("Nur http:// und https:// sind möglich.".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused(
            "Zugangsdaten gehören nicht in die URL; die Signatur weist CarBot aus.".into(),
        ));
    }
    Ok(url)
}

/// An IPv4 address inside IPv6 (mapped, or NAT64's well-known prefix) as the IPv4 it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return IpAddr::V4(Ipv4Addr::new(a, b, c, d));
            }
            IpAddr::V6(v6)
        }
        v4 => v4,
    }
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local (fc00::/7, the cloud metadata address fd00:ec2::254 among them).
        || (first & 0xfe00) == 0xfc00
        // Link-local, fe80::/10.
        || (first & 0xffc0) == 0xfe80
        // Documentation, 2001:db8::/32.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

/// DNS for deliveries: the system resolver, with refused addresses left out.
#[derive(Debug)]
pub struct GuardedResolver(Targets);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let targets = self.0;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> =
                found.filter(|a| targets.allowed(a.ip()).is_ok()).collect();
            if allowed.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} resolves to no public address").into();
                return Err(refused);
            }
            let addresses: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(targets: Targets, ip: &str) -> bool {
        targets.allowed(ip.parse().expect("an address")).is_err()
    }

    #[test]
    fn internal_addresses_are_refused_and_public_ones_allowed() {
        let strict = Targets::default();
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(refused(strict, ip), "{ip} should be refused");
        }
        for ip in [
            "93.184.215.14",
            "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
            "1.1.1.1",
        ] {
            assert!(!refused(strict, ip), "{ip} should be allowed");
        }
        let dev = Targets {
            allow_loopback: true,
        };
        assert!(!refused(dev, "127.0.0.1") && !refused(dev, "::1"));
        assert!(refused(dev, "10.0.0.1") && refused(dev, "169.254.169.254"));
    }

    #[tokio::test]
    async fn urls_are_checked_before_they_are_saved() {
        let strict = Targets::default();
        for (url, reason) in [
            ("ftp://example.com/", "Nur http"),
            ("keine url", "Keine gültige"),
            ("https://user:pw@example.com/", "Zugangsdaten"),
            ("http://127.0.0.1:9/hook", "internes"),
            ("http://[::1]/hook", "internes"),
            ("http://169.254.169.254/latest/meta-data", "internes"),
            ("http://localhost/hook", "internes"),
        ] {
            let error = strict.check(url).await.expect_err(url);
            assert!(error.0.contains(reason), "{url}: {error:?}");
        }
        let dev = Targets {
            allow_loopback: true,
        };
        assert!(dev.check("http://127.0.0.1:9/hook").await.is_ok());
    }
}
