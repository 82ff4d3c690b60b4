//! Turning given text into typed settings, one small function per group: each setting is
//! taken from the command line (flag or environment), else the config file, else its
//! declared default, and parsed and checked the same way whichever it came from.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

use super::{
    AccountEntry, BaseUrl, ClientEntry, ClientError, ConfigError, RawSettings, RedisCa, RedisUrl,
    Source, Sourced, Subdomain, file::FileAccount, invalid, parse_bool, settings, spec::Setting,
};
use crate::{secret::Secret, toolset::ToolSet};

/// Where settings' text comes from: the command line, then the config file.
pub(crate) struct Inputs<'a> {
    raw: &'a RawSettings,
    file: &'a BTreeMap<&'static str, String>,
    pub(crate) file_source: Source,
}

impl<'a> Inputs<'a> {
    pub(crate) fn new(
        raw: &'a RawSettings,
        file: &'a BTreeMap<&'static str, String>,
        file_path: Option<PathBuf>,
    ) -> Self {
        Self {
            raw,
            file,
            file_source: Source::File(file_path.unwrap_or_default()),
        }
    }

    /// The given text and its source, if the command line or the file gave one.
    fn given(&self, setting: &Setting) -> Option<(String, Source)> {
        match self.raw.get(setting) {
            Some(raw) => Some((raw.value.clone(), raw.source.clone())),
            None => self
                .file
                .get(setting.id())
                .map(|text| (text.clone(), self.file_source.clone())),
        }
    }

    /// The setting parsed, if it was given.
    pub(crate) fn optional<T>(
        &self,
        setting: &Setting,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<Sourced<T>>, ConfigError> {
        let Some((text, source)) = self.given(setting) else {
            return Ok(None);
        };
        match parse(&text) {
            Ok(value) => Ok(Some(Sourced::new(value, source))),
            Err(reason) => Err(invalid(setting.name, &source, reason)),
        }
    }

    /// The setting parsed, or its declared default parsed the same way.
    pub(crate) fn or_default<T>(
        &self,
        setting: &Setting,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Sourced<T>, ConfigError> {
        if let Some(value) = self.optional(setting, &parse)? {
            return Ok(value);
        }
        let default = setting.default_value().unwrap_or_default();
        parse(default)
            .map(|value| Sourced::new(value, Source::Default))
            .map_err(|reason| invalid(setting.name, &Source::Default, reason))
    }
}

/// The account the server acts on by default.
pub(crate) struct AccountSettings {
    pub token: Option<Sourced<Secret>>,
    pub subdomain: Option<Sourced<Subdomain>>,
    pub pause_field_id: Option<Sourced<i64>>,
    pub pause_value: Sourced<bool>,
    pub message_field_id: Option<Sourced<i64>>,
    pub message_bot_id: Option<Sourced<i64>>,
    pub base_url: Sourced<BaseUrl>,
}

pub(crate) fn account(inputs: &Inputs) -> Result<AccountSettings, ConfigError> {
    let token = inputs
        .optional(&settings::TOKEN, |s| Ok(Secret::new(s)))?
        .filter(|t| !t.value.expose().is_empty());
    Ok(AccountSettings {
        token,
        subdomain: inputs.optional(&settings::SUBDOMAIN, |s| {
            Subdomain::parse(s).map_err(|e| e.to_string())
        })?,
        pause_field_id: inputs.optional(&settings::PAUSE_FIELD_ID, parse_positive_id)?,
        pause_value: inputs.or_default(&settings::PAUSE_VALUE, parse_bool)?,
        message_field_id: inputs.optional(&settings::MESSAGE_FIELD_ID, parse_positive_id)?,
        message_bot_id: inputs.optional(&settings::MESSAGE_BOT_ID, parse_positive_id)?,
        base_url: inputs.or_default(&settings::BASE_URL, |s| {
            BaseUrl::parse(s).map_err(|e| e.to_string())
        })?,
    })
}

/// Which tools are offered, and how writes behave.
pub(crate) struct ToolSettings {
    pub tools: Sourced<ToolSet>,
    pub read_only: Sourced<bool>,
    pub dry_run: Sourced<bool>,
    pub confirm_tools: Sourced<ToolSet>,
    pub confirm_timeout: Sourced<Duration>,
    pub note_dedupe: Sourced<Duration>,
}

pub(crate) fn tools(inputs: &Inputs) -> Result<ToolSettings, ConfigError> {
    let tools = inputs
        .optional(&settings::TOOLS, |s| {
            ToolSet::parse(s).map_err(|e| e.to_string())
        })?
        .unwrap_or_else(|| Sourced::new(ToolSet::all(), Source::Default));
    Ok(ToolSettings {
        tools,
        read_only: inputs.or_default(&settings::READ_ONLY, parse_bool)?,
        dry_run: inputs.or_default(&settings::DRY_RUN, parse_bool)?,
        confirm_tools: inputs
            .optional(&settings::CONFIRM_TOOLS, parse_confirm_tools)?
            .unwrap_or_else(|| Sourced::new(ToolSet::EMPTY, Source::Default)),
        confirm_timeout: inputs.or_default(&settings::CONFIRM_TIMEOUT, parse_seconds)?,
        note_dedupe: inputs.or_default(&settings::NOTE_DEDUPE, parse_seconds)?,
    })
}

/// How hard kommo-mcp presses on Kommo.
pub(crate) struct KommoLimits {
    pub rate_limit: Sourced<u32>,
    pub connect_timeout: Sourced<Duration>,
    pub request_timeout: Sourced<Duration>,
    pub pipelines_cache: Sourced<Duration>,
    pub coalesce: Sourced<bool>,
    pub batch_size: Sourced<u32>,
}

pub(crate) fn kommo_limits(inputs: &Inputs) -> Result<KommoLimits, ConfigError> {
    Ok(KommoLimits {
        rate_limit: inputs.or_default(&settings::RATE_LIMIT, |s| {
            s.trim().parse::<u32>().map_err(|_| {
                format!(
                    "{s:?} is not a whole number of requests per second (0 turns the limit off)"
                )
            })
        })?,
        connect_timeout: inputs.or_default(&settings::CONNECT_TIMEOUT, parse_seconds)?,
        request_timeout: inputs.or_default(&settings::REQUEST_TIMEOUT, parse_seconds)?,
        pipelines_cache: inputs.or_default(&settings::PIPELINES_CACHE, parse_seconds)?,
        coalesce: inputs.or_default(&settings::COALESCE, parse_bool)?,
        batch_size: inputs.or_default(&settings::BATCH_SIZE, |s| {
            s.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=250).contains(n))
                .ok_or_else(|| format!("{s:?} is not a whole number from 1 to 250"))
        })?,
    })
}

