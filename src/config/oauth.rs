//! OAuth 2.1 resource-server settings (`--oauth-issuer`, `--public-url`, `--oauth-audience`,
//! `--oauth-jwks-url`, `--oauth-accounts-claim`): checked once at start, so a typo in a URL
//! is a configuration error rather than a server that refuses every token.

use reqwest::Url;

use super::{ConfigError, Sourced, invalid, resolve::Inputs, settings};

/// The resolved OAuth settings; present only when `--oauth-issuer` is set.
#[derive(Clone, Debug)]
pub(crate) struct OAuthSettings {
    /// Exactly as given: a token's `iss` must equal it character for character.
    pub issuer: Sourced<String>,
    /// The URL clients use to reach this server (the resource, and the default audience),
    /// without a trailing slash.
    pub public_url: Sourced<String>,
    /// The `aud` a token must carry, when not the public URL.
    pub audience: Option<Sourced<String>>,
    /// Where the signing keys are; else discovered from the issuer's metadata.
    pub jwks_url: Option<Sourced<Url>>,
    /// The claim that lists the accounts a token may act on; absent: any account.
    pub accounts_claim: Option<Sourced<String>>,
}

impl OAuthSettings {
    /// The server's root as clients reach it: the public URL without a trailing `/mcp`
    /// (`--public-url` may name the server or its `/mcp` endpoint).
    pub(crate) fn base_url(&self) -> &str {
        let url = self.public_url.value.as_str();
        url.strip_suffix("/mcp").unwrap_or(url)
    }

    /// The protected resource: the `/mcp` endpoint's URL, whichever form `--public-url`
    /// takes. Both metadata documents name it.
    pub(crate) fn resource(&self) -> String {
        format!("{}/mcp", self.base_url())
    }

    /// The audiences a token may carry: `--oauth-audience`, or else the server's root and
    /// its `/mcp` endpoint (the resource indicator clients derive from the endpoint URL).
    pub(crate) fn audiences(&self) -> Vec<String> {
        match &self.audience {
            Some(audience) => vec![audience.value.clone()],
            None => vec![self.base_url().to_owned(), self.resource()],
        }
    }

    /// `<root>/.well-known/oauth-protected-resource`, named in every 401.
    pub(crate) fn resource_metadata_url(&self) -> String {
        format!("{}/.well-known/oauth-protected-resource", self.base_url())
    }
}

/// Resolves the OAuth settings; `None` without an issuer (then the others must be unset).
pub(crate) fn resolve(inputs: &Inputs) -> Result<Option<OAuthSettings>, ConfigError> {
    let issuer = inputs.optional(&settings::OAUTH_ISSUER, |s| {
        checked_url(s, true).map(|_| s.trim().to_owned())
    })?;
    let public_url = inputs.optional(&settings::PUBLIC_URL, |s| {
        checked_url(s, false).map(|_| s.trim().trim_end_matches('/').to_owned())
    })?;
    let audience = inputs.optional(&settings::OAUTH_AUDIENCE, |s| {
        let s = s.trim().to_owned();
        if s.is_empty() {
            Err("the audience is empty".to_owned())
        } else {
            Ok(s)
        }
    })?;
    let jwks_url = inputs.optional(&settings::OAUTH_JWKS_URL, |s| checked_url(s, true))?;
    let accounts_claim = inputs.optional(&settings::OAUTH_ACCOUNTS_CLAIM, |s| {
        let s = s.trim().to_owned();
        if s.is_empty() || s.len() > 128 || !s.bytes().all(|b| b.is_ascii_graphic()) {
            Err(format!(
                "{s:?} must be a claim name of at most 128 printable ASCII characters"
            ))
        } else {
            Ok(s)
        }
    })?;

    let Some(issuer) = issuer else {
        let stray = [
            (public_url.as_ref().map(|v| &v.source), settings::PUBLIC_URL),
            (
                audience.as_ref().map(|v| &v.source),
                settings::OAUTH_AUDIENCE,
            ),
            (
                jwks_url.as_ref().map(|v| &v.source),
                settings::OAUTH_JWKS_URL,
            ),
            (
                accounts_claim.as_ref().map(|v| &v.source),
                settings::OAUTH_ACCOUNTS_CLAIM,
            ),
        ]
        .into_iter()
        .find_map(|(source, info)| source.map(|source| (source.clone(), info)));
        return match stray {
            None => Ok(None),
            Some((source, info)) => Err(invalid(
                "OAuth settings",
                &source,
                format!(
                    "{} only applies with {} (the authorization server that issues the tokens)",
                    info.flag,
                    settings::OAUTH_ISSUER.flag
                ),
            )),
        };
    };
    let Some(public_url) = public_url else {
        return Err(invalid(
            "OAuth settings",
            &issuer.source,
            format!(
                "{} needs {} ({}): the URL clients use to reach this server, which is the resource \
                 tokens are issued for",
                settings::OAUTH_ISSUER.flag,
                settings::PUBLIC_URL.flag,
                settings::PUBLIC_URL.env
            ),
        ));
    };
    Ok(Some(OAuthSettings {
        issuer,
        public_url,
        audience,
        jwks_url,
        accounts_claim,
    }))
}

