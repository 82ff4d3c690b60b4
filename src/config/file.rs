//! The TOML config file: where it lives, what keys it may hold, and how it is read.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use super::{
    ConfigError,
    spec::{Kind, Table, settings},
};

/// `TOOLS_TO_USE` in a file: `tools = ["move_lead"]` or `tools = "move_lead,add_note"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum FileTools {
    List(Vec<String>),
    Text(String),
}

/// The operator's settings for one account it serves (`[accounts.<subdomain>]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAccount {
    pub token: Option<String>,
    pub pause_field_id: Option<i64>,
    pub pause_value: Option<bool>,
    pub message_field_id: Option<i64>,
    pub message_bot_id: Option<i64>,
}

/// The config file as read: the settings' values (checked against [`settings::ALL`]) and
/// the `[accounts.*]` and `[clients.*]` tables.
#[derive(Debug, Clone, Default)]
pub(super) struct FileConfig {
    /// Each setting's value as text, by the setting's argument id.
    pub values: BTreeMap<&'static str, String>,
    pub accounts: BTreeMap<String, FileAccount>,
    pub clients: BTreeMap<String, super::clients::FileClient>,
}

/// The file as TOML gives it, before its keys are checked against the settings.
#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(default)]
    accounts: BTreeMap<String, FileAccount>,
    #[serde(default)]
    clients: BTreeMap<String, super::clients::FileClient>,
    /// `[http]`: the HTTP server's limits.
    #[serde(default)]
    http: BTreeMap<String, FileValue>,
    #[serde(flatten)]
    top: BTreeMap<String, FileValue>,
}

/// One value of a setting in the file, of whichever TOML type was written.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FileValue {
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(String),
    List(Vec<String>),
    Other(serde::de::IgnoredAny),
}

impl FileValue {
    /// The value as the command line would give it, if it has the TOML type `kind` needs.
    fn as_text(&self, kind: Kind) -> Option<String> {
        match (self, kind) {
            (FileValue::Bool(b), Kind::Bool | Kind::Switch) => Some(b.to_string()),
            (FileValue::Integer(n), Kind::Whole | Kind::Seconds) => Some(n.to_string()),
            (FileValue::Float(n), Kind::Seconds) => Some(n.to_string()),
            (FileValue::List(names), Kind::ToolList) => serde_json::to_string(names).ok(),
            (
                FileValue::Text(text),
                Kind::Text
                | Kind::Secret
                | Kind::Path
                | Kind::Address
                | Kind::Url
                | Kind::ToolList
                | Kind::Choice(_),
            ) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FileConfig {
    /// Checks every key against the settings and their TOML types.
    fn from_raw(raw: RawFile, path: &Path, text: &str) -> Result<Self, ConfigError> {
        let mut values = BTreeMap::new();
        for (table, entries) in [(Table::Top, raw.top), (Table::Http, raw.http)] {
            for (key, value) in entries {
                let shown = match table {
                    Table::Http => format!("http.{key}"),
                    _ => key.clone(),
                };
                let invalid = |reason: String| ConfigError::FileInvalid {
                    path: path.to_owned(),
                    reason,
                    line: line_of_key(text, &key),
                };
                let Some(setting) = settings::by_key(table, &key) else {
                    return Err(invalid(format!("unknown key `{shown}`")));
                };
                let Some(text) = value.as_text(setting.kind) else {
                    return Err(invalid(format!(
                        "`{shown}` must be {}",
                        setting.kind.toml_type()
                    )));
                };
                values.insert(setting.id(), text);
            }
        }
        Ok(Self {
            values,
            accounts: raw.accounts,
            clients: raw.clients,
        })
    }
}

/// The default config path: `config.toml` in the platform config directory
/// (`~/.config/kommo-mcp/config.toml` on Linux).
pub(crate) fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kommo-mcp")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Reads the file at `path`. `required` is true when the user named it (flag or env):
/// then a missing file is an error; the default file may be absent.
pub(super) fn load(path: &Path, required: bool) -> Result<Option<FileConfig>, ConfigError> {
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
    let raw: RawFile = toml::from_str(&text).map_err(|err| ConfigError::FileInvalid {
        path: path.to_owned(),
        reason: err.message().to_owned(),
        line: err.span().map(|span| line_of(&text, span.start)),
    })?;
    FileConfig::from_raw(raw, path, &text).map(Some)
}

/// The 1-based line on which `key` is set (`key = …`), if it can be found.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|index| index + 1)
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, text).unwrap();
        let file = load(&path, true).unwrap().unwrap();
        assert_eq!(file.values["tools"], "move_lead, add_note");
        assert_eq!(file.accounts["other"].pause_field_id, Some(7));
        std::fs::write(&path, "tools = [\"move_lead\"]\n[http]\nmax-sessions = 5\n").unwrap();
        let file = load(&path, true).unwrap().unwrap();
        assert_eq!(file.values["tools"], "[\"move_lead\"]");
        assert_eq!(file.values["max-sessions"], "5");
    }
}
