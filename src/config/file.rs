//! The TOML config file: where it lives, what keys it may hold, and how it is read.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use super::ConfigError;

/// `TOOLS_TO_USE` in a file: `tools = ["move_lead"]` or `tools = "move_lead,add_note"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FileTools {
    List(Vec<String>),
    Text(String),
}

/// The operator's settings for one account it serves (`[accounts.<subdomain>]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAccount {
    pub token: Option<String>,
    pub pause_field_id: Option<i64>,
    pub pause_value: Option<bool>,
}

/// Every key the config file may hold. Unknown keys are an error, so a typo is never
/// silently ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub token: Option<String>,
    pub subdomain: Option<String>,
    pub tools: Option<FileTools>,
    pub pause_field_id: Option<i64>,
    pub pause_value: Option<bool>,
    pub base_url: Option<String>,
    pub rate_limit: Option<u32>,
    pub connect_timeout: Option<f64>,
    pub request_timeout: Option<f64>,
    pub pipelines_cache: Option<f64>,
    pub redis_url: Option<String>,
    pub redis_prefix: Option<String>,
    pub redis_fallback_rate: Option<u32>,
    pub redis_ca_file: Option<String>,
    pub audit_log: Option<String>,
    pub read_only: Option<bool>,
    pub dry_run: Option<bool>,
    pub note_dedupe: Option<f64>,
    pub max_line_bytes: Option<usize>,
    pub oauth_issuer: Option<String>,
    pub public_url: Option<String>,
    pub oauth_audience: Option<String>,
    pub oauth_jwks_url: Option<String>,
    pub oauth_accounts_claim: Option<String>,
    #[serde(default)]
    pub accounts: BTreeMap<String, FileAccount>,
    #[serde(default)]
    pub clients: BTreeMap<String, super::clients::FileClient>,
    /// `[http]`: the HTTP server's limits.
    pub http: Option<super::http_limits::FileHttpLimits>,
}

/// The default config path: `config.toml` in the platform config directory
/// (`~/.config/kommo-mcp/config.toml` on Linux).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kommo-mcp")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Reads the file at `path`. `required` is true when the user named it (flag or env):
/// then a missing file is an error; the default file may be absent.
pub fn load(path: &Path, required: bool) -> Result<Option<FileConfig>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
        Err(err) => {
            return Err(ConfigError::FileUnreadable {
                path: path.to_owned(),
                reason: err.to_string(),
            });
        }
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|err| ConfigError::FileInvalid {
            path: path.to_owned(),
            reason: err.message().to_owned(),
            line: err.span().map(|span| line_of(&text, span.start)),
        })
}

/// The 1-based line that byte offset `at` of `text` falls on.
fn line_of(text: &str, at: usize) -> usize {
    let before = text.get(..at).unwrap_or(text);
    before.matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "subdomain = \"x\"\ntokn = \"y\"\n").unwrap();
        let err = load(&path, true).unwrap_err().to_string();
        assert!(err.contains("tokn"), "{err}");
        assert!(err.contains("c.toml"), "{err}");
    }

    #[test]
    fn errors_name_the_line_they_are_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        for (text, line) in [
            ("token = \"t\"\nsubdomian = \"x\"\n", 2),
            ("subdomian = \"x\"\n", 1),
            ("# comment\n\ntoken = \"t\"\nrate_limit = \"fast\"\n", 4),
            (
                "token = \"t\"\n[accounts.other]\ntoken = \"u\"\npause_feld_id = 7\n",
                4,
            ),
            ("token = \"t\"\nsubdomain = \n", 2),
        ] {
            std::fs::write(&path, text).unwrap();
            match load(&path, true).unwrap_err() {
                ConfigError::FileInvalid { line: got, .. } => {
                    assert_eq!(got, Some(line), "for {text:?}");
                }
                other => panic!("unexpected error {other}"),
            }
        }
    }

    #[test]
    fn line_of_counts_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
        assert_eq!(line_of("a", 99), 1);
    }

    #[test]
    fn missing_default_file_is_fine_but_named_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.toml");
        assert!(load(&path, false).unwrap().is_none());
        assert!(
            load(&path, true)
                .unwrap_err()
                .to_string()
                .contains("absent.toml")
        );
    }

    #[test]
    fn accounts_tables_and_both_tool_forms_parse() {
        let text = "tools = \"move_lead, add_note\"\n[accounts.other]\ntoken = \"t\"\npause_field_id = 7\n";
        let file: FileConfig = toml::from_str(text).unwrap();
        assert!(matches!(file.tools, Some(FileTools::Text(_))));
        assert_eq!(file.accounts["other"].pause_field_id, Some(7));
        let file: FileConfig = toml::from_str("tools = [\"move_lead\"]").unwrap();
        assert!(matches!(file.tools, Some(FileTools::List(_))));
    }
}
