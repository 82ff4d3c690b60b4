//! The effective configuration as `check` prints it: every setting with its value and
//! where the value came from, secrets redacted.

use crate::config::{Config, Source, default_config_path, settings};

/// One printed row: the setting's config key, its value, and its source.
pub(super) struct Row {
    pub name: String,
    pub value: String,
    pub source: String,
}

/// Every setting, in the order of `settings::ALL`, then the config file and `[accounts.*]`.
pub(super) fn rows(config: &Config) -> Vec<Row> {
    let mut rows: Vec<Row> = settings::ALL
        .iter()
        .filter_map(|setting| {
            let name = setting.config_key()?;
            Some(match setting.shown_in(config) {
                Some((value, source)) => Row {
                    name,
                    value,
                    source: source.to_string(),
                },
                None => Row {
                    name,
                    value: "(not set)".to_owned(),
                    source: String::new(),
                },
            })
        })
        .collect();
    rows.push(Row {
        name: "config file".to_owned(),
        value: match (&config.config_file, default_config_path()) {
            (Some(path), _) => path.display().to_string(),
            (None, Some(default)) => format!("(none; {} does not exist)", default.display()),
            (None, None) => "(none)".to_owned(),
        },
        source: String::new(),
    });
    let file_source = config
        .config_file
        .as_ref()
        .map(|path| Source::File(path.clone()).to_string())
        .unwrap_or_default();
    for (subdomain, entry) in &config.accounts {
        let mut parts = Vec::new();
        parts.push(match &entry.token {
            Some(token) => format!("token {}", token.redacted()),
            None => "no token".to_owned(),
        });
        if let Some(id) = entry.pause_field_id {
            parts.push(format!("pause_field_id {id}"));
        }
        if let Some(value) = entry.pause_value {
            parts.push(format!("pause_value {value}"));
        }
        if let Some(id) = entry.message_field_id {
            parts.push(format!("message_field_id {id}"));
        }
        if let Some(id) = entry.message_bot_id {
            parts.push(format!("message_bot_id {id}"));
        }
        rows.push(Row {
            name: format!("[accounts.{}]", subdomain.as_str()),
            value: parts.join(", "),
            source: file_source.clone(),
        });
    }
    rows
}

/// The rows as aligned text lines.
pub(super) fn render(rows: &[Row]) -> Vec<String> {
    let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let value_width = rows
        .iter()
        .filter(|r| !r.source.is_empty())
        .map(|r| r.value.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|row| {
            if row.source.is_empty() {
                format!("  {:<name_width$}  {}", row.name, row.value)
            } else {
                format!(
                    "  {:<name_width$}  {:<value_width$}  ({})",
                    row.name, row.value, row.source
                )
            }
        })
        .collect()
}
