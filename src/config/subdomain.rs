//! Kommo account subdomains: validated once, so nothing unchecked ever reaches a URL.

use std::fmt;

/// A Kommo account subdomain (`mycompany` in `mycompany.kommo.com`), lower-cased and
/// matching `^[a-z0-9][a-z0-9-]{0,62}$`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Subdomain(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid Kommo subdomain {0:?}: use the account's subdomain alone (letters, digits and '-', \
     at most 63 characters, e.g. \"mycompany\" for mycompany.kommo.com)"
)]
pub(crate) struct InvalidSubdomain(pub String);

impl Subdomain {
    pub(crate) fn parse(raw: &str) -> Result<Self, InvalidSubdomain> {
        let lower = raw.trim().to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.len() <= 63
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if valid {
            Ok(Self(lower))
        } else {
            Err(InvalidSubdomain(raw.to_owned()))
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Subdomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_labels_and_lowercases() {
        assert_eq!(Subdomain::parse("MyCompany").unwrap().as_str(), "mycompany");
        assert_eq!(Subdomain::parse("a-1").unwrap().as_str(), "a-1");
        assert!(Subdomain::parse(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn refuses_anything_that_could_change_the_host() {
        for bad in [
            "",
            "-a",
            "a.b",
            "a/b",
            "evil.com/x",
            "a b",
            "a@b",
            "ä",
            &"a".repeat(64),
            "a_b",
        ] {
            assert!(Subdomain::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
