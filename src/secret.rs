//! A wrapper that keeps credentials out of logs, errors and debug output.

use std::fmt;

/// A secret string (a Kommo token or the HTTP auth token). Its `Debug` and `Display`
/// never show the value; only [`Secret::expose`] does, at the one place that sends it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the `Authorization` header and nothing else.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// A redacted form that is safe to print: the length and nothing of the value.
    pub(crate) fn redacted(&self) -> String {
        format!("<redacted, {} characters>", self.0.chars().count())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("very-secret-token");
        assert!(!format!("{secret:?}").contains("very-secret"));
        assert!(!format!("{secret}").contains("very-secret"));
        assert!(!secret.redacted().contains("very-secret"));
        assert_eq!(secret.expose(), "very-secret-token");
    }
}
