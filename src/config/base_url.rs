//! The Kommo API base-URL template (`https://{subdomain}.kommo.com`), checked once.

use super::Subdomain;

const PLACEHOLDER: &str = "{subdomain}";

/// A base-URL template with exactly one `{subdomain}` placeholder and an http(s) scheme.
/// It only ever comes from the operator (flag, env, file), never from a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BaseUrl(String);

#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum InvalidBaseUrl {
    #[error("{0:?} must start with https:// or http://")]
    Scheme(String),
    #[error(
        "{0:?} must contain the placeholder {{subdomain}} exactly once (e.g. https://{{subdomain}}.kommo.com)"
    )]
    Placeholder(String),
}

impl BaseUrl {
    #[cfg(test)]
    pub(crate) fn kommo() -> Self {
        Self("https://{subdomain}.kommo.com".to_owned())
    }

    pub(crate) fn parse(raw: &str) -> Result<Self, InvalidBaseUrl> {
        let trimmed = raw.trim().trim_end_matches('/');
        if !(trimmed.starts_with("https://") || trimmed.starts_with("http://")) {
            return Err(InvalidBaseUrl::Scheme(raw.to_owned()));
        }
        if trimmed.matches(PLACEHOLDER).count() != 1 {
            return Err(InvalidBaseUrl::Placeholder(raw.to_owned()));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The API root of one account, e.g. `https://mycompany.kommo.com`.
    pub(crate) fn for_account(&self, subdomain: &Subdomain) -> String {
        self.0.replace(PLACEHOLDER, subdomain.as_str())
    }

    pub(crate) fn template(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_the_subdomain() {
        let sub = Subdomain::parse("acme").unwrap();
        assert_eq!(BaseUrl::kommo().for_account(&sub), "https://acme.kommo.com");
        let local = BaseUrl::parse("http://127.0.0.1:9/{subdomain}/").unwrap();
        assert_eq!(local.for_account(&sub), "http://127.0.0.1:9/acme");
    }

    #[test]
    fn refuses_templates_without_scheme_or_placeholder() {
        assert!(BaseUrl::parse("ftp://{subdomain}.x").is_err());
        assert!(BaseUrl::parse("https://fixed.kommo.com").is_err());
        assert!(BaseUrl::parse("https://{subdomain}.{subdomain}.com").is_err());
    }
}
