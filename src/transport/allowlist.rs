//! Which `Host` and `Origin` headers the HTTP server accepts (DNS-rebinding and
//! cross-origin protection): loopback names by default, plus what the operator allows.

use std::net::{IpAddr, SocketAddr};

/// A refused `--allowed-host` / `--allowed-origin` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AllowlistError {
    #[error(
        "invalid --allowed-host {0:?}: give a host name or address, optionally with a port (mcp.example.com, 10.0.0.5:8080), or *"
    )]
    Host(String),
    #[error(
        "invalid --allowed-origin {0:?}: give scheme://host with an optional port or :* (https://app.example.com, http://localhost:*), or *"
    )]
    Origin(String),
}

const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// One host, with or without a port; a host without a port matches any port.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostEntry {
    host: String,
    port: Option<u16>,
}

/// The `Host` headers the server answers.
#[derive(Debug, Clone)]
pub(super) struct HostAllowlist {
    any: bool,
    entries: Vec<HostEntry>,
}

impl HostAllowlist {
    /// Loopback names, the listen address itself when it is a specific address, and `extra`.
    pub(super) fn new(extra: &[String], listen: SocketAddr) -> Result<Self, AllowlistError> {
        let mut entries: Vec<HostEntry> = LOOPBACK_NAMES
            .iter()
            .map(|host| HostEntry {
                host: (*host).to_owned(),
                port: None,
            })
            .collect();
        if !listen.ip().is_unspecified() && !listen.ip().is_loopback() {
            entries.push(HostEntry {
                host: ip_text(listen.ip()),
                port: None,
            });
        }
        let (any, extra) = read_extra(extra, AllowlistError::Host, |text| {
            if text.contains("://") || text.contains('/') {
                return None;
            }
            split_host_port(text).map(|(host, port)| HostEntry { host, port })
        })?;
        entries.extend(extra);
        Ok(Self { any, entries })
    }

    /// Whether a request with this `Host` header may be served.
    pub(super) fn allows(&self, host_header: &str) -> bool {
        if self.any {
            return true;
        }
        let Some((host, port)) = split_host_port(host_header.trim()) else {
            return false;
        };
        self.entries
            .iter()
            .any(|entry| entry.host == host && entry.port.is_none_or(|p| Some(p) == port))
    }
}

/// The entries of an `--allowed-host` / `--allowed-origin` list, each trimmed and read with
/// `parse`, and whether `*` (anything) is among them; the first entry `parse` refuses is
/// named with `refused`.
fn read_extra<Entry>(
    extra: &[String],
    refused: fn(String) -> AllowlistError,
    parse: impl Fn(&str) -> Option<Entry>,
) -> Result<(bool, Vec<Entry>), AllowlistError> {
    let mut any = false;
    let mut entries = Vec::new();
    for text in extra {
        let text = text.trim();
        if text == "*" {
            any = true;
        } else {
            entries.push(parse(text).ok_or_else(|| refused(text.to_owned()))?);
        }
    }
    Ok((any, entries))
}

/// Which ports an allowed origin covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortRule {
    Any,
    Exact(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct OriginEntry {
    scheme: String,
    host: String,
    port: PortRule,
}

/// The `Origin` headers the server accepts. A request without `Origin` (not from a
/// browser) always passes; so does an origin equal to the request's own host.
#[derive(Debug, Clone)]
pub(super) struct OriginAllowlist {
    any: bool,
    entries: Vec<OriginEntry>,
}

impl OriginAllowlist {
    /// `http(s)://` loopback origins on any port, plus `extra`.
    pub(super) fn new(extra: &[String]) -> Result<Self, AllowlistError> {
        let mut entries = Vec::new();
        for scheme in ["http", "https"] {
            for host in LOOPBACK_NAMES {
                entries.push(OriginEntry {
                    scheme: scheme.to_owned(),
                    host: host.to_owned(),
                    port: PortRule::Any,
                });
            }
        }
        let (any, extra) = read_extra(extra, AllowlistError::Origin, parse_origin_entry)?;
        entries.extend(extra);
        Ok(Self { any, entries })
    }

    /// Whether a request with this `Origin` header (and this `Host`) may be served.
    pub(super) fn allows(&self, origin: &str, host_header: Option<&str>) -> bool {
        if self.any {
            return true;
        }
        let Some((scheme, host, port)) = parse_origin(origin.trim()) else {
            return false;
        };
        let same_origin = host_header
            .and_then(|text| split_host_port(text.trim()))
            .is_some_and(|(own_host, own_port)| {
                own_host == host && own_port.or_else(|| default_port(&scheme)) == Some(port)
            });
        same_origin
            || self.entries.iter().any(|entry| {
                entry.scheme == scheme
                    && entry.host == host
                    && match entry.port {
                        PortRule::Any => true,
                        PortRule::Exact(p) => p == port,
                    }
            })
    }
}

fn ip_text(ip: IpAddr) -> String {
    ip.to_string().to_ascii_lowercase()
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// "host", "host:port", "[v6]", "[v6]:port" → lower-case host (no brackets) and port.
fn split_host_port(text: &str) -> Option<(String, Option<u16>)> {
    if text.is_empty() {
        return None;
    }
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?.parse().ok()?),
        };
        (host, port)
    } else if text.matches(':').count() > 1 {
        // A bare IPv6 address (only in our own entries, e.g. "::1").
        (text, None)
    } else if let Some((host, port)) = text.split_once(':') {
        (host, Some(port.parse().ok()?))
    } else {
        (text, None)
    };
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
    valid.then(|| (host.to_ascii_lowercase(), port))
}

