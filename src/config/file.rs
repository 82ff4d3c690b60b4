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
    pub max_line_bytes: Option<usize>,
    #[serde(default)]
    pub accounts: BTreeMap<String, FileAccount>,
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
            line: err
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1)),
        })
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
