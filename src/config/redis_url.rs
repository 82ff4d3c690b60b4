//! The Redis URL setting: checked once at start (scheme, host, database) and kept as a
//! secret, because it may carry a password. Only the redacted form is ever printed. Also
//! the CA file a `rediss://` Redis with a private CA is checked against.

use std::{fmt, path::PathBuf};

use crate::secret::Secret;

/// A checked `redis://` or `rediss://` URL. `Debug` and `Display` show the scheme, host,
/// port and database only — never the user name or password.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl {
    url: Secret,
    shown: String,
}

/// Why a Redis URL was refused. The messages never repeat the URL (it may hold a password).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRedisUrl {
    #[error("must start with redis:// or rediss://")]
    Scheme,
    #[error("names no host")]
    NoHost,
    #[error("has a port that is not a number from 1 to 65535")]
    Port,
    #[error("has a database that is not a number (redis://host:6379/0)")]
    Database,
    #[error("has a query or fragment kommo-mcp does not read")]
    Extra,
}

impl RedisUrl {
    pub fn parse(text: &str) -> Result<Self, InvalidRedisUrl> {
        let text = text.trim();
        let (scheme, rest) = text.split_once("://").ok_or(InvalidRedisUrl::Scheme)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "redis" && scheme != "rediss" {
            return Err(InvalidRedisUrl::Scheme);
        }
        if rest.contains(['?', '#']) {
            return Err(InvalidRedisUrl::Extra);
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        // The password may contain '@'; the host follows the last one.
        let host_port = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let (host, port) = split_port(host_port)?;
        if host.is_empty() {
            return Err(InvalidRedisUrl::NoHost);
        }
        let database = match path {
            "" => 0,
            db => db.parse::<u32>().map_err(|_| InvalidRedisUrl::Database)?,
        };
        let shown = format!("{scheme}://{host}:{}/{database}", port.unwrap_or(6379));
        Ok(Self {
            url: Secret::new(text),
            shown,
        })
    }

    /// The full URL, for the Redis client and nothing else.
    pub fn expose(&self) -> &str {
        self.url.expose()
    }

    /// Scheme, host, port and database: safe to print.
    pub fn redacted(&self) -> &str {
        &self.shown
    }

    /// `rediss://`: TLS.
    pub fn is_tls(&self) -> bool {
        self.shown.starts_with("rediss://")
    }
}

/// CA certificates (PEM) for a `rediss://` Redis, read once at start.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RedisCa {
    pub path: PathBuf,
    pub pem: Vec<u8>,
}

impl RedisCa {
    /// Reads the file; it must hold at least one PEM certificate.
    pub(crate) fn read(path: &str) -> Result<Self, String> {
        if path.trim().is_empty() {
            return Err("the path is empty".to_owned());
        }
        let path = PathBuf::from(path);
        let pem =
            std::fs::read(&path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
            return Err(format!(
                "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                path.display()
            ));
        }
        Ok(Self { path, pem })
    }
}

impl fmt::Debug for RedisCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisCa({})", self.path.display())
    }
}

fn split_port(host_port: &str) -> Result<(&str, Option<u16>), InvalidRedisUrl> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        // [IPv6]:port
        let (host, after) = rest.split_once(']').ok_or(InvalidRedisUrl::NoHost)?;
        (host, after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = match port {
        None => None,
        Some(port) => match port.parse::<u16>() {
            Ok(port) if port > 0 => Some(port),
            _ => return Err(InvalidRedisUrl::Port),
        },
    };
    Ok((host, port))
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisUrl({})", self.shown)
    }
}

impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_both_schemes_with_password_and_database() {
        let url = RedisUrl::parse("rediss://user:s3cr%40t@cache.example.com:6380/2").unwrap();
        assert_eq!(url.redacted(), "rediss://cache.example.com:6380/2");
        assert_eq!(
            url.expose(),
            "rediss://user:s3cr%40t@cache.example.com:6380/2"
        );
        let url = RedisUrl::parse("redis://:p@ss@127.0.0.1").unwrap();
        assert_eq!(url.redacted(), "redis://127.0.0.1:6379/0");
        for shown in [
            format!("{url:?}"),
            format!("{url}"),
            url.redacted().to_owned(),
        ] {
            assert!(!shown.contains("p@ss"), "{shown}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_use_without_repeating_it() {
        for (text, problem) in [
            ("http://secret@host", InvalidRedisUrl::Scheme),
            ("host:6379", InvalidRedisUrl::Scheme),
            ("redis://:secret@", InvalidRedisUrl::NoHost),
            ("redis://:secret@host:99999", InvalidRedisUrl::Port),
            ("redis://:secret@host/zero", InvalidRedisUrl::Database),
            ("redis://:secret@host/0?x=1", InvalidRedisUrl::Extra),
        ] {
            let error = RedisUrl::parse(text).unwrap_err();
            assert_eq!(error, problem, "{text}");
            assert!(!error.to_string().contains("secret"));
        }
    }
}
