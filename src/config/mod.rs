//! Settings: where each one comes from (flag > environment > config file > default) and
//! the resolved, validated configuration every command and transport uses.

mod base_url;
mod clients;
mod file;
mod http_limits;
mod oauth;
mod redis_url;
mod subdomain;

use std::{collections::BTreeMap, fmt, path::PathBuf, time::Duration};

pub use base_url::{BaseUrl, InvalidBaseUrl};
pub use clients::{Accounts, ClientEntry, ClientError};
pub use file::default_path as default_config_path;
pub use http_limits::{HttpLimits, LimitInfo, RawHttpLimits, limits};
pub use oauth::{OAuthSettings, RawOAuth};
pub use redis_url::{InvalidRedisUrl, RedisCa, RedisUrl};
pub use subdomain::{InvalidSubdomain, Subdomain};

use crate::{
    secret::Secret,
    toolset::{ToolListError, ToolSet},
};
use file::FileTools;

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
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}

/// One setting as the command line gave it (from a flag or its environment variable).
#[derive(Clone, Debug)]
pub struct RawValue {
    pub value: String,
    pub source: Source,
}

/// The settings as clap found them, before parsing; `None` when neither the flag nor the
/// environment variable was given.
#[derive(Clone, Debug, Default)]
pub struct RawSettings {
    pub token: Option<RawValue>,
    pub subdomain: Option<RawValue>,
    pub tools: Option<RawValue>,
    pub pause_field_id: Option<RawValue>,
    pub pause_value: Option<RawValue>,
    pub base_url: Option<RawValue>,
    pub rate_limit: Option<RawValue>,
    pub connect_timeout: Option<RawValue>,
    pub request_timeout: Option<RawValue>,
    pub pipelines_cache: Option<RawValue>,
    pub redis_url: Option<RawValue>,
    pub redis_prefix: Option<RawValue>,
    pub redis_fallback_rate: Option<RawValue>,
    pub redis_ca_file: Option<RawValue>,
    pub audit_log: Option<RawValue>,
    pub read_only: Option<RawValue>,
    pub dry_run: Option<RawValue>,
    pub note_dedupe: Option<RawValue>,
    pub max_line_bytes: Option<RawValue>,
    pub config: Option<RawValue>,
    /// The HTTP server's limits (`serve --http`).
    pub http: RawHttpLimits,
    /// OAuth resource-server mode (`serve --http`).
    pub oauth: RawOAuth,
}

/// Names of one setting in every place it can be given; the single table behind `check`,
/// error messages and the documentation.
#[derive(Clone, Copy, Debug)]
pub struct SettingInfo {
    pub key: &'static str,
    pub flag: &'static str,
    pub env: &'static str,
}

macro_rules! setting {
    ($name:ident, $key:literal, $flag:literal, $env:literal) => {
        pub const $name: SettingInfo = SettingInfo {
            key: $key,
            flag: $flag,
            env: $env,
        };
    };
}

