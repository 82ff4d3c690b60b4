//! The one declaration of every setting: config-file key, flag, environment variable,
//! default, help, heading, the subcommands that take it, how its value is read and how
//! `check` shows it. The clap arguments, the config file's keys, `check`'s report, the man
//! page and `docs/configuration.md` are all made from [`settings::ALL`].

use super::{
    Config,
    shown::{self, Shown},
};

/// Where a setting sits in the config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// A key at the top level of the file.
    Top,
    /// A key of the `[http]` table.
    Http,
    /// Not in the file (the file's own path).
    NotInFile,
}

/// How a value is written on the command line and in the file, and how it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Free text (a TOML string).
    Text,
    /// Text never printed: `check` shows only its length.
    Secret,
    /// `true` or `false` (also 1/0, yes/no, on/off on the command line).
    Bool,
    /// A boolean whose flag may stand alone (`--read-only` means `--read-only=true`).
    Switch,
    /// A whole number (a TOML integer).
    Whole,
    /// A number of seconds, fractions allowed (a TOML integer or float).
    Seconds,
    /// A file path.
    Path,
    /// A socket address, `IP:PORT`.
    Address,
    /// A URL.
    Url,
    /// Tool names: a JSON array or comma-separated text (a TOML array or string).
    ToolList,
    /// One of a few words.
    Choice(&'static [&'static str]),
}

impl Kind {
    /// The TOML type the config file must use for this kind.
    pub fn toml_type(self) -> &'static str {
        match self {
            Kind::Bool | Kind::Switch => "a boolean",
            Kind::Whole => "an integer",
            Kind::Seconds => "a number",
            Kind::ToolList => "an array of tool names or a string",
            _ => "a string",
        }
    }
}

/// A setting's default, as help and documentation show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultValue {
    /// No value unless given.
    None,
    /// This value, read exactly as if it had been given.
    Value(&'static str),
    /// A behaviour described in words (e.g. "all tools").
    Described(&'static str),
}

/// The groups of `--help`, the man page and `docs/configuration.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heading {
    Account,
    Tools,
    KommoLimits,
    Configuration,
    Logging,
    Http,
    HttpLimits,
    Replicas,
    Operating,
    OAuth,
}

impl Heading {
    /// Every heading, in the order documentation lists them.
    pub const ALL: [Heading; 10] = [
        Heading::Account,
        Heading::Tools,
        Heading::KommoLimits,
        Heading::Configuration,
        Heading::Logging,
        Heading::Http,
        Heading::HttpLimits,
        Heading::OAuth,
        Heading::Replicas,
        Heading::Operating,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Heading::Account => "Kommo account",
            Heading::Tools => "Tools",
            Heading::KommoLimits => "Kommo limits",
            Heading::Configuration => "Configuration",
            Heading::Logging => "Logging",
            Heading::Http => "HTTP server (serve --http)",
            Heading::HttpLimits => "HTTP limits",
            Heading::Replicas => "Several replicas (Redis)",
            Heading::Operating => "Operating (metrics, audit)",
            Heading::OAuth => "OAuth resource server (serve --http)",
        }
    }
}

/// The subcommands that take a setting (a set of bits). The form without a subcommand
/// means `serve`, and takes every setting so that any may come before a subcommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Takes(pub u16);

impl Takes {
    pub const SERVE: Takes = Takes(1);
    pub const CALL: Takes = Takes(2);
    pub const TOOLS: Takes = Takes(4);
    pub const CHECK: Takes = Takes(8);
    pub const SANDBOX: Takes = Takes(16);
    pub const SIMULATOR: Takes = Takes(32);
    /// Every subcommand that reads the config file and builds the tools.
    pub const TOOL_COMMANDS: Takes = Takes(1 | 2 | 4 | 8);
    /// The subcommands that send requests to Kommo.
    pub const KOMMO_COMMANDS: Takes = Takes(1 | 2 | 8);
    /// `serve`, and `check`, which reports it.
    pub const SERVE_AND_CHECK: Takes = Takes(1 | 8);
    /// Every subcommand that logs.
    pub const LOGGING_COMMANDS: Takes = Takes(1 | 2 | 4 | 8 | 16 | 32);
    /// The top level (no subcommand): every setting.
    pub const TOP: Takes = Takes(u16::MAX);

    /// Each subcommand as (name, bit), in the order documentation lists them.
    pub const SUBCOMMANDS: [(&'static str, Takes); 5] = [
        ("serve", Takes::SERVE),
        ("call", Takes::CALL),
        ("tools", Takes::TOOLS),
        ("check", Takes::CHECK),
        ("sandbox", Takes::SANDBOX),
    ];

    pub const fn contains(self, other: Takes) -> bool {
        self.0 & other.0 == other.0
    }

    /// The bit of a subcommand by name (`None` for one that takes no setting).
    pub fn of_subcommand(name: &str) -> Option<Takes> {
        match name {
            "simulator" => Some(Takes::SIMULATOR),
            _ => Takes::SUBCOMMANDS
                .iter()
                .find(|(sub, _)| *sub == name)
                .map(|(_, takes)| *takes),
        }
    }

    /// The visible subcommands in this set, e.g. `["serve", "check"]`.
    pub fn names(self) -> Vec<&'static str> {
        Takes::SUBCOMMANDS
            .iter()
            .filter(|(_, bit)| self.contains(*bit))
            .map(|(name, _)| *name)
            .collect()
    }
}