/// The Redis that replicas share.
pub(crate) struct RedisSettings {
    pub url: Option<Sourced<RedisUrl>>,
    pub prefix: Sourced<String>,
    pub fallback_rate: Sourced<u32>,
    pub ca_file: Option<Sourced<RedisCa>>,
}

pub(crate) fn redis(inputs: &Inputs) -> Result<RedisSettings, ConfigError> {
    let url = inputs.optional(&settings::REDIS_URL, |s| {
        RedisUrl::parse(s).map_err(|e| e.to_string())
    })?;
    let ca_file = inputs.optional(&settings::REDIS_CA_FILE, RedisCa::read)?;
    if let Some(ca) = &ca_file
        && !url.as_ref().is_some_and(|url| url.value.is_tls())
    {
        return Err(invalid(
            settings::REDIS_CA_FILE.name,
            &ca.source,
            "it is only used with a rediss:// Redis URL (set redis_url to rediss://…)",
        ));
    }
    Ok(RedisSettings {
        url,
        prefix: inputs.or_default(&settings::REDIS_PREFIX, parse_redis_prefix)?,
        fallback_rate: inputs.or_default(&settings::REDIS_FALLBACK_RATE, |s| {
            match s.trim().parse::<u32>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!(
                    "{s:?} is not a whole number of requests per second of at least 1"
                )),
            }
        })?,
        ca_file,
    })
}

pub(crate) fn audit_log(inputs: &Inputs) -> Result<Option<Sourced<PathBuf>>, ConfigError> {
    inputs.optional(&settings::AUDIT_LOG, |s| {
        if s.trim().is_empty() {
            Err("the path is empty".to_owned())
        } else {
            Ok(PathBuf::from(s))
        }
    })
}

/// Bounds of `max_line_bytes`: room for an `initialize`, and at most 1 GiB.
const MIN_LINE_BYTES: usize = 1024;
const MAX_LINE_BYTES: usize = 1024 * 1024 * 1024;

pub(crate) fn max_line_bytes(inputs: &Inputs) -> Result<Sourced<usize>, ConfigError> {
    inputs.or_default(&settings::MAX_LINE_BYTES, |s| {
        match s.trim().parse::<usize>() {
            Ok(n) if (MIN_LINE_BYTES..=MAX_LINE_BYTES).contains(&n) => Ok(n),
            Ok(_) => Err(format!(
                "must be between {MIN_LINE_BYTES} and {MAX_LINE_BYTES} bytes"
            )),
            Err(_) => Err(format!("{s:?} is not a whole number of bytes")),
        }
    })
}

/// How `serve --http` listens and whom it lets in.
#[derive(Clone, Debug)]
pub(crate) struct ServeSettings {
    pub listen: Sourced<SocketAddr>,
    /// The one shared token every HTTP request must carry, if any.
    pub auth_token: Option<Sourced<Secret>>,
    /// Inbound requests per minute per remote address.
    pub rate_limit_per_ip: Option<Sourced<u32>>,
    /// Where `/metrics` is served alone, without auth.
    pub metrics_listen: Option<Sourced<SocketAddr>>,
}

