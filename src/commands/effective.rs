//! The effective configuration as `check` prints it: every setting with its value and
//! where the value came from, secrets redacted.

use std::time::Duration;

use crate::{
    config::{Config, Source, Sourced, default_config_path, settings},
    toolset::ToolName,
};

/// One printed row: the setting's config key, its value, and its source.
pub struct Row {
    pub name: String,
    pub value: String,
    pub source: String,
}

/// Every setting, in the order of `settings`, then the config file and `[accounts.*]`.
pub fn rows(config: &Config) -> Vec<Row> {
    fn row<T>(name: &str, value: Option<&Sourced<T>>, show: impl Fn(&T) -> String) -> Row {
        match value {
            Some(sourced) => Row {
                name: name.to_owned(),
                value: show(&sourced.value),
                source: sourced.source.to_string(),
            },
            None => Row {
                name: name.to_owned(),
                value: "(not set)".to_owned(),
                source: String::new(),
            },
        }
    }
    let seconds = |d: &Duration| format!("{} s", d.as_secs_f64());
    let mut rows = vec![
        row(settings::TOKEN.key, config.token.as_ref(), |t| t.redacted()),
        row(settings::SUBDOMAIN.key, config.subdomain.as_ref(), |s| {
            s.as_str().to_owned()
        }),
        row(settings::TOOLS.key, Some(&config.tools), |tools| {
            if tools.is_empty() {
                "(none)".to_owned()
            } else {
                tools
                    .iter()
                    .map(ToolName::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }),
        row(
            settings::PAUSE_FIELD_ID.key,
            config.pause_field_id.as_ref(),
            ToString::to_string,
        ),
        row(
            settings::PAUSE_VALUE.key,
            Some(&config.pause_value),
            ToString::to_string,
        ),
        row(settings::BASE_URL.key, Some(&config.base_url), |b| {
            b.template().to_owned()
        }),
        row(
            settings::RATE_LIMIT.key,
            Some(&config.rate_limit),
            |n| match n {
                0 => "off".to_owned(),
                n => format!("{n} requests/s per account"),
            },
        ),
        row(
            settings::CONNECT_TIMEOUT.key,
            Some(&config.connect_timeout),
            seconds,
        ),
        row(
            settings::REQUEST_TIMEOUT.key,
            Some(&config.request_timeout),
            seconds,
        ),
        row(
            settings::PIPELINES_CACHE.key,
            Some(&config.pipelines_cache),
            seconds,
        ),
        row(settings::REDIS_URL.key, config.redis_url.as_ref(), |url| {
            format!("{} (password redacted)", url.redacted())
        }),
        row(
            settings::REDIS_PREFIX.key,
            Some(&config.redis_prefix),
            |prefix| format!("{prefix:?}"),
        ),
        row(
            settings::REDIS_FALLBACK_RATE.key,
            Some(&config.redis_fallback_rate),
            |n| format!("{n} requests/s per account per replica while Redis is down"),
        ),
        row(
            settings::REDIS_CA_FILE.key,
            config.redis_ca_file.as_ref(),
            |ca| ca.path.display().to_string(),
        ),
        row(settings::AUDIT_LOG.key, config.audit_log.as_ref(), |path| {
            path.display().to_string()
        }),
        row(
            settings::READ_ONLY.key,
            Some(&config.read_only),
            ToString::to_string,
        ),
        row(
            settings::DRY_RUN.key,
            Some(&config.dry_run),
            ToString::to_string,
        ),
        row(settings::NOTE_DEDUPE.key, Some(&config.note_dedupe), |d| {
            if d.is_zero() {
                "off".to_owned()
            } else {
                seconds(d)
            }
        }),
        row(
            settings::MAX_LINE_BYTES.key,
            Some(&config.max_line_bytes),
            |n| format!("{n} bytes"),
        ),
    ];
    let oauth = config.oauth.as_ref();
    rows.extend([
        row(
            settings::OAUTH_ISSUER.key,
            oauth.map(|o| &o.issuer),
            Clone::clone,
        ),
        row(
            settings::PUBLIC_URL.key,
            oauth.map(|o| &o.public_url),
            Clone::clone,
        ),
        match oauth {
            Some(o) if o.audience.is_none() => Row {
                name: settings::OAUTH_AUDIENCE.key.to_owned(),
                value: o.audiences().join(" or "),
                source: Source::Default.to_string(),
            },
            _ => row(
                settings::OAUTH_AUDIENCE.key,
                oauth.and_then(|o| o.audience.as_ref()),
                Clone::clone,
            ),
        },
        row(
            settings::OAUTH_JWKS_URL.key,
            oauth.and_then(|o| o.jwks_url.as_ref()),
            ToString::to_string,
        ),
        row(
            settings::OAUTH_ACCOUNTS_CLAIM.key,
            oauth.and_then(|o| o.accounts_claim.as_ref()),
            Clone::clone,
        ),
    ]);
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
        rows.push(Row {
            name: format!("[accounts.{}]", subdomain.as_str()),
            value: parts.join(", "),
            source: file_source.clone(),
        });
    }
    rows
}

/// The rows as aligned text lines.
pub fn render(rows: &[Row]) -> Vec<String> {
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
