//! Settings: where each one comes from (flag > environment > config file > default) and
//! the resolved, validated configuration every command and transport uses.

mod base_url;
mod clients;
mod file;
mod http_limits;
mod oauth;
mod redis_url;
mod resolve;
mod shown;
mod spec;
mod subdomain;

use std::{collections::BTreeMap, fmt, path::PathBuf, time::Duration};

pub(crate) use base_url::BaseUrl;
pub(crate) use clients::{Accounts, ClientEntry, ClientError};
pub(crate) use file::default_path as default_config_path;
pub(crate) use http_limits::HttpLimits;
pub(crate) use oauth::OAuthSettings;
pub(crate) use redis_url::RedisCa;
pub use redis_url::RedisUrl;
pub(crate) use resolve::{LogFormat, LogSettings, ServeSettings};
pub(crate) use spec::DefaultValue;
pub use spec::{Heading, Kind, Setting, Table, Takes, settings};
pub(crate) use subdomain::Subdomain;

use crate::{secret::Secret, toolset::ToolSet};

/// Where a setting's value came from; `check` prints it next to the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    File(PathBuf),
    Sandbox,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::File(path) => write!(f, "file {}", path.display()),
            Source::Sandbox => f.write_str("sandbox"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value together with where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub(crate) fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}

/// One setting as the command line gave it (from a flag or its environment variable).
#[derive(Clone, Debug)]
pub struct RawValue {
    pub value: String,
    pub source: Source,
}