pub mod settings {
    use super::SettingInfo;
    setting!(TOKEN, "token", "--token", "KOMMO_LONG_DURATION_TOKEN");
    setting!(
        SUBDOMAIN,
        "subdomain",
        "--subdomain",
        "KOMMO_ACCOUNT_SUBDOMAIN"
    );
    setting!(TOOLS, "tools", "--tools", "TOOLS_TO_USE");
    setting!(
        PAUSE_FIELD_ID,
        "pause_field_id",
        "--pause-field-id",
        "KOMMO_PAUSE_FIELD_ID"
    );
    setting!(
        PAUSE_VALUE,
        "pause_value",
        "--pause-value",
        "KOMMO_PAUSE_VALUE"
    );
    setting!(BASE_URL, "base_url", "--base-url", "KOMMO_BASE_URL");
    setting!(RATE_LIMIT, "rate_limit", "--rate-limit", "KOMMO_RATE_LIMIT");
    setting!(
        MAX_LINE_BYTES,
        "max_line_bytes",
        "--max-line-bytes",
        "KOMMO_MCP_MAX_LINE_BYTES"
    );
    setting!(
        CONNECT_TIMEOUT,
        "connect_timeout",
        "--connect-timeout",
        "KOMMO_CONNECT_TIMEOUT"
    );
    setting!(
        REQUEST_TIMEOUT,
        "request_timeout",
        "--request-timeout",
        "KOMMO_REQUEST_TIMEOUT"
    );
    setting!(
        PIPELINES_CACHE,
        "pipelines_cache",
        "--pipelines-cache",
        "KOMMO_PIPELINES_CACHE"
    );
    setting!(REDIS_URL, "redis_url", "--redis-url", "KOMMO_MCP_REDIS_URL");
    setting!(
        REDIS_PREFIX,
        "redis_prefix",
        "--redis-prefix",
        "KOMMO_MCP_REDIS_PREFIX"
    );
    setting!(
        REDIS_FALLBACK_RATE,
        "redis_fallback_rate",
        "--redis-fallback-rate",
        "KOMMO_MCP_REDIS_FALLBACK_RATE"
    );
    setting!(
        REDIS_CA_FILE,
        "redis_ca_file",
        "--redis-ca-file",
        "KOMMO_MCP_REDIS_CA_FILE"
    );
    setting!(AUDIT_LOG, "audit_log", "--audit-log", "KOMMO_MCP_AUDIT_LOG");
    setting!(READ_ONLY, "read_only", "--read-only", "KOMMO_READ_ONLY");
    setting!(DRY_RUN, "dry_run", "--dry-run", "KOMMO_DRY_RUN");
    setting!(
        NOTE_DEDUPE,
        "note_dedupe",
        "--note-dedupe",
        "KOMMO_NOTE_DEDUPE"
    );
    setting!(
        OAUTH_ISSUER,
        "oauth_issuer",
        "--oauth-issuer",
        "KOMMO_MCP_OAUTH_ISSUER"
    );
    setting!(
        PUBLIC_URL,
        "public_url",
        "--public-url",
        "KOMMO_MCP_PUBLIC_URL"
    );
    setting!(
        OAUTH_AUDIENCE,
        "oauth_audience",
        "--oauth-audience",
        "KOMMO_MCP_OAUTH_AUDIENCE"
    );
    setting!(
        OAUTH_JWKS_URL,
        "oauth_jwks_url",
        "--oauth-jwks-url",
        "KOMMO_MCP_OAUTH_JWKS_URL"
    );
    setting!(
        OAUTH_ACCOUNTS_CLAIM,
        "oauth_accounts_claim",
        "--oauth-accounts-claim",
        "KOMMO_MCP_OAUTH_ACCOUNTS_CLAIM"
    );
    setting!(CONFIG, "-", "--config", "KOMMO_MCP_CONFIG");

    /// Every setting, in the order `check` and the man page list them.
    pub const ALL: [SettingInfo; 25] = [
        TOKEN,
        SUBDOMAIN,
        TOOLS,
        PAUSE_FIELD_ID,
        PAUSE_VALUE,
        BASE_URL,
        RATE_LIMIT,
        CONNECT_TIMEOUT,
        REQUEST_TIMEOUT,
        PIPELINES_CACHE,
        REDIS_URL,
        REDIS_PREFIX,
        REDIS_FALLBACK_RATE,
        REDIS_CA_FILE,
        AUDIT_LOG,
        READ_ONLY,
        DRY_RUN,
        NOTE_DEDUPE,
        MAX_LINE_BYTES,
        OAUTH_ISSUER,
        PUBLIC_URL,
        OAUTH_AUDIENCE,
        OAUTH_JWKS_URL,
        OAUTH_ACCOUNTS_CLAIM,
        CONFIG,
    ];
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
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
pub struct AccountEntry {
    pub token: Option<Secret>,
    pub pause_field_id: Option<i64>,
    pub pause_value: Option<bool>,
}

/// The resolved configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub token: Option<Sourced<Secret>>,
    pub subdomain: Option<Sourced<Subdomain>>,
    pub tools: Sourced<ToolSet>,
    pub pause_field_id: Option<Sourced<i64>>,
    pub pause_value: Sourced<bool>,
    pub base_url: Sourced<BaseUrl>,
    /// Requests per second per Kommo account; 0 turns the limiter off.
    pub rate_limit: Sourced<u32>,
    pub connect_timeout: Sourced<Duration>,
    pub request_timeout: Sourced<Duration>,
    pub pipelines_cache: Sourced<Duration>,
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
}