pub(crate) fn serve(inputs: &Inputs) -> Result<ServeSettings, ConfigError> {
    let auth_token = inputs
        .optional(&settings::AUTH_TOKEN, |s| Ok(Secret::new(s.trim())))?
        .filter(|t| !t.value.expose().is_empty());
    Ok(ServeSettings {
        listen: inputs.or_default(&settings::LISTEN, parse_address)?,
        auth_token,
        rate_limit_per_ip: inputs.optional(&settings::RATE_LIMIT_PER_IP, |s| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| format!("{s:?} is not a whole number of requests per minute"))
        })?,
        metrics_listen: inputs.optional(&settings::METRICS_LISTEN, parse_address)?,
    })
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum LogFormat {
    #[default]
    Text,
    Json,
}

/// What is logged, and how.
#[derive(Clone, Debug)]
pub(crate) struct LogSettings {
    /// The level or filter; `None`: `RUST_LOG`, else the command's default.
    pub level: Option<Sourced<String>>,
    pub format: Sourced<LogFormat>,
}

pub(crate) fn logging(inputs: &Inputs) -> Result<LogSettings, ConfigError> {
    Ok(LogSettings {
        level: inputs.optional(&settings::LOG_LEVEL, |s| Ok(s.trim().to_owned()))?,
        format: inputs.or_default(&settings::LOG_FORMAT, |s| {
            match s.trim().to_ascii_lowercase().as_str() {
                "text" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err(format!("{s:?} is not text or json")),
            }
        })?,
    })
}

/// `[accounts.<subdomain>]`: the operator's own settings for each account.
pub(crate) fn accounts_table(
    file: BTreeMap<String, FileAccount>,
    file_source: &Source,
) -> Result<BTreeMap<Subdomain, AccountEntry>, ConfigError> {
    let mut accounts = BTreeMap::new();
    for (name, entry) in file {
        let subdomain = Subdomain::parse(&name)
            .map_err(|e| invalid("[accounts] table name", file_source, e))?;
        for (key, id) in [
            ("pause_field_id", entry.pause_field_id),
            ("message_field_id", entry.message_field_id),
            ("message_bot_id", entry.message_bot_id),
        ] {
            if matches!(id, Some(id) if id <= 0) {
                return Err(invalid(
                    key,
                    file_source,
                    format!("[accounts.{name}] {key} must be a positive integer"),
                ));
            }
        }
        accounts.insert(
            subdomain,
            AccountEntry {
                token: entry.token.filter(|t| !t.is_empty()).map(Secret::new),
                pause_field_id: entry.pause_field_id,
                pause_value: entry.pause_value,
                message_field_id: entry.message_field_id,
                message_bot_id: entry.message_bot_id,
            },
        );
    }
    Ok(accounts)
}

/// `[clients.<name>]`: the keys HTTP callers present, each its own.
pub(crate) fn clients_table(
    file: BTreeMap<String, super::clients::FileClient>,
    file_source: &Source,
) -> Result<Vec<ClientEntry>, ConfigError> {
    let mut clients: Vec<ClientEntry> = Vec::new();
    for (name, entry) in file {
        let client = ClientEntry::from_file(&name, entry, file_source)?;
        if let Some(other) = clients.iter().find(|c| c.key_sha256 == client.key_sha256) {
            return Err(ClientError {
                client: name,
                key: "key_sha256",
                origin: file_source.clone(),
                reason: format!(
                    "the same key as [clients.{}]: give each client its own key",
                    other.name
                ),
            }
            .into());
        }
        clients.push(client);
    }
    Ok(clients)
}

/// Seconds from 0 to a day, fractions allowed.
/// `confirm_tools`: known tools that write (a read changes nothing to confirm).
fn parse_confirm_tools(text: &str) -> Result<ToolSet, String> {
    let tools = ToolSet::parse(text).map_err(|e| e.to_string())?;
    let readers: Vec<&str> = tools
        .iter()
        .filter(|tool| tool.is_read_only())
        .map(|tool| tool.as_str())
        .collect();
    if readers.is_empty() {
        Ok(tools)
    } else {
        Err(format!(
            "{} only read{} and change{} nothing to confirm; name write tools",
            readers.join(", "),
            if readers.len() == 1 { "s" } else { "" },
            if readers.len() == 1 { "s" } else { "" },
        ))
    }
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let value = text
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if value.is_finite() && (0.0..=86_400.0).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err("must be between 0 and 86400 seconds".to_owned())
    }
}

fn parse_address(text: &str) -> Result<SocketAddr, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not an address such as 127.0.0.1:8080"))
}

/// A key prefix: printable ASCII without spaces, at most 64 characters.
fn parse_redis_prefix(text: &str) -> Result<String, String> {
    if text.len() <= 64 && text.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} must be at most 64 printable ASCII characters without spaces"
        ))
    }
}

fn parse_positive_id(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(format!("{text:?} is not a positive integer")),
    }
}