/// One setting, declared once.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// Key in the config file (in `[http]` when `table` is `Http`).
    pub key: &'static str,
    pub table: Table,
    pub flag: &'static str,
    pub env: &'static str,
    /// What error messages call it, e.g. "rate limit".
    pub name: &'static str,
    pub value_name: &'static str,
    pub kind: Kind,
    pub default: DefaultValue,
    /// One sentence or two for `--help`; the default, the config key and the environment
    /// variable are added where it is shown.
    pub help: &'static str,
    pub heading: Heading,
    pub takes: Takes,
    /// With `serve`, a flag given without `--http` is a usage error.
    pub needs_http: bool,
    /// Other settings (keys) that must be set for this one to be accepted.
    pub requires: &'static [&'static str],
    /// A valid value, used by the documentation and by the test that gives every setting
    /// through each source. `{dir}` stands for a directory that holds `ca.pem` (a CA
    /// certificate) and `config.toml`.
    pub example: &'static str,
    /// How `check` reads its resolved value from [`Config`]: the value in words (secrets
    /// redacted) and its source, `None` when it is not set.
    pub(crate) shown: fn(&Config) -> Shown,
}

impl Setting {
    /// The key as the documentation names it: `rate_limit`, `http.max-body-bytes`.
    pub fn config_key(&self) -> Option<String> {
        match self.table {
            Table::Top => Some(self.key.to_owned()),
            Table::Http => Some(format!("http.{}", self.key)),
            Table::NotInFile => None,
        }
    }

    /// How the flag is written with its value: `--rate-limit N`, or `--read-only[=BOOL]`
    /// for a switch (given alone it means true; a value must follow an `=`).
    pub fn flag_usage(&self) -> String {
        let (open, close) = self.value_brackets();
        format!("{}{open}{}{close}", self.flag, self.value_name)
    }

    /// What goes before and after the value name in [`Setting::flag_usage`].
    pub fn value_brackets(&self) -> (&'static str, &'static str) {
        match self.kind {
            Kind::Switch => ("[=", "]"),
            _ => (" ", ""),
        }
    }

    /// The clap argument id.
    pub fn id(&self) -> &'static str {
        self.flag.trim_start_matches("--")
    }

    /// The help text with its default and config key, as `--help` shows it.
    pub fn help_line(&self) -> String {
        let mut line = self.help.to_owned();
        match self.default {
            DefaultValue::None => {}
            DefaultValue::Value(value) | DefaultValue::Described(value) => {
                line.push_str(&format!(" [default: {value}]"));
            }
        }
        if let Some(key) = self.config_key() {
            line.push_str(&format!(" [config: {key}]"));
        }
        line
    }

    /// Its value in `config` as `check` shows it, and where it came from.
    pub(crate) fn shown_in(&self, config: &Config) -> Shown {
        (self.shown)(config)
    }

    /// The default value to read when nothing is given (not a described default).
    pub fn default_value(&self) -> Option<&'static str> {
        match self.default {
            DefaultValue::Value(value) => Some(value),
            _ => None,
        }
    }
}

/// The field every declaration starts from.
const BASE: Setting = Setting {
    key: "",
    table: Table::Top,
    flag: "",
    env: "",
    name: "",
    value_name: "VALUE",
    kind: Kind::Text,
    default: DefaultValue::None,
    help: "",
    heading: Heading::Account,
    takes: Takes::TOOL_COMMANDS,
    needs_http: false,
    requires: &[],
    example: "",
    shown: shown::cannot_show,
};

/// The settings, each in one place.
pub mod settings {
    use super::{BASE, DefaultValue, Heading, Kind, Setting, Table, Takes};
    use crate::{
        config::{
            LogFormat, Source,
            shown::{bytes, seconds, show},
        },
        secret::Secret,
        toolset::ToolName,
    };

    const OAUTH_BASE: Setting = Setting {
        heading: Heading::OAuth,
        takes: Takes::SERVE_AND_CHECK,
        requires: &["oauth_issuer", "public_url"],
        ..BASE
    };

    const HTTP_LIMIT: Setting = Setting {
        table: Table::Http,
        heading: Heading::HttpLimits,
        takes: Takes::SERVE_AND_CHECK,
        kind: Kind::Whole,
        value_name: "N",
        ..BASE
    };