/// "scheme://host[:port]" → (scheme, host, port with the scheme's default).
fn parse_origin(text: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = text.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if rest.contains('/') {
        return None;
    }
    let (host, port) = split_host_port(rest)?;
    let port = port.or_else(|| default_port(&scheme))?;
    Some((scheme, host, port))
}

fn parse_origin_entry(text: &str) -> Option<OriginEntry> {
    let (scheme, rest) = text.trim_end_matches('/').split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme.is_empty() || rest.contains('/') {
        return None;
    }
    if let Some(host) = rest.strip_suffix(":*") {
        let (host, port) = split_host_port(host)?;
        return port.is_none().then_some(OriginEntry {
            scheme,
            host,
            port: PortRule::Any,
        });
    }
    let (host, port) = split_host_port(rest)?;
    let port = port.or_else(|| default_port(&scheme))?;
    Some(OriginEntry {
        scheme,
        host,
        port: PortRule::Exact(port),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback() -> SocketAddr {
        "127.0.0.1:8080".parse().unwrap()
    }

    #[test]
    fn hosts_default_to_loopback_names_on_any_port() {
        let hosts = HostAllowlist::new(&[], loopback()).unwrap();
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:1",
            "[::1]:9",
            "LOCALHOST",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example.com",
            "evil.example.com:8080",
            "127.0.0.2",
            "",
            "localhost.evil.com",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }

    #[test]
    fn extra_hosts_with_and_without_ports() {
        let hosts =
            HostAllowlist::new(&["mcp.example.com".into(), "proxy:8443".into()], loopback())
                .unwrap();
        assert!(hosts.allows("mcp.example.com"));
        assert!(hosts.allows("MCP.example.com:443"));
        assert!(hosts.allows("proxy:8443"));
        assert!(!hosts.allows("proxy:8444"));
        assert!(
            HostAllowlist::new(&["*".into()], loopback())
                .unwrap()
                .allows("anything")
        );
        assert!(HostAllowlist::new(&["https://x".into()], loopback()).is_err());
    }

    #[test]
    fn a_specific_listen_address_is_allowed_as_host() {
        let hosts = HostAllowlist::new(&[], "10.1.2.3:8080".parse().unwrap()).unwrap();
        assert!(hosts.allows("10.1.2.3:8080"));
        let any = HostAllowlist::new(&[], "0.0.0.0:8080".parse().unwrap()).unwrap();
        assert!(!any.allows("0.0.0.0:8080"));
    }

    #[test]
    fn origins_loopback_same_origin_and_extra() {
        let origins =
            OriginAllowlist::new(&["https://app.example.com".into(), "http://dev:*".into()])
                .unwrap();
        assert!(origins.allows("http://localhost:6274", None));
        assert!(origins.allows("http://127.0.0.1:3000", None));
        assert!(origins.allows("https://app.example.com", None));
        assert!(origins.allows("https://app.example.com:443", None));
        assert!(!origins.allows("https://app.example.com:8443", None));
        assert!(origins.allows("http://dev:1234", None));
        assert!(!origins.allows("http://evil.example.com", None));
        assert!(!origins.allows("null", None));
        assert!(origins.allows("https://mcp.example.com", Some("mcp.example.com")));
        assert!(!origins.allows("https://mcp.example.com", Some("mcp.example.com:8080")));
        assert!(OriginAllowlist::new(&["app.example.com".into()]).is_err());
    }
}