pub const DEFAULT_RATE_LIMIT: u32 = 7;
const DEFAULT_CONNECT_TIMEOUT: f64 = 5.0;
const DEFAULT_REQUEST_TIMEOUT: f64 = 20.0;
const DEFAULT_PIPELINES_CACHE: f64 = 300.0;
pub const DEFAULT_REDIS_PREFIX: &str = "kommo-mcp:";
pub const DEFAULT_REDIS_FALLBACK_RATE: u32 = 1;
/// The note dedupe window's default, seconds.
pub const DEFAULT_NOTE_DEDUPE: f64 = 120.0;
/// Bounds of `max_line_bytes`: room for an `initialize`, and at most 1 GiB.
const MIN_LINE_BYTES: usize = 1024;
const MAX_LINE_BYTES: usize = 1024 * 1024 * 1024;

impl Config {
    /// Resolves every setting: flag > environment > config file > default.
    pub fn resolve(raw: &RawSettings) -> Result<Config, ConfigError> {
        let (file, file_path) = match &raw.config {
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
        let file = file.unwrap_or_default();
        let file_source = Source::File(file_path.clone().unwrap_or_default());

        let token = pick(&raw.token, file.token.clone(), &file_source, |s| {
            Ok(Secret::new(s))
        })?
        .filter(|t| !t.value.expose().is_empty());
        let subdomain = pick(&raw.subdomain, file.subdomain.clone(), &file_source, |s| {
            Subdomain::parse(&s).map_err(|e| e.to_string())
        })
        .map_err(|e| e.named("subdomain"))?;
        let tools = match &raw.tools {
            Some(given) => Sourced::new(
                parse_tools(&given.value, &given.source)?,
                given.source.clone(),
            ),
            None => match &file.tools {
                Some(FileTools::Text(text)) => {
                    Sourced::new(parse_tools(text, &file_source)?, file_source.clone())
                }
                Some(FileTools::List(names)) => Sourced::new(
                    ToolSet::from_names(names.iter().map(String::as_str))
                        .map_err(|e| invalid("tools", &file_source, e))?,
                    file_source.clone(),
                ),
                None => Sourced::new(ToolSet::all(), Source::Default),
            },
        };
        let pause_field_id = pick(
            &raw.pause_field_id,
            file.pause_field_id,
            &file_source,
            |s| parse_positive_id(&s),
        )
        .map_err(|e| e.named("pause field id"))?;
        let pause_value = pick(&raw.pause_value, file.pause_value, &file_source, |s| {
            parse_bool(&s)
        })
        .map_err(|e| e.named("pause value"))?
        .unwrap_or(Sourced::new(true, Source::Default));
        let base_url = pick(&raw.base_url, file.base_url.clone(), &file_source, |s| {
            BaseUrl::parse(&s).map_err(|e| e.to_string())
        })
        .map_err(|e| e.named("base URL"))?
        .unwrap_or_else(|| Sourced::new(BaseUrl::kommo(), Source::Default));
        let rate_limit = pick(&raw.rate_limit, file.rate_limit, &file_source, |s| {
            s.trim().parse::<u32>().map_err(|_| {
                format!(
                    "{s:?} is not a whole number of requests per second (0 turns the limit off)"
                )
            })
        })
        .map_err(|e| e.named("rate limit"))?
        .unwrap_or(Sourced::new(DEFAULT_RATE_LIMIT, Source::Default));
        let seconds =
            |raw: &Option<RawValue>, file: Option<f64>, default: f64, what: &'static str| {
                pick(raw, file, &file_source, |s| {
                    s.trim()
                        .parse::<f64>()
                        .map_err(|_| format!("{s:?} is not a number of seconds"))
                })
                .map_err(|e| e.named(what))
                .and_then(|value| {
                    let value = value.unwrap_or(Sourced::new(default, Source::Default));
                    if value.value.is_finite() && value.value >= 0.0 && value.value <= 86_400.0 {
                        Ok(Sourced::new(
                            Duration::from_secs_f64(value.value),
                            value.source,
                        ))
                    } else {
                        Err(invalid(
                            what,
                            &value.source,
                            "must be between 0 and 86400 seconds",
                        ))
                    }
                })
            };
        let connect_timeout = seconds(
            &raw.connect_timeout,
            file.connect_timeout,
            DEFAULT_CONNECT_TIMEOUT,
            "connect timeout",
        )?;
        let request_timeout = seconds(
            &raw.request_timeout,
            file.request_timeout,
            DEFAULT_REQUEST_TIMEOUT,
            "request timeout",
        )?;
        let pipelines_cache = seconds(
            &raw.pipelines_cache,
            file.pipelines_cache,
            DEFAULT_PIPELINES_CACHE,
            "pipelines cache",
        )?;
        let redis_url = pick(&raw.redis_url, file.redis_url.clone(), &file_source, |s| {
            RedisUrl::parse(&s).map_err(|e| e.to_string())
        })
        .map_err(|e| e.named("Redis URL"))?;
        let redis_prefix = pick(
            &raw.redis_prefix,
            file.redis_prefix.clone(),
            &file_source,
            |s| parse_redis_prefix(&s),
        )
        .map_err(|e| e.named("Redis prefix"))?
        .unwrap_or_else(|| Sourced::new(DEFAULT_REDIS_PREFIX.to_owned(), Source::Default));
        let redis_fallback_rate = pick(
            &raw.redis_fallback_rate,
            file.redis_fallback_rate,
            &file_source,
            |s| match s.trim().parse::<u32>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!(
                    "{s:?} is not a whole number of requests per second of at least 1"
                )),
            },
        )
        .map_err(|e| e.named("Redis fallback rate"))?
        .unwrap_or(Sourced::new(DEFAULT_REDIS_FALLBACK_RATE, Source::Default));
        let redis_ca_file = pick(
            &raw.redis_ca_file,
            file.redis_ca_file.clone(),
            &file_source,
            |s| RedisCa::read(&s),
        )
        .map_err(|e| e.named("Redis CA file"))?;
        if let Some(ca) = &redis_ca_file
            && !redis_url.as_ref().is_some_and(|url| url.value.is_tls())
        {
            return Err(invalid(
                "Redis CA file",
                &ca.source,
                "it is only used with a rediss:// Redis URL (set redis_url to rediss://…)",
            ));
        }
        let audit_log = pick(&raw.audit_log, file.audit_log.clone(), &file_source, |s| {
            if s.trim().is_empty() {
                Err("the path is empty".to_owned())
            } else {
                Ok(PathBuf::from(s))
            }
        })
        .map_err(|e| e.named("audit log"))?;
        let note_dedupe = seconds(
            &raw.note_dedupe,
            file.note_dedupe,
            DEFAULT_NOTE_DEDUPE,
            "note dedupe",
        )?;
        let flag = |raw: &Option<RawValue>, file: Option<bool>, what: &'static str| {
            pick(raw, file, &file_source, |s| parse_bool(&s))
                .map_err(|e| e.named(what))
                .map(|value| value.unwrap_or(Sourced::new(false, Source::Default)))
        };
        let read_only = flag(&raw.read_only, file.read_only, "read-only mode")?;
        let dry_run = flag(&raw.dry_run, file.dry_run, "dry run")?;
        let max_line_bytes = pick(
            &raw.max_line_bytes,
            file.max_line_bytes,
            &file_source,
            |s| {
                s.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("{s:?} is not a whole number of bytes"))
            },
        )
        .map_err(|e| e.named("max line bytes"))?
        .unwrap_or(Sourced::new(
            crate::transport::stdio::DEFAULT_MAX_LINE_BYTES,
            Source::Default,
        ));
        if !(MIN_LINE_BYTES..=MAX_LINE_BYTES).contains(&max_line_bytes.value) {
            return Err(invalid(
                "max line bytes",
                &max_line_bytes.source,
                format!("must be between {MIN_LINE_BYTES} and {MAX_LINE_BYTES} bytes"),
            ));
        }

        let mut accounts = BTreeMap::new();
        for (name, entry) in file.accounts {
            let subdomain = Subdomain::parse(&name)
                .map_err(|e| invalid("[accounts] table name", &file_source, e))?;
            if matches!(entry.pause_field_id, Some(id) if id <= 0) {
                return Err(invalid(
                    "pause_field_id",
                    &file_source,
                    format!("[accounts.{name}] pause_field_id must be a positive integer"),
                ));
            }
            accounts.insert(
                subdomain,
                AccountEntry {
                    token: entry.token.filter(|t| !t.is_empty()).map(Secret::new),
                    pause_field_id: entry.pause_field_id,
                    pause_value: entry.pause_value,
                },
            );
        }

        let mut clients: Vec<ClientEntry> = Vec::new();
        for (name, entry) in file.clients {
            let client = ClientEntry::from_file(&name, entry, &file_source)?;
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
        let http = HttpLimits::resolve(&raw.http, file.http.as_ref(), &file_source)?;
        let oauth = oauth::resolve(
            &raw.oauth,
            oauth::FileOAuth {
                issuer: file.oauth_issuer,
                public_url: file.public_url,
                audience: file.oauth_audience,
                jwks_url: file.oauth_jwks_url,
                accounts_claim: file.oauth_accounts_claim,
            },
            &file_source,
        )?;

        Ok(Config {
            token,
            subdomain,
            tools,
            pause_field_id,
            pause_value,
            base_url,
            rate_limit,
            connect_timeout,
            request_timeout,
            pipelines_cache,
            redis_url,
            redis_prefix,
            redis_fallback_rate,
            redis_ca_file,
            audit_log,
            read_only,
            dry_run,
            note_dedupe,
            max_line_bytes,
            accounts,
            clients,
            config_file: file_path,
            http,
            oauth,
        })
    }

    /// The accounts the operator named: the server's own, each `[accounts.*]` table, and
    /// those `[clients.*]` keys are limited to. (A request may name any other account;
    /// metrics give those no label value of their own.)
    pub fn configured_accounts(&self) -> std::collections::BTreeSet<String> {
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
    pub fn holds_kommo_token(&self) -> bool {
        self.token
            .as_ref()
            .is_some_and(|token| token.source != Source::Sandbox)
            || self
                .accounts
                .values()
                .any(|account| account.token.is_some())
    }

    /// Points the account settings at a sandbox simulator (`--sandbox`).
    pub fn use_sandbox(
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

/// A parse failure before we know which setting it was for.
struct Unnamed {
    source: Source,
    reason: String,
}

impl Unnamed {
    fn named(self, what: &'static str) -> ConfigError {
        ConfigError::Invalid {
            what,
            origin: self.source,
            reason: self.reason,
        }
    }
}

impl From<Unnamed> for ConfigError {
    fn from(value: Unnamed) -> Self {
        value.named("setting")
    }
}

fn invalid(what: &'static str, source: &Source, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        what,
        origin: source.clone(),
        reason: reason.to_string(),
    }
}

/// Picks the command-line value (flag or env) if given, else the file's, and parses it.
fn pick<T>(
    raw: &Option<RawValue>,
    file: Option<impl ToString>,
    file_source: &Source,
    parse: impl Fn(String) -> Result<T, String>,
) -> Result<Option<Sourced<T>>, Unnamed> {
    let (text, source) = match (raw, file) {
        (Some(given), _) => (given.value.clone(), given.source.clone()),
        (None, Some(value)) => (value.to_string(), file_source.clone()),
        (None, None) => return Ok(None),
    };
    match parse(text) {
        Ok(value) => Ok(Some(Sourced::new(value, source))),
        Err(reason) => Err(Unnamed { source, reason }),
    }
}

fn parse_tools(text: &str, source: &Source) -> Result<ToolSet, ConfigError> {
    ToolSet::parse(text).map_err(|e: ToolListError| invalid("tools (TOOLS_TO_USE)", source, e))
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

pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("{text:?} is not true or false")),
    }
}