    pub const TOKEN: Setting = Setting {
        key: "token",
        flag: "--token",
        env: "KOMMO_LONG_DURATION_TOKEN",
        name: "token",
        value_name: "TOKEN",
        kind: Kind::Secret,
        help: "Kommo long-lived token",
        example: "example-long-lived-token",
        shown: |config| show(config.token.as_ref(), Secret::redacted),
        ..BASE
    };
    pub const SUBDOMAIN: Setting = Setting {
        key: "subdomain",
        flag: "--subdomain",
        env: "KOMMO_ACCOUNT_SUBDOMAIN",
        name: "subdomain",
        value_name: "SUBDOMAIN",
        help: "Kommo account subdomain, e.g. \"mycompany\" for mycompany.kommo.com",
        example: "mycompany",
        shown: |config| show(config.subdomain.as_ref(), |s| s.as_str().to_owned()),
        ..BASE
    };
    pub const PAUSE_FIELD_ID: Setting = Setting {
        key: "pause_field_id",
        flag: "--pause-field-id",
        env: "KOMMO_PAUSE_FIELD_ID",
        name: "pause field id",
        value_name: "ID",
        kind: Kind::Whole,
        help: "Id of the checkbox lead field that pauses the AI agent",
        example: "123456",
        shown: |config| show(config.pause_field_id.as_ref(), ToString::to_string),
        ..BASE
    };
    pub const MESSAGE_FIELD_ID: Setting = Setting {
        key: "message_field_id",
        flag: "--message-field-id",
        env: "KOMMO_MESSAGE_FIELD_ID",
        name: "message field id",
        value_name: "ID",
        kind: Kind::Whole,
        help: "Id of the text lead field send_message writes the reply into (the Salesbot sends it)",
        example: "234567",
        shown: |config| show(config.message_field_id.as_ref(), ToString::to_string),
        ..BASE
    };
    pub const MESSAGE_BOT_ID: Setting = Setting {
        key: "message_bot_id",
        flag: "--message-bot-id",
        env: "KOMMO_MESSAGE_BOT_ID",
        name: "message bot id",
        value_name: "ID",
        kind: Kind::Whole,
        help: "Id of the Salesbot send_message runs to send the message field's value",
        example: "402",
        shown: |config| show(config.message_bot_id.as_ref(), ToString::to_string),
        ..BASE
    };
    pub const PAUSE_VALUE: Setting = Setting {
        key: "pause_value",
        flag: "--pause-value",
        env: "KOMMO_PAUSE_VALUE",
        name: "pause value",
        value_name: "BOOL",
        kind: Kind::Bool,
        default: DefaultValue::Value("true"),
        help: "Value of the pause field that means \"paused\"",
        example: "false",
        shown: |config| show(Some(&config.pause_value), ToString::to_string),
        ..BASE
    };
    pub const BASE_URL: Setting = Setting {
        key: "base_url",
        flag: "--base-url",
        env: "KOMMO_BASE_URL",
        name: "base URL",
        value_name: "URL",
        kind: Kind::Url,
        default: DefaultValue::Value("https://{subdomain}.kommo.com"),
        help: "Kommo API base-URL template",
        example: "https://{subdomain}.example.com",
        shown: |config| show(Some(&config.base_url), |b| b.template().to_owned()),
        ..BASE
    };
    pub const TOOLS: Setting = Setting {
        key: "tools",
        flag: "--tools",
        env: "TOOLS_TO_USE",
        name: "tools (TOOLS_TO_USE)",
        value_name: "LIST",
        kind: Kind::ToolList,
        default: DefaultValue::Described("all"),
        help: "Enabled tools: JSON array or comma-separated names; empty enables none",
        heading: Heading::Tools,
        example: "get_lead,add_note",
        shown: |config| {
            show(Some(&config.tools), |tools| {
                if tools.is_empty() {
                    "(none)".to_owned()
                } else {
                    let names: Vec<&str> = tools.iter().map(ToolName::as_str).collect();
                    names.join(", ")
                }
            })
        },
        ..BASE
    };
    pub const READ_ONLY: Setting = Setting {
        key: "read_only",
        flag: "--read-only",
        env: "KOMMO_READ_ONLY",
        name: "read-only mode",
        value_name: "BOOL",
        kind: Kind::Switch,
        default: DefaultValue::Value("false"),
        help: "Offer and allow only the read-only tools (those that change nothing in Kommo); TOOLS_TO_USE narrows further",
        heading: Heading::Tools,
        example: "true",
        shown: |config| show(Some(&config.read_only), ToString::to_string),
        ..BASE
    };
    pub const DRY_RUN: Setting = Setting {
        key: "dry_run",
        flag: "--dry-run",
        env: "KOMMO_DRY_RUN",
        name: "dry run",
        value_name: "BOOL",
        kind: Kind::Switch,
        default: DefaultValue::Value("false"),
        help: "Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call",
        heading: Heading::Tools,
        example: "true",
        shown: |config| show(Some(&config.dry_run), ToString::to_string),
        ..BASE
    };
    pub const CONFIRM_TOOLS: Setting = Setting {
        key: "confirm_tools",
        flag: "--confirm-tools",
        env: "KOMMO_CONFIRM_TOOLS",
        name: "confirm tools",
        value_name: "LIST",
        kind: Kind::ToolList,
        default: DefaultValue::Described("none"),
        help: "Write tools that ask the user first (elicitation/create) when the client supports elicitation; a decline, cancel or timeout changes nothing; dry runs never ask",
        heading: Heading::Tools,
        takes: Takes::SERVE_AND_CHECK,
        example: "move_lead,close_lead",
        shown: |config| {
            show(Some(&config.confirm_tools), |tools| {
                if tools.is_empty() {
                    "none: no write asks the user first".to_owned()
                } else {
                    format!("{tools} ask the user first when the client supports elicitation")
                }
            })
        },
        ..BASE
    };
    pub const CONFIRM_TIMEOUT: Setting = Setting {
        key: "confirm_timeout",
        flag: "--confirm-timeout",
        env: "KOMMO_CONFIRM_TIMEOUT",
        name: "confirm timeout",
        value_name: "SECONDS",
        kind: Kind::Seconds,
        default: DefaultValue::Value("120"),
        help: "How long a write of --confirm-tools waits for the user's answer; then it is not sent, as if declined",
        heading: Heading::Tools,
        takes: Takes::SERVE_AND_CHECK,
        example: "30",
        shown: |config| show(Some(&config.confirm_timeout), seconds),
        ..BASE
    };
    pub const NOTE_DEDUPE: Setting = Setting {
        key: "note_dedupe",
        flag: "--note-dedupe",
        env: "KOMMO_NOTE_DEDUPE",
        name: "note dedupe",
        value_name: "SECONDS",
        kind: Kind::Seconds,
        default: DefaultValue::Value("120"),
        help: "Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task's due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off",
        heading: Heading::Tools,
        example: "30",
        shown: |config| {
            show(Some(&config.note_dedupe), |d| {
                if d.is_zero() {
                    "off".to_owned()
                } else {
                    seconds(d)
                }
            })
        },
        ..BASE
    };
    pub const RATE_LIMIT: Setting = Setting {
        key: "rate_limit",
        flag: "--rate-limit",
        env: "KOMMO_RATE_LIMIT",
        name: "rate limit",
        value_name: "N",
        kind: Kind::Whole,
        default: DefaultValue::Value("7"),
        help: "Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account)",
        heading: Heading::KommoLimits,
        takes: Takes::KOMMO_COMMANDS,
        example: "5",
        shown: |config| {
            show(Some(&config.rate_limit), |n| match n {
                0 => "off".to_owned(),
                n => format!("{n} requests/s per account"),
            })
        },
        ..BASE
    };
    pub const COALESCE: Setting = Setting {
        key: "coalesce",
        flag: "--coalesce",
        env: "KOMMO_MCP_COALESCE",
        name: "coalescing",
        value_name: "BOOL",
        kind: Kind::Switch,
        default: DefaultValue::Value("true"),
        help: "Merge calls of one account that would wait for the rate limit into Kommo's batch requests (reads share one filtered GET of leads, lead updates one PATCH of leads, notes one POST of notes, tasks one POST of tasks); a call that can be sent at once is sent alone",
        heading: Heading::KommoLimits,
        takes: Takes::KOMMO_COMMANDS,
        example: "false",
        shown: |config| {
            show(Some(&config.coalesce), |on| match on {
                true => "on: calls waiting for the rate limit share batch requests".to_owned(),
                false => "off: one Kommo request per call".to_owned(),
            })
        },
        ..BASE
    };
    pub const BATCH_SIZE: Setting = Setting {
        key: "batch_size",
        flag: "--batch-size",
        env: "KOMMO_MCP_BATCH_SIZE",
        name: "batch size",
        value_name: "N",
        kind: Kind::Whole,
        default: DefaultValue::Value("50"),
        help: "Most elements one coalesced Kommo request carries (1 to 250; Kommo recommends at most 50)",
        heading: Heading::KommoLimits,
        takes: Takes::KOMMO_COMMANDS,
        example: "20",
        shown: |config| {
            show(Some(&config.batch_size), |n| {
                format!("{n} elements per batch")
            })
        },
        ..BASE
    };
    pub const CONNECT_TIMEOUT: Setting = Setting {
        key: "connect_timeout",
        flag: "--connect-timeout",
        env: "KOMMO_CONNECT_TIMEOUT",
        name: "connect timeout",
        value_name: "SECONDS",
        kind: Kind::Seconds,
        default: DefaultValue::Value("5"),
        help: "Seconds to wait for a connection to Kommo",
        heading: Heading::KommoLimits,
        takes: Takes::KOMMO_COMMANDS,
        example: "3",
        shown: |config| show(Some(&config.connect_timeout), seconds),
        ..BASE
    };
    pub const REQUEST_TIMEOUT: Setting = Setting {
        key: "request_timeout",
        flag: "--request-timeout",
        env: "KOMMO_REQUEST_TIMEOUT",
        name: "request timeout",
        value_name: "SECONDS",
        kind: Kind::Seconds,
        default: DefaultValue::Value("20"),
        help: "Seconds to wait for one Kommo answer",
        heading: Heading::KommoLimits,
        takes: Takes::KOMMO_COMMANDS,
        example: "9",
        shown: |config| show(Some(&config.request_timeout), seconds),
        ..BASE
    };
    pub const PIPELINES_CACHE: Setting = Setting {
        key: "pipelines_cache",
        flag: "--pipelines-cache",
        env: "KOMMO_PIPELINES_CACHE",
        name: "pipelines cache",
        value_name: "SECONDS",
        kind: Kind::Seconds,
        default: DefaultValue::Value("300"),
        help: "Seconds pipelines stay cached per account",
        heading: Heading::KommoLimits,
        takes: Takes::KOMMO_COMMANDS,
        example: "60",
        shown: |config| show(Some(&config.pipelines_cache), seconds),
        ..BASE
    };
    pub const MAX_LINE_BYTES: Setting = Setting {
        key: "max_line_bytes",
        flag: "--max-line-bytes",
        env: "KOMMO_MCP_MAX_LINE_BYTES",
        name: "max line bytes",
        value_name: "BYTES",
        kind: Kind::Whole,
        default: DefaultValue::Value("4194304"),
        help: "Longest stdin line (one JSON-RPC message) in bytes in stdio mode (4194304 is 4 MiB), 1024 to 1 GiB; a longer line is answered with a parse error and discarded",
        heading: Heading::KommoLimits,
        takes: Takes::SERVE_AND_CHECK,
        example: "65536",
        shown: |config| show(Some(&config.max_line_bytes), bytes),
        ..BASE
    };
    pub const REDIS_URL: Setting = Setting {
        key: "redis_url",
        flag: "--redis-url",
        env: "KOMMO_MCP_REDIS_URL",
        name: "Redis URL",
        value_name: "URL",
        kind: Kind::Url,
        help: "Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret",
        heading: Heading::Replicas,
        takes: Takes::KOMMO_COMMANDS,
        example: "rediss://127.0.0.1:1/0",
        shown: |config| {
            show(config.redis_url.as_ref(), |url| {
                format!("{} (password redacted)", url.redacted())
            })
        },
        ..BASE
    };
    pub const REDIS_PREFIX: Setting = Setting {
        key: "redis_prefix",
        flag: "--redis-prefix",
        env: "KOMMO_MCP_REDIS_PREFIX",
        name: "Redis prefix",
        value_name: "PREFIX",
        default: DefaultValue::Value("kommo-mcp:"),
        help: "Prefix of every Redis key kommo-mcp writes",
        heading: Heading::Replicas,
        takes: Takes::KOMMO_COMMANDS,
        example: "staging:",
        shown: |config| show(Some(&config.redis_prefix), |prefix| format!("{prefix:?}")),
        ..BASE
    };
    pub const REDIS_FALLBACK_RATE: Setting = Setting {
        key: "redis_fallback_rate",
        flag: "--redis-fallback-rate",
        env: "KOMMO_MCP_REDIS_FALLBACK_RATE",
        name: "Redis fallback rate",
        value_name: "N",
        kind: Kind::Whole,
        default: DefaultValue::Value("1"),
        help: "Kommo requests per second per account per replica while Redis is unreachable",
        heading: Heading::Replicas,
        takes: Takes::KOMMO_COMMANDS,
        example: "2",
        shown: |config| {
            show(Some(&config.redis_fallback_rate), |n| {
                format!("{n} requests/s per account per replica while Redis is down")
            })
        },
        ..BASE
    };
    pub const REDIS_CA_FILE: Setting = Setting {
        key: "redis_ca_file",
        flag: "--redis-ca-file",
        env: "KOMMO_MCP_REDIS_CA_FILE",
        name: "Redis CA file",
        value_name: "PATH",
        kind: Kind::Path,
        help: "CA certificates (PEM file) that a rediss:// Redis's certificate must chain to, for a private CA; without it the web PKI roots are used",
        heading: Heading::Replicas,
        takes: Takes::KOMMO_COMMANDS,
        requires: &["redis_url"],
        example: "{dir}/ca.pem",
        shown: |config| {
            show(config.redis_ca_file.as_ref(), |ca| {
                ca.path.display().to_string()
            })
        },
        ..BASE
    };
    pub const AUDIT_LOG: Setting = Setting {
        key: "audit_log",
        flag: "--audit-log",
        env: "KOMMO_MCP_AUDIT_LOG",
        name: "audit log",
        value_name: "PATH",
        kind: Kind::Path,
        help: "Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it",
        heading: Heading::Operating,
        takes: Takes::KOMMO_COMMANDS,
        example: "{dir}/audit.jsonl",
        shown: |config| show(config.audit_log.as_ref(), |path| path.display().to_string()),
        ..BASE
    };
    pub const METRICS_LISTEN: Setting = Setting {
        key: "metrics_listen",
        flag: "--metrics-listen",
        env: "KOMMO_MCP_METRICS_LISTEN",
        name: "metrics address",
        value_name: "ADDR",
        kind: Kind::Address,
        help: "Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token",
        heading: Heading::Operating,
        takes: Takes::SERVE_AND_CHECK,
        needs_http: true,
        example: "127.0.0.1:0",
        shown: |config| show(config.serve.metrics_listen.as_ref(), ToString::to_string),
        ..BASE
    };
    pub const LISTEN: Setting = Setting {
        key: "listen",
        flag: "--listen",
        env: "KOMMO_MCP_LISTEN",
        name: "listen address",
        value_name: "ADDR",
        kind: Kind::Address,
        default: DefaultValue::Value("127.0.0.1:8080"),
        help: "Address to listen on with --http",
        heading: Heading::Http,
        takes: Takes::SERVE_AND_CHECK,
        needs_http: true,
        example: "127.0.0.1:0",
        shown: |config| show(Some(&config.serve.listen), ToString::to_string),
        ..BASE
    };
    pub const AUTH_TOKEN: Setting = Setting {
        key: "auth_token",
        flag: "--auth-token",
        env: "KOMMO_MCP_AUTH_TOKEN",
        name: "auth token",
        value_name: "TOKEN",
        kind: Kind::Secret,
        help: "Require \"Authorization: Bearer <TOKEN>\" (or \"X-API-Key: <TOKEN>\") on every route but /healthz; the one-client shorthand of [clients.*]",
        heading: Heading::Http,
        takes: Takes::SERVE_AND_CHECK,
        needs_http: true,
        example: "example-auth-token",
        shown: |config| show(config.serve.auth_token.as_ref(), Secret::redacted),
        ..BASE
    };
    pub const RATE_LIMIT_PER_IP: Setting = Setting {
        key: "rate_limit_per_ip",
        flag: "--rate-limit-per-ip",
        env: "KOMMO_MCP_RATE_LIMIT_PER_IP",
        name: "rate limit per IP",
        value_name: "N",
        kind: Kind::Whole,
        default: DefaultValue::Described("no limit"),
        help: "Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process",
        heading: Heading::Http,
        takes: Takes::SERVE_AND_CHECK,
        needs_http: true,
        example: "600",
        shown: |config| {
            show(config.serve.rate_limit_per_ip.as_ref(), |n| {
                format!("{n} requests/min per address")
            })
        },
        ..BASE
    };
    // A note is the largest argument a real call carries. Kommo documents no length limit
    // for a common note; 1 MiB holds a 64 Ki-character note even when every character is
    // sent as a 6-byte \u escape, with room to spare.
    pub const MAX_BODY_BYTES: Setting = Setting {
        key: "max-body-bytes",
        flag: "--max-body-bytes",
        env: "KOMMO_MCP_MAX_BODY_BYTES",
        name: "max-body-bytes",
        value_name: "BYTES",
        default: DefaultValue::Value("1048576"),
        help: "Largest request body on /mcp and /sse/message; larger is answered 413",
        example: "65536",
        shown: |config| show(Some(&config.http.max_body_bytes), bytes),
        ..HTTP_LIMIT
    };
    // Real messages nest 4–6 levels deep.
    pub const MAX_JSON_DEPTH: Setting = Setting {
        key: "max-json-depth",
        flag: "--max-json-depth",
        env: "KOMMO_MCP_MAX_JSON_DEPTH",
        name: "max-json-depth",
        value_name: "LEVELS",
        default: DefaultValue::Value("32"),
        help: "Deepest nesting of arrays and objects in a message",
        example: "16",
        shown: |config| show(Some(&config.http.max_json_depth), ToString::to_string),
        ..HTTP_LIMIT
    };
    // A tools/call holds about 10 values, initialize about 30; a parsed value costs up to
    // ~80 bytes, so this bounds a message's parsed form to well under 1 MiB whatever the body.
    pub const MAX_JSON_VALUES: Setting = Setting {
        key: "max-json-values",
        flag: "--max-json-values",
        env: "KOMMO_MCP_MAX_JSON_VALUES",
        name: "max-json-values",
        default: DefaultValue::Value("4096"),
        help: "Most JSON values in a message, checked before it is parsed",
        example: "1000",
        shown: |config| show(Some(&config.http.max_json_values), ToString::to_string),
        ..HTTP_LIMIT
    };
    // An idle streamable session is a record of ~3 kB, an open SSE stream ~24 kB with its
    // connection (BENCHMARKS.md): 1,000 cost ~24 MB at most, fine on a 512 MB VM.
    pub const MAX_SESSIONS: Setting = Setting {
        key: "max-sessions",
        flag: "--max-sessions",
        env: "KOMMO_MCP_MAX_SESSIONS",
        name: "max-sessions",
        default: DefaultValue::Value("1000"),
        help: "Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After",
        example: "100",
        shown: |config| show(Some(&config.http.max_sessions), ToString::to_string),
        ..HTTP_LIMIT
    };
    pub const SESSION_IDLE_TIMEOUT: Setting = Setting {
        key: "session-idle-timeout",
        flag: "--session-idle-timeout",
        env: "KOMMO_MCP_SESSION_IDLE_TIMEOUT",
        name: "session-idle-timeout",
        value_name: "SECONDS",
        kind: Kind::Seconds,
        default: DefaultValue::Value("300"),
        help: "Seconds an unused session (streamable HTTP, or legacy SSE with its stream) stays open",
        example: "60",
        shown: |config| show(Some(&config.http.session_idle_timeout), seconds),
        ..HTTP_LIMIT
    };
    pub const HEADER_READ_TIMEOUT: Setting = Setting {
        key: "header-read-timeout",
        flag: "--header-read-timeout",
        env: "KOMMO_MCP_HEADER_READ_TIMEOUT",
        name: "header-read-timeout",
        value_name: "SECONDS",
        kind: Kind::Seconds,
        default: DefaultValue::Value("10"),
        help: "Seconds a connection may take to send a request's head, and may stay idle between requests",
        example: "5",
        shown: |config| show(Some(&config.http.header_read_timeout), seconds),
        ..HTTP_LIMIT
    };
    pub const BODY_READ_TIMEOUT: Setting = Setting {
        key: "body-read-timeout",
        flag: "--body-read-timeout",
        env: "KOMMO_MCP_BODY_READ_TIMEOUT",
        name: "body-read-timeout",
        value_name: "SECONDS",
        kind: Kind::Seconds,
        default: DefaultValue::Value("30"),
        help: "Seconds a request body may take to arrive in full; slower is answered 408",
        example: "15",
        shown: |config| show(Some(&config.http.body_read_timeout), seconds),
        ..HTTP_LIMIT
    };
    // Below the usual 1,024 open-files limit, leaving room for Kommo connections and files.
    pub const MAX_CONNECTIONS: Setting = Setting {
        key: "max-connections",
        flag: "--max-connections",
        env: "KOMMO_MCP_MAX_CONNECTIONS",
        name: "max-connections",
        default: DefaultValue::Value("512"),
        help: "Most open client connections; one more is answered 503 and closed",
        example: "64",
        shown: |config| show(Some(&config.http.max_connections), ToString::to_string),
        ..HTTP_LIMIT
    };
    // Each caller's share: one caller (a client key, an OAuth subject and client, the shared
    // token, or everyone when there is no auth) cannot take every slot. A quarter of
    // --max-sessions and of --max-connections leaves room for three others.
    pub const MAX_SESSIONS_PER_CALLER: Setting = Setting {
        key: "max-sessions-per-caller",
        flag: "--max-sessions-per-caller",
        env: "KOMMO_MCP_MAX_SESSIONS_PER_CALLER",
        name: "max-sessions-per-caller",
        default: DefaultValue::Value("250"),
        help: "Most open sessions of one caller (a client key, an OAuth subject, the auth token, or everyone without auth), streamable HTTP and SSE together; beyond it 429",
        example: "20",
        shown: |config| {
            show(
                Some(&config.http.max_sessions_per_caller),
                ToString::to_string,
            )
        },
        ..HTTP_LIMIT
    };
    pub const MAX_STREAMS_PER_CALLER: Setting = Setting {
        key: "max-streams-per-caller",
        flag: "--max-streams-per-caller",
        env: "KOMMO_MCP_MAX_STREAMS_PER_CALLER",
        name: "max-streams-per-caller",
        default: DefaultValue::Value("128"),
        help: "Most open event streams (GET /sse, standalone GET /mcp) of one caller; beyond it 429",
        example: "16",
        shown: |config| {
            show(
                Some(&config.http.max_streams_per_caller),
                ToString::to_string,
            )
        },
        ..HTTP_LIMIT
    };
    pub const MAX_CALLS_PER_CALLER: Setting = Setting {
        key: "max-calls-per-caller",
        flag: "--max-calls-per-caller",
        env: "KOMMO_MCP_MAX_CALLS_PER_CALLER",
        name: "max-calls-per-caller",
        default: DefaultValue::Value("64"),
        help: "Most requests of one caller answered at once on /mcp and /sse/message; beyond it 429",
        example: "8",
        shown: |config| show(Some(&config.http.max_calls_per_caller), ToString::to_string),
        ..HTTP_LIMIT
    };
    // A session's replay buffer is empty until its streams carry events, and bounded by
    // both caps: 1,000 busy sessions hold at most 256 MB, most of them far less.
    pub const REPLAY_EVENTS: Setting = Setting {
        key: "replay-events-per-session",
        flag: "--replay-events-per-session",
        env: "KOMMO_MCP_REPLAY_EVENTS_PER_SESSION",
        name: "replay-events-per-session",
        default: DefaultValue::Value("64"),
        help: "Most recent events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first)",
        example: "16",
        shown: |config| show(Some(&config.http.replay_events), ToString::to_string),
        ..HTTP_LIMIT
    };
    pub const REPLAY_BYTES: Setting = Setting {
        key: "replay-bytes-per-session",
        flag: "--replay-bytes-per-session",
        env: "KOMMO_MCP_REPLAY_BYTES_PER_SESSION",
        name: "replay-bytes-per-session",
        value_name: "BYTES",
        default: DefaultValue::Value("262144"),
        help: "Most bytes of events a /mcp session keeps for a client resuming a dropped stream with Last-Event-ID (the oldest go first)",
        example: "65536",
        shown: |config| show(Some(&config.http.replay_bytes), bytes),
        ..HTTP_LIMIT
    };
    pub const OAUTH_ISSUER: Setting = Setting {
        key: "oauth_issuer",
        flag: "--oauth-issuer",
        env: "KOMMO_MCP_OAUTH_ISSUER",
        name: "OAuth issuer",
        value_name: "URL",
        kind: Kind::Url,
        help: "Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens' iss); needs --public-url",
        requires: &["public_url"],
        example: "https://issuer.example.com",
        shown: |config| show(config.oauth.as_ref().map(|o| &o.issuer), Clone::clone),
        ..OAUTH_BASE
    };
    pub const PUBLIC_URL: Setting = Setting {
        key: "public_url",
        flag: "--public-url",
        env: "KOMMO_MCP_PUBLIC_URL",
        name: "public URL",
        value_name: "URL",
        kind: Kind::Url,
        help: "The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience",
        requires: &["oauth_issuer"],
        example: "https://mcp.example.com",
        shown: |config| show(config.oauth.as_ref().map(|o| &o.public_url), Clone::clone),
        ..OAUTH_BASE
    };
    pub const OAUTH_AUDIENCE: Setting = Setting {
        key: "oauth_audience",
        flag: "--oauth-audience",
        env: "KOMMO_MCP_OAUTH_AUDIENCE",
        name: "OAuth audience",
        value_name: "AUDIENCE",
        default: DefaultValue::Described("the public URL, or the public URL + /mcp"),
        help: "The aud a token must carry",
        example: "kommo-mcp",
        shown: |config| match config.oauth.as_ref() {
            Some(o) if o.audience.is_none() => Some((o.audiences().join(" or "), Source::Default)),
            oauth => show(oauth.and_then(|o| o.audience.as_ref()), Clone::clone),
        },
        ..OAUTH_BASE
    };
    pub const OAUTH_JWKS_URL: Setting = Setting {
        key: "oauth_jwks_url",
        flag: "--oauth-jwks-url",
        env: "KOMMO_MCP_OAUTH_JWKS_URL",
        name: "OAuth JWKS URL",
        value_name: "URL",
        kind: Kind::Url,
        default: DefaultValue::Described(
            "jwks_uri from the issuer's /.well-known/oauth-authorization-server or /.well-known/openid-configuration",
        ),
        help: "Where the issuer's signing keys (JWKS) are",
        example: "https://issuer.example.com/jwks.json",
        shown: |config| {
            show(
                config.oauth.as_ref().and_then(|o| o.jwks_url.as_ref()),
                ToString::to_string,
            )
        },
        ..OAUTH_BASE
    };
    pub const OAUTH_ACCOUNTS_CLAIM: Setting = Setting {
        key: "oauth_accounts_claim",
        flag: "--oauth-accounts-claim",
        env: "KOMMO_MCP_OAUTH_ACCOUNTS_CLAIM",
        name: "OAuth accounts claim",
        value_name: "CLAIM",
        default: DefaultValue::Described("none, any account"),
        help: "Token claim listing the account subdomains a token may act on (like a client key's accounts; \"*\" for any)",
        example: "kommo_accounts",
        shown: |config| {
            show(
                config
                    .oauth
                    .as_ref()
                    .and_then(|o| o.accounts_claim.as_ref()),
                Clone::clone,
            )
        },
        ..OAUTH_BASE
    };
    pub const CONFIG: Setting = Setting {
        key: "config",
        table: Table::NotInFile,
        flag: "--config",
        env: "KOMMO_MCP_CONFIG",
        name: "config file",
        value_name: "PATH",
        kind: Kind::Path,
        default: DefaultValue::Described("~/.config/kommo-mcp/config.toml"),
        help: "Config file",
        heading: Heading::Configuration,
        example: "{dir}/config.toml",
        // `check` shows the file it read in a row of its own.
        shown: |_| None,
        ..BASE
    };
    pub const LOG_LEVEL: Setting = Setting {
        key: "log_level",
        flag: "--log-level",
        env: "KOMMO_MCP_LOG_LEVEL",
        name: "log level",
        value_name: "LEVEL",
        default: DefaultValue::Described("RUST_LOG, else info; warn for call, tools and check"),
        help: "Log level or filter for stderr, e.g. debug or kommo_mcp=trace",
        heading: Heading::Logging,
        takes: Takes::LOGGING_COMMANDS,
        example: "debug",
        shown: |config| show(config.logging.level.as_ref(), Clone::clone),
        ..BASE
    };
    pub const LOG_FORMAT: Setting = Setting {
        key: "log_format",
        flag: "--log-format",
        env: "KOMMO_MCP_LOG_FORMAT",
        name: "log format",
        value_name: "FORMAT",
        kind: Kind::Choice(&["text", "json"]),
        default: DefaultValue::Value("text"),
        help: "Log line format on stderr: text, or json (one JSON object per line)",
        heading: Heading::Logging,
        takes: Takes::LOGGING_COMMANDS,
        example: "json",
        shown: |config| {
            show(Some(&config.logging.format), |format| {
                match format {
                    LogFormat::Text => "text",
                    LogFormat::Json => "json",
                }
                .to_owned()
            })
        },
        ..BASE
    };

