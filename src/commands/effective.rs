//! The effective configuration as `check` prints it: every setting with its value and
//! where the value came from, secrets redacted.

use std::time::Duration;

use crate::{
    config::{Config, LogFormat, Setting, Source, Sourced, default_config_path, settings},
    secret::Secret,
    toolset::ToolName,
};

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
            Some(match shown(config, setting) {
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

/// A setting's value as `check` shows it (secrets redacted) and where it came from; `None`
/// when it is not set.
fn shown(config: &Config, setting: &Setting) -> Option<(String, Source)> {
    fn show<T>(
        value: Option<&Sourced<T>>,
        text: impl Fn(&T) -> String,
    ) -> Option<(String, Source)> {
        value.map(|sourced| (text(&sourced.value), sourced.source.clone()))
    }
    let seconds = |d: &Duration| format!("{} s", d.as_secs_f64());
    let count = |n: &usize| n.to_string();
    let http = &config.http;
    let oauth = config.oauth.as_ref();
    let serve = &config.serve;
    match setting.id() {
        "token" => show(config.token.as_ref(), Secret::redacted),
        "subdomain" => show(config.subdomain.as_ref(), |s| s.as_str().to_owned()),
        "tools" => show(Some(&config.tools), |tools| {
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
        "pause-field-id" => show(config.pause_field_id.as_ref(), ToString::to_string),
        "pause-value" => show(Some(&config.pause_value), ToString::to_string),
        "message-field-id" => show(config.message_field_id.as_ref(), ToString::to_string),
        "message-bot-id" => show(config.message_bot_id.as_ref(), ToString::to_string),
        "base-url" => show(Some(&config.base_url), |b| b.template().to_owned()),
        "rate-limit" => show(Some(&config.rate_limit), |n| match n {
            0 => "off".to_owned(),
            n => format!("{n} requests/s per account"),
        }),
        "coalesce" => show(Some(&config.coalesce), |on| match on {
            true => "on: calls waiting for the rate limit share batch requests".to_owned(),
            false => "off: one Kommo request per call".to_owned(),
        }),
        "batch-size" => show(Some(&config.batch_size), |n| {
            format!("{n} elements per batch")
        }),
        "connect-timeout" => show(Some(&config.connect_timeout), seconds),
        "request-timeout" => show(Some(&config.request_timeout), seconds),
        "pipelines-cache" => show(Some(&config.pipelines_cache), seconds),
        "redis-url" => show(config.redis_url.as_ref(), |url| {
            format!("{} (password redacted)", url.redacted())
        }),
        "redis-prefix" => show(Some(&config.redis_prefix), |prefix| format!("{prefix:?}")),
        "redis-fallback-rate" => show(Some(&config.redis_fallback_rate), |n| {
            format!("{n} requests/s per account per replica while Redis is down")
        }),
        "redis-ca-file" => show(config.redis_ca_file.as_ref(), |ca| {
            ca.path.display().to_string()
        }),
        "audit-log" => show(config.audit_log.as_ref(), |path| path.display().to_string()),
        "read-only" => show(Some(&config.read_only), ToString::to_string),
        "dry-run" => show(Some(&config.dry_run), ToString::to_string),
        "confirm-tools" => show(Some(&config.confirm_tools), |tools| {
            if tools.is_empty() {
                "none: no write asks the user first".to_owned()
            } else {
                format!("{tools} ask the user first when the client supports elicitation")
            }
        }),
        "confirm-timeout" => show(Some(&config.confirm_timeout), seconds),
        "note-dedupe" => show(Some(&config.note_dedupe), |d| {
            if d.is_zero() {
                "off".to_owned()
            } else {
                seconds(d)
            }
        }),
        "max-line-bytes" => show(Some(&config.max_line_bytes), |n| format!("{n} bytes")),
        "listen" => show(Some(&serve.listen), ToString::to_string),
        "auth-token" => show(serve.auth_token.as_ref(), Secret::redacted),
        "rate-limit-per-ip" => show(serve.rate_limit_per_ip.as_ref(), |n| {
            format!("{n} requests/min per address")
        }),
        "metrics-listen" => show(serve.metrics_listen.as_ref(), ToString::to_string),
        "max-body-bytes" => show(Some(&http.max_body_bytes), |n| format!("{n} bytes")),
        "max-json-depth" => show(Some(&http.max_json_depth), count),
        "max-json-values" => show(Some(&http.max_json_values), count),
        "max-sessions" => show(Some(&http.max_sessions), count),
        "session-idle-timeout" => show(Some(&http.session_idle_timeout), seconds),
        "header-read-timeout" => show(Some(&http.header_read_timeout), seconds),
        "body-read-timeout" => show(Some(&http.body_read_timeout), seconds),
        "max-connections" => show(Some(&http.max_connections), count),
        "max-sessions-per-caller" => show(Some(&http.max_sessions_per_caller), count),
        "max-streams-per-caller" => show(Some(&http.max_streams_per_caller), count),
        "max-calls-per-caller" => show(Some(&http.max_calls_per_caller), count),
        "oauth-issuer" => show(oauth.map(|o| &o.issuer), Clone::clone),
        "public-url" => show(oauth.map(|o| &o.public_url), Clone::clone),
        "oauth-audience" => match oauth {
            Some(o) if o.audience.is_none() => Some((o.audiences().join(" or "), Source::Default)),
            _ => show(oauth.and_then(|o| o.audience.as_ref()), Clone::clone),
        },
        "oauth-jwks-url" => show(oauth.and_then(|o| o.jwks_url.as_ref()), ToString::to_string),
        "oauth-accounts-claim" => show(oauth.and_then(|o| o.accounts_claim.as_ref()), Clone::clone),
        "log-level" => show(config.logging.level.as_ref(), Clone::clone),
        "log-format" => show(Some(&config.logging.format), |format| {
            match format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            }
            .to_owned()
        }),
        _ => Some((
            "(check cannot show this setting yet)".to_owned(),
            Source::Default,
        )),
    }
}