/// The settings as the command line gave them (flag or environment variable), by
/// [`Setting::id`]; a setting neither gave is absent.
#[derive(Clone, Debug, Default)]
pub struct RawSettings(BTreeMap<&'static str, RawValue>);

impl RawSettings {
    pub fn get(&self, setting: &Setting) -> Option<&RawValue> {
        self.0.get(setting.id())
    }

    pub fn set(&mut self, setting: &Setting, value: RawValue) {
        self.0.insert(setting.id(), value);
    }

    /// Lays `other` over these: its flags win, and it fills in what these lack.
    pub fn overlay(&mut self, other: &RawSettings) {
        for (id, value) in &other.0 {
            let keep_mine = self
                .0
                .get(id)
                .is_some_and(|mine| mine.source == Source::Flag && value.source != Source::Flag);
            if !keep_mine {
                self.0.insert(id, value.clone());
            }
        }
    }

    /// Keeps only the settings in `takes` (those a subcommand uses).
    pub fn retain(&mut self, takes: Takes) {
        self.0.retain(|id, _| {
            settings::ALL
                .iter()
                .any(|s| s.id() == *id && s.takes.0 & takes.0 != 0)
        });
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("cannot read config file {path}: {reason}")]
    FileUnreadable { path: PathBuf, reason: String },
    #[error("invalid config file {path}{}: {reason}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    FileInvalid {
        path: PathBuf,
        reason: String,
        line: Option<usize>,
    },
    #[error("invalid {what} from {origin}: {reason}")]
    Invalid {
        what: &'static str,
        origin: Source,
        reason: String,
    },
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// The operator's own settings for one account (`[accounts.<subdomain>]`).
#[derive(Clone, Debug, Default)]
pub(crate) struct AccountEntry {
    pub token: Option<Secret>,
    pub pause_field_id: Option<i64>,
    pub pause_value: Option<bool>,
    /// send_message's text field and Salesbot for this account.
    pub message_field_id: Option<i64>,
    pub message_bot_id: Option<i64>,
}

/// The resolved configuration.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub token: Option<Sourced<Secret>>,
    pub subdomain: Option<Sourced<Subdomain>>,
    pub tools: Sourced<ToolSet>,
    pub pause_field_id: Option<Sourced<i64>>,
    pub pause_value: Sourced<bool>,
    /// send_message's text field and Salesbot (the server's own account).
    pub message_field_id: Option<Sourced<i64>>,
    pub message_bot_id: Option<Sourced<i64>>,
    pub base_url: Sourced<BaseUrl>,
    /// Requests per second per Kommo account; 0 turns the limiter off.
    pub rate_limit: Sourced<u32>,
    pub connect_timeout: Sourced<Duration>,
    pub request_timeout: Sourced<Duration>,
    pub pipelines_cache: Sourced<Duration>,
    /// Merge waiting calls into Kommo's batch requests.
    pub coalesce: Sourced<bool>,
    /// Most elements in one coalesced request.
    pub batch_size: Sourced<u32>,
    /// The Redis that replicas share (limiter, pauses, sessions); `None`: in-process only.
    pub redis_url: Option<Sourced<RedisUrl>>,
    /// Every Redis key starts with this.
    pub redis_prefix: Sourced<String>,
    /// Requests per second per account while Redis is unreachable.
    pub redis_fallback_rate: Sourced<u32>,
    /// The CA certificates (PEM) a `rediss://` Redis's certificate is checked against,
    /// instead of the web PKI roots (a private CA).
    pub redis_ca_file: Option<Sourced<RedisCa>>,
    /// Where write attempts are recorded (`--audit-log`), if anywhere.
    pub audit_log: Option<Sourced<PathBuf>>,
    /// Only the read-only tools are offered and callable.
    pub read_only: Sourced<bool>,
    /// Every write is a dry run: checked, then not sent.
    pub dry_run: Sourced<bool>,
    /// Write tools that ask the user (`elicitation/create`) before anything is sent.
    pub confirm_tools: Sourced<ToolSet>,
    /// How long such a write waits for the user's answer.
    pub confirm_timeout: Sourced<Duration>,
    /// How long a confirmed note is remembered against retries; zero turns it off.
    pub note_dedupe: Sourced<Duration>,
    /// Longest stdin line in stdio mode, in bytes.
    pub max_line_bytes: Sourced<usize>,
    pub accounts: BTreeMap<Subdomain, AccountEntry>,
    /// `[clients.<name>]`: the keys HTTP callers present (none: no client keys).
    pub clients: Vec<ClientEntry>,
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// The HTTP server's limits.
    pub http: HttpLimits,
    /// OAuth resource-server mode: `None` unless `--oauth-issuer` is set.
    pub oauth: Option<OAuthSettings>,
    /// How `serve --http` listens and whom it lets in.
    pub serve: ServeSettings,
    pub logging: LogSettings,
}

/// The default of `max_line_bytes` (`settings::MAX_LINE_BYTES`), for code that needs it
/// as a number; a test checks that the two agree.
pub const DEFAULT_MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

impl Config {
    /// Resolves every setting: flag > environment > config file > default.
    pub(crate) fn resolve(raw: &RawSettings) -> Result<Config, ConfigError> {
        let (file, file_path) = load_file(raw)?;
        let inputs = resolve::Inputs::new(raw, &file.values, file_path.clone());
        let account = resolve::account(&inputs)?;
        let tools = resolve::tools(&inputs)?;
        let kommo = resolve::kommo_limits(&inputs)?;
        let redis = resolve::redis(&inputs)?;
        let accounts = resolve::accounts_table(file.accounts, &inputs.file_source)?;
        let clients = resolve::clients_table(file.clients, &inputs.file_source)?;
        Ok(Config {
            token: account.token,
            subdomain: account.subdomain,
            tools: tools.tools,
            pause_field_id: account.pause_field_id,
            pause_value: account.pause_value,
            message_field_id: account.message_field_id,
            message_bot_id: account.message_bot_id,
            base_url: account.base_url,
            rate_limit: kommo.rate_limit,
            connect_timeout: kommo.connect_timeout,
            request_timeout: kommo.request_timeout,
            pipelines_cache: kommo.pipelines_cache,
            coalesce: kommo.coalesce,
            batch_size: kommo.batch_size,
            redis_url: redis.url,
            redis_prefix: redis.prefix,
            redis_fallback_rate: redis.fallback_rate,
            redis_ca_file: redis.ca_file,
            audit_log: resolve::audit_log(&inputs)?,
            read_only: tools.read_only,
            dry_run: tools.dry_run,
            confirm_tools: tools.confirm_tools,
            confirm_timeout: tools.confirm_timeout,
            note_dedupe: tools.note_dedupe,
            max_line_bytes: resolve::max_line_bytes(&inputs)?,
            accounts,
            clients,
            config_file: file_path,
            http: http_limits::resolve(&inputs)?,
            oauth: oauth::resolve(&inputs)?,
            serve: resolve::serve(&inputs)?,
            logging: resolve::logging(&inputs)?,
        })
    }