/// An absolute http(s) URL without credentials or fragment; with `secure`, plain http only
/// on a loopback host (keys fetched over the network must not be tampered with).
fn checked_url(text: &str, secure: bool) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{text:?} must start with https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{text:?} names no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{text:?} must not hold a user name or password"));
    }
    if url.fragment().is_some() || url.query().is_some() {
        return Err(format!("{text:?} must not have a query or fragment"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if secure && url.scheme() == "http" && !loopback {
        return Err(format!(
            "{text:?} must use https:// (plain http is accepted on loopback only)"
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::{RawSettings, RawValue, Source};

    /// Resolves the OAuth settings given as flags by short name (`issuer`, `audience`, …).
    fn resolve_flags(pairs: &[(&str, &str)]) -> Result<Option<OAuthSettings>, ConfigError> {
        let mut raw = RawSettings::default();
        for (name, value) in pairs {
            let setting = match *name {
                "issuer" => settings::OAUTH_ISSUER,
                "public_url" => settings::PUBLIC_URL,
                "audience" => settings::OAUTH_AUDIENCE,
                "jwks_url" => settings::OAUTH_JWKS_URL,
                _ => settings::OAUTH_ACCOUNTS_CLAIM,
            };
            raw.set(
                &setting,
                RawValue {
                    value: (*value).to_owned(),
                    source: Source::Flag,
                },
            );
        }
        let file = std::collections::BTreeMap::new();
        resolve(&Inputs::new(&raw, &file, None))
    }

    #[test]
    fn issuer_and_public_url_resolve_with_the_default_audiences() {
        let settings = resolve_flags(&[
            ("issuer", "https://auth.example.com/"),
            ("public_url", "https://mcp.example.com/"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(settings.issuer.value, "https://auth.example.com/");
        assert_eq!(
            settings.audiences(),
            ["https://mcp.example.com", "https://mcp.example.com/mcp"]
        );
        assert_eq!(
            settings.resource_metadata_url(),
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
    }

    #[test]
    fn refusals_name_the_setting() {
        for (pairs, named) in [
            (vec![("issuer", "https://a.example")], "--public-url"),
            (vec![("public_url", "https://m.example")], "--oauth-issuer"),
            (
                vec![
                    ("issuer", "http://auth.example.com"),
                    ("public_url", "https://m"),
                ],
                "https://",
            ),
            (
                vec![("issuer", "ftp://x"), ("public_url", "https://m")],
                "https://",
            ),
            (
                vec![("issuer", "https://u:p@a"), ("public_url", "https://m")],
                "password",
            ),
            (
                vec![
                    ("issuer", "https://a"),
                    ("public_url", "https://m"),
                    ("jwks_url", "http://keys.example.com/jwks"),
                ],
                "JWKS",
            ),
        ] {
            let err = resolve_flags(&pairs).unwrap_err().to_string();
            assert!(err.contains(named), "{pairs:?}: {err}");
        }
        assert!(resolve_flags(&[]).unwrap().is_none());
        let loopback = resolve_flags(&[
            ("issuer", "http://127.0.0.1:9000"),
            ("public_url", "http://127.0.0.1:8080"),
            ("audience", "api://kommo"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(loopback.audiences(), ["api://kommo"]);
    }
}