    /// Every setting, in the order `--help`, `check` and the documentation list them.
    pub const ALL: [Setting; 50] = [
        TOKEN,
        SUBDOMAIN,
        TOOLS,
        PAUSE_FIELD_ID,
        PAUSE_VALUE,
        MESSAGE_FIELD_ID,
        MESSAGE_BOT_ID,
        BASE_URL,
        RATE_LIMIT,
        COALESCE,
        BATCH_SIZE,
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
        CONFIRM_TOOLS,
        CONFIRM_TIMEOUT,
        NOTE_DEDUPE,
        MAX_LINE_BYTES,
        LISTEN,
        AUTH_TOKEN,
        RATE_LIMIT_PER_IP,
        METRICS_LISTEN,
        MAX_BODY_BYTES,
        MAX_JSON_DEPTH,
        MAX_JSON_VALUES,
        MAX_SESSIONS,
        SESSION_IDLE_TIMEOUT,
        HEADER_READ_TIMEOUT,
        BODY_READ_TIMEOUT,
        MAX_CONNECTIONS,
        MAX_SESSIONS_PER_CALLER,
        MAX_STREAMS_PER_CALLER,
        MAX_CALLS_PER_CALLER,
        REPLAY_EVENTS,
        REPLAY_BYTES,
        OAUTH_ISSUER,
        PUBLIC_URL,
        OAUTH_AUDIENCE,
        OAUTH_JWKS_URL,
        OAUTH_ACCOUNTS_CLAIM,
        CONFIG,
        LOG_LEVEL,
        LOG_FORMAT,
    ];

    /// The setting with this config-file key in this table.
    pub fn by_key(table: Table, key: &str) -> Option<&'static Setting> {
        ALL.iter().find(|s| s.table == table && s.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_complete() {
        let mut seen = std::collections::BTreeSet::new();
        for s in settings::ALL {
            for name in [s.flag, s.env, s.id()] {
                assert!(seen.insert(name), "{name} declared twice");
            }
            assert!(s.flag.starts_with("--"), "{}", s.key);
            assert!(
                !s.help.is_empty() && !s.name.is_empty() && !s.example.is_empty(),
                "{}",
                s.key
            );
            for required in s.requires {
                assert!(
                    settings::by_key(Table::Top, required).is_some(),
                    "{} requires unknown {required}",
                    s.key
                );
            }
        }
    }
}