    /// Only the logging settings, from the command line alone (for the subcommands that
    /// read no config file).
    pub(crate) fn logging_from_command_line(raw: &RawSettings) -> Result<LogSettings, ConfigError> {
        let no_file = BTreeMap::new();
        resolve::logging(&resolve::Inputs::new(raw, &no_file, None))
    }

    /// The accounts the operator named: the server's own, each `[accounts.*]` table, and
    /// those `[clients.*]` keys are limited to. (A request may name any other account;
    /// metrics give those no label value of their own.)
    pub(crate) fn configured_accounts(&self) -> std::collections::BTreeSet<String> {
        let clients = self
            .clients
            .iter()
            .flat_map(|client| match &client.accounts {
                Accounts::Any => Vec::new(),
                Accounts::Only(set) => set.iter().collect(),
            });
        self.subdomain
            .iter()
            .map(|own| &own.value)
            .chain(self.accounts.keys())
            .chain(clients)
            .map(|subdomain| subdomain.as_str().to_owned())
            .collect()
    }

    /// Whether the server holds a real Kommo token of its own (a sandbox token does not count).
    pub(crate) fn holds_kommo_token(&self) -> bool {
        self.token
            .as_ref()
            .is_some_and(|token| token.source != Source::Sandbox)
            || self
                .accounts
                .values()
                .any(|account| account.token.is_some())
    }

    /// Points the account settings at a sandbox simulator (`--sandbox`).
    #[cfg(feature = "sandbox")]
    pub(crate) fn use_sandbox(
        &mut self,
        base_url: BaseUrl,
        subdomain: Subdomain,
        token: Secret,
        pause_field_id: i64,
    ) {
        self.base_url = Sourced::new(base_url, Source::Sandbox);
        self.subdomain = Some(Sourced::new(subdomain, Source::Sandbox));
        self.token = Some(Sourced::new(token, Source::Sandbox));
        self.pause_field_id = Some(Sourced::new(pause_field_id, Source::Sandbox));
    }
}

pub(crate) fn invalid(what: &'static str, source: &Source, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        what,
        origin: source.clone(),
        reason: reason.to_string(),
    }
}

/// Reads the config file named by `--config` / `KOMMO_MCP_CONFIG`, else the default one
/// if it exists.
fn load_file(raw: &RawSettings) -> Result<(file::FileConfig, Option<PathBuf>), ConfigError> {
    let (file, path) = match raw.get(&settings::CONFIG) {
        Some(named) => {
            let path = PathBuf::from(&named.value);
            (file::load(&path, true)?, Some(path))
        }
        None => match default_config_path() {
            Some(path) => {
                let file = file::load(&path, false)?;
                let path = file.as_ref().map(|_| path);
                (file, path)
            }
            None => (None, None),
        },
    };
    Ok((file.unwrap_or_default(), path))
}

pub(crate) fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("{text:?} is not true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_default_of_max_line_bytes_is_the_declared_one() {
        assert_eq!(
            settings::MAX_LINE_BYTES.default_value(),
            Some(DEFAULT_MAX_LINE_BYTES.to_string().as_str())
        );
    }
}
