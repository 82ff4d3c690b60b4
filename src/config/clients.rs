//! `[clients.<name>]`: the keys that callers of an HTTP server present, each limited to
//! some accounts, optionally some tools, read-only and a request rate. The file holds only
//! the SHA-256 of each key, never the key.

use std::{collections::BTreeSet, fmt};

use serde::Deserialize;

use super::{Source, Subdomain, file::FileTools};
use crate::toolset::ToolSet;

/// One `[clients.<name>]` table as written in the file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileClient {
    pub key_sha256: Option<String>,
    /// Present only to refuse it with a clear sentence: the key never sits in the file.
    pub key: Option<toml::Value>,
    pub accounts: Option<Vec<String>>,
    pub tools: Option<FileTools>,
    pub read_only: Option<bool>,
    pub rate_limit: Option<u32>,
}

/// The accounts a caller may act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Accounts {
    /// `"*"`: any account the server can reach.
    Any,
    Only(BTreeSet<Subdomain>),
}

impl Accounts {
    pub(crate) fn allows(&self, subdomain: &Subdomain) -> bool {
        match self {
            Accounts::Any => true,
            Accounts::Only(set) => set.contains(subdomain),
        }
    }

    /// Parses a list of subdomains, where `"*"` means any.
    pub(crate) fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut set = BTreeSet::new();
        for name in names {
            if name.trim() == "*" {
                return Ok(Accounts::Any);
            }
            set.insert(Subdomain::parse(name).map_err(|e| e.to_string())?);
        }
        Ok(Accounts::Only(set))
    }
}

impl fmt::Display for Accounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Accounts::Any => f.write_str("*"),
            Accounts::Only(set) => {
                let names: Vec<&str> = set.iter().map(Subdomain::as_str).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

/// One client, validated.
#[derive(Clone, Debug)]
pub(crate) struct ClientEntry {
    pub name: String,
    pub key_sha256: [u8; 32],
    pub accounts: Accounts,
    /// Narrows the server's tools; `None` keeps them all.
    pub tools: Option<ToolSet>,
    pub read_only: bool,
    /// Requests per minute; `None` (or 0 in the file) is no limit.
    pub rate_limit: Option<u32>,
}

/// A `[clients.*]` table that cannot be used, naming the table and the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid [clients.{client}] {key} in {origin}: {reason}")]
pub(crate) struct ClientError {
    pub client: String,
    pub key: &'static str,
    pub origin: Source,
    pub reason: String,
}

impl ClientEntry {
    pub(crate) fn from_file(
        name: &str,
        file: FileClient,
        origin: &Source,
    ) -> Result<Self, ClientError> {
        let fail = |key: &'static str, reason: String| ClientError {
            client: name.to_owned(),
            key,
            origin: origin.clone(),
            reason,
        };
        if name.trim().is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(fail(
                "(table name)",
                "a client name may hold only letters, digits, '-', '_' and '.'".to_owned(),
            ));
        }
        if file.key.is_some() {
            return Err(fail(
                "key",
                "the key itself never goes in the file: put its SHA-256 in key_sha256 \
                 (`kommo-mcp new-key` prints both)"
                    .to_owned(),
            ));
        }
        let hex_text = file.key_sha256.ok_or_else(|| {
            fail(
                "key_sha256",
                "missing: every client needs the hex SHA-256 of its key (`kommo-mcp new-key` prints one)"
                    .to_owned(),
            )
        })?;
        let mut key_sha256 = [0u8; 32];
        hex::decode_to_slice(hex_text.trim(), &mut key_sha256).map_err(|_| {
            fail(
                "key_sha256",
                "must be 64 hexadecimal characters (the SHA-256 of the key)".to_owned(),
            )
        })?;
        let names = file.accounts.ok_or_else(|| {
            fail(
                "accounts",
                "missing: list the subdomains this client may act on, or [\"*\"] for any"
                    .to_owned(),
            )
        })?;
        if names.is_empty() {
            return Err(fail(
                "accounts",
                "is empty: list at least one subdomain, or [\"*\"] for any".to_owned(),
            ));
        }
        let accounts =
            Accounts::parse(names.iter().map(String::as_str)).map_err(|e| fail("accounts", e))?;
        let tools = match file.tools {
            None => None,
            Some(FileTools::Text(text)) => {
                Some(ToolSet::parse(&text).map_err(|e| fail("tools", e.to_string()))?)
            }
            Some(FileTools::List(names)) => Some(
                ToolSet::from_names(names.iter().map(String::as_str))
                    .map_err(|e| fail("tools", e.to_string()))?,
            ),
        };
        Ok(ClientEntry {
            name: name.to_owned(),
            key_sha256,
            accounts,
            tools,
            read_only: file.read_only.unwrap_or(false),
            rate_limit: file.rate_limit.filter(|n| *n > 0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ClientEntry, ClientError> {
        let file: FileClient = toml::from_str(text).unwrap();
        ClientEntry::from_file("bot", file, &Source::Default)
    }

    const HASH: &str =
        "key_sha256 = \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"\n";

    #[test]
    fn a_full_table_parses() {
        let entry = parse(&format!(
            "{HASH}accounts = [\"acme\"]\ntools = [\"get_lead\"]\nread_only = true\nrate_limit = 30\n"
        ))
        .unwrap();
        assert_eq!(entry.accounts.to_string(), "acme");
        assert!(entry.read_only);
        assert_eq!(entry.rate_limit, Some(30));
        assert_eq!(entry.tools.unwrap().to_string(), "get_lead");
        let any = parse(&format!("{HASH}accounts = [\"acme\", \"*\"]\n")).unwrap();
        assert_eq!(any.accounts, Accounts::Any);
    }

    #[test]
    fn errors_name_the_table_and_the_key() {
        for (text, key) in [
            ("accounts = [\"acme\"]\n".to_owned(), "key_sha256"),
            (
                "key_sha256 = \"zz\"\naccounts = [\"acme\"]\n".to_owned(),
                "key_sha256",
            ),
            (HASH.to_owned(), "accounts"),
            (format!("{HASH}accounts = []\n"), "accounts"),
            (format!("{HASH}accounts = [\"bad/x\"]\n"), "accounts"),
            (
                format!("{HASH}accounts = [\"a\"]\ntools = \"drop\"\n"),
                "tools",
            ),
            (format!("{HASH}accounts = [\"a\"]\nkey = \"k\"\n"), "key"),
        ] {
            let err = parse(&text).unwrap_err().to_string();
            assert!(err.contains("[clients.bot]"), "{err}");
            assert!(err.contains(&format!("] {key} ")), "{key}: {err}");
        }
    }
}
