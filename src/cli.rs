//! The command line (clap derive only): subcommands, global settings and their
//! environment variables. Turning these into a `Config` is `config`'s job.

use std::{net::SocketAddr, path::PathBuf};

use clap::{
    ArgMatches, Args, Parser, Subcommand, ValueEnum, builder::PossibleValuesParser,
    parser::ValueSource,
};

use crate::{
    config::{RawHttpLimits, RawOAuth, RawSettings, RawValue, Source, limits, settings},
    toolset::ToolName,
};

/// Help headings that group the options in `--help` and the man pages.
const ACCOUNT: &str = "Kommo account";
const TOOLS: &str = "Tools";
const LIMITS: &str = "Kommo limits";
const CONFIGURATION: &str = "Configuration";
const LOGGING: &str = "Logging";
const HTTP: &str = "HTTP server (serve --http)";
const REPLICAS: &str = "Several replicas (Redis)";
const OPERATING: &str = "Operating (metrics, audit)";
const OAUTH: &str = "OAuth resource server (serve --http)";

const ABOUT: &str = "Let AI agents act on leads in Kommo CRM through the Model Context Protocol";

const LONG_ABOUT: &str = "kommo-mcp serves Kommo CRM tools (move_lead, pause_agent, resume_agent, \
add_note, get_lead, list_pipelines) to AI agents over MCP: on stdin/stdout (the default, for \
desktop clients), over streamable HTTP and legacy SSE (serve --http), or once from a shell (call).

Every setting can come from a flag, an environment variable or the config file; the flag wins \
over the environment, which wins over the file.";

#[derive(Parser, Debug)]
#[command(name = "kommo-mcp", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,

    #[command(flatten)]
    pub serve: ServeArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve MCP over stdio (default) or HTTP (--http)
    Serve(Box<ServeArgs>),
    /// Run one tool once and print its result
    #[command(
        after_help = "Examples (against the demo account; drop --sandbox for your own):\n  kommo-mcp --sandbox call move_lead lead_id=9001 pipeline_id=1001 status_id=2003\n  kommo-mcp --sandbox call add_note lead_id=9001 note=\"Called back, wants a quote\"\n  echo '{\"lead_id\":9001}' | kommo-mcp --sandbox call pause_agent --json -\n  kommo-mcp --sandbox call get_lead lead_id=9001 --output json\n\nKEY=VALUE and --json cannot be mixed. A key the tool does not take, a missing required argument, a repeated key, or a value that is not a whole number for an integer argument (lead_id=abc) is a usage error; the tool itself checks the rest (lead_id=0) and fails with its sentence.\n\nExit status: 0 success, 1 the tool failed (its sentence and the reason on stderr), 2 usage or configuration error (also: the tool is not enabled by TOOLS_TO_USE)."
    )]
    Call(CallArgs),
    /// List the enabled tools
    Tools(ToolsArgs),
    /// Show the effective configuration and check the token against Kommo
    #[command(
        after_help = "Exit status: 0 everything is in order, 1 Kommo refused the token or something is misconfigured (a sentence says what to fix), 2 usage or configuration error."
    )]
    Check,
    /// Run a demo Kommo account on this machine until stopped, to rehearse a flow from a shell
    #[command(
        long_about = "Run a demo Kommo account on this machine until stopped (Ctrl-C), so that one-shot \
commands in other shells share its state: a lead paused by one `call` is still paused for the next.\n\n\
Prints, on stdout, the export lines that point other kommo-mcp commands at it (base URL, subdomain, \
token and pause field of the demo account); a summary of the demo data goes to stderr. \
`--sandbox` instead starts a fresh demo account inside one command, gone when it exits.",
        after_help = "Example:\n  kommo-mcp sandbox                      # in one shell; prints four export lines\n  # in another shell, after running those lines:\n  kommo-mcp call pause_agent lead_id=9001\n  kommo-mcp call get_lead lead_id=9001   # shows the pause"
    )]
    Sandbox(SandboxArgs),
    /// Print a fresh random client key and the key_sha256 line for its [clients.<name>] table
    #[command(
        after_help = "Prints two lines: the key (give it to the client, which sends it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"), then the key_sha256 = \"...\" line for its [clients.<name>] table in the config file. The key itself never goes in the file."
    )]
    NewKey,
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write every page to a directory
    Man(ManArgs),
    /// Run the Kommo API simulator alone (for tests and benchmarks)
    #[command(hide = true)]
    Simulator(SimulatorArgs),
    /// Probe a running `serve --http` at /healthz: exit 0 if it answers 200 (the image's health check)
    #[command(hide = true)]
    Health(HealthArgs),
}

/// Settings every subcommand takes.
#[derive(Args, Debug, Clone, Default)]
pub struct SettingsArgs {
    /// Kommo long-lived token [config: token]
    #[arg(
        long,
        global = true,
        env = "KOMMO_LONG_DURATION_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        help_heading = ACCOUNT,
    )]
    pub token: Option<String>,

    /// Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]
    #[arg(
        long,
        global = true,
        env = "KOMMO_ACCOUNT_SUBDOMAIN",
        value_name = "SUBDOMAIN",
        help_heading = ACCOUNT,
        hide_env_values = true,
    )]
    pub subdomain: Option<String>,

    /// Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]
    #[arg(long, global = true, env = "TOOLS_TO_USE", value_name = "LIST", help_heading = TOOLS, hide_env_values = true)]
    pub tools: Option<String>,

    /// Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]
    #[arg(long, global = true, env = "KOMMO_PAUSE_FIELD_ID", value_name = "ID", help_heading = ACCOUNT, hide_env_values = true)]
    pub pause_field_id: Option<String>,

    /// Value of the pause field that means "paused" [default: true] [config: pause_value]
    #[arg(long, global = true, env = "KOMMO_PAUSE_VALUE", value_name = "BOOL", help_heading = ACCOUNT, hide_env_values = true)]
    pub pause_value: Option<String>,

    /// Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]
    #[arg(long, global = true, env = "KOMMO_BASE_URL", value_name = "URL", help_heading = ACCOUNT, hide_env_values = true)]
    pub base_url: Option<String>,

    /// Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]
    #[arg(long, global = true, env = "KOMMO_RATE_LIMIT", value_name = "N", help_heading = LIMITS, hide_env_values = true)]
    pub rate_limit: Option<String>,

    /// Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]
    #[arg(
        long,
        global = true,
        env = "KOMMO_CONNECT_TIMEOUT",
        value_name = "SECONDS",
        help_heading = LIMITS,
        hide_env_values = true,
    )]
    pub connect_timeout: Option<String>,

    /// Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]
    #[arg(
        long,
        global = true,
        env = "KOMMO_REQUEST_TIMEOUT",
        value_name = "SECONDS",
        help_heading = LIMITS,
        hide_env_values = true,
    )]
    pub request_timeout: Option<String>,

    /// Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]
    #[arg(
        long,
        global = true,
        env = "KOMMO_PIPELINES_CACHE",
        value_name = "SECONDS",
        help_heading = LIMITS,
        hide_env_values = true,
    )]
    pub pipelines_cache: Option<String>,

    /// Redis shared by every replica (rate limit, 429 pauses, sessions, note/task dedupe): redis:// or rediss:// (TLS), with password and database; a secret [config: redis_url]
    #[arg(
        long,
        global = true,
        env = "KOMMO_MCP_REDIS_URL",
        hide_env_values = true,
        value_name = "URL", help_heading = REPLICAS)]
    pub redis_url: Option<String>,

    /// Prefix of every Redis key kommo-mcp writes [default: kommo-mcp:] [config: redis_prefix]
    #[arg(
        long,
        global = true,
        env = "KOMMO_MCP_REDIS_PREFIX",
        value_name = "PREFIX", help_heading = REPLICAS, hide_env_values = true)]
    pub redis_prefix: Option<String>,

    /// Kommo requests per second per account per replica while Redis is unreachable [default: 1] [config: redis_fallback_rate]
    #[arg(
        long,
        global = true,
        env = "KOMMO_MCP_REDIS_FALLBACK_RATE",
        value_name = "N", help_heading = REPLICAS, hide_env_values = true)]
    pub redis_fallback_rate: Option<String>,

    /// CA certificates (PEM file) that a rediss:// Redis's certificate must chain to, for a private CA; without it the web PKI roots are used [config: redis_ca_file]
    #[arg(
        long,
        global = true,
        env = "KOMMO_MCP_REDIS_CA_FILE",
        value_name = "PATH", help_heading = REPLICAS, hide_env_values = true)]
    pub redis_ca_file: Option<PathBuf>,

    /// Append one JSON line per write attempt (dry runs included) to this file; write tools are refused while it cannot be written; SIGHUP reopens it
    #[arg(long, global = true, env = "KOMMO_MCP_AUDIT_LOG", value_name = "PATH", help_heading = OPERATING, hide_env_values = true)]
    pub audit_log: Option<PathBuf>,
    /// Offer and allow only the read-only tools (get_lead, list_pipelines, list_custom_fields); TOOLS_TO_USE narrows further [default: false] [config: read_only]
    #[arg(
        long,
        global = true,
        env = "KOMMO_READ_ONLY",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true", help_heading = TOOLS, hide_env_values = true)]
    pub read_only: Option<String>,

    /// Make every write a dry run: all checks, then nothing sent to Kommo; cannot be turned off per call [default: false] [config: dry_run]
    #[arg(
        long,
        global = true,
        env = "KOMMO_DRY_RUN",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true", help_heading = TOOLS, hide_env_values = true)]
    pub dry_run: Option<String>,

    /// Seconds a confirmed add_note or create_task is remembered (by a hash of account, lead and text, and a task's due time; shared through Redis with --redis-url) so a retried call does not write it twice; 0 turns it off [default: 120] [config: note_dedupe]
    #[arg(long, global = true, env = "KOMMO_NOTE_DEDUPE", value_name = "SECONDS", help_heading = TOOLS, hide_env_values = true)]
    pub note_dedupe: Option<String>,
    /// Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]
    #[arg(
        long,
        global = true,
        env = "KOMMO_MCP_MAX_LINE_BYTES",
        value_name = "BYTES", help_heading = LIMITS, hide_env_values = true)]
    pub max_line_bytes: Option<String>,

    /// Accept OAuth 2.1 access tokens (JWT) issued by this authorization server (its issuer URL, exactly as in the tokens' iss); needs --public-url [config: oauth_issuer]
    #[arg(long, global = true, env = "KOMMO_MCP_OAUTH_ISSUER", value_name = "URL", help_heading = OAUTH, hide_env_values = true)]
    pub oauth_issuer: Option<String>,

    /// The URL clients use to reach this server, e.g. https://mcp.example.com: the resource in /.well-known/oauth-protected-resource and the default token audience [config: public_url]
    #[arg(long, global = true, env = "KOMMO_MCP_PUBLIC_URL", value_name = "URL", help_heading = OAUTH, hide_env_values = true)]
    pub public_url: Option<String>,

    /// The aud a token must carry [default: the public URL, or the public URL + /mcp] [config: oauth_audience]
    #[arg(long, global = true, env = "KOMMO_MCP_OAUTH_AUDIENCE", value_name = "AUDIENCE", help_heading = OAUTH, hide_env_values = true)]
    pub oauth_audience: Option<String>,

    /// Where the issuer's signing keys (JWKS) are [default: jwks_uri from the issuer's /.well-known/oauth-authorization-server or /.well-known/openid-configuration] [config: oauth_jwks_url]
    #[arg(long, global = true, env = "KOMMO_MCP_OAUTH_JWKS_URL", value_name = "URL", help_heading = OAUTH, hide_env_values = true)]
    pub oauth_jwks_url: Option<String>,

    /// Token claim listing the account subdomains a token may act on (like a client key's accounts; "*" for any) [default: none, any account] [config: oauth_accounts_claim]
    #[arg(long, global = true, env = "KOMMO_MCP_OAUTH_ACCOUNTS_CLAIM", value_name = "CLAIM", help_heading = OAUTH, hide_env_values = true)]
    pub oauth_accounts_claim: Option<String>,

    /// Config file [default: ~/.config/kommo-mcp/config.toml]
    #[arg(long, global = true, env = "KOMMO_MCP_CONFIG", value_name = "PATH", help_heading = CONFIGURATION, hide_env_values = true)]
    pub config: Option<PathBuf>,

    /// Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]
    #[arg(long, global = true, value_name = "LEVEL", help_heading = LOGGING)]
    pub log_level: Option<String>,

    /// Log line format on stderr: text, or json (one JSON object per line)
    #[arg(
        long,
        global = true,
        env = "KOMMO_MCP_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text, help_heading = LOGGING, hide_env_values = true)]
    pub log_format: LogFormat,

    /// Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)
    #[arg(long, global = true, help_heading = CONFIGURATION)]
    pub sandbox: bool,
}

/// How to serve.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio
    #[arg(long, help_heading = HTTP)]
    pub http: bool,

    /// Address to listen on with --http
    #[arg(
        long,
        env = "KOMMO_MCP_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        help_heading = HTTP,
        hide_env_values = true,
    )]
    pub listen: SocketAddr,

    /// Serve /mcp without sessions, so any replica can answer any request
    #[arg(long, requires = "http", help_heading = HTTP)]
    pub stateless: bool,

    /// Require "Authorization: Bearer <TOKEN>" (or "X-API-Key: <TOKEN>") on every route but /healthz; the one-client shorthand of [clients.*]
    #[arg(
        long,
        env = "KOMMO_MCP_AUTH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        help_heading = HTTP,
    )]
    pub auth_token: Option<String>,

    /// Inbound requests per minute per remote address, for callers without a rate_limit of their own ([clients.*] keys have theirs); shared through --redis-url when set, else counted per process [default: no limit]
    #[arg(
        long,
        env = "KOMMO_MCP_RATE_LIMIT_PER_IP",
        value_name = "N",
        help_heading = HTTP,
        hide_env_values = true
    )]
    pub rate_limit_per_ip: Option<u32>,

    /// Allow listening on a non-loopback address without --auth-token
    #[arg(long, requires = "http", help_heading = HTTP)]
    pub allow_unauthenticated: bool,

    /// Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy
    #[arg(long = "allowed-host", value_name = "HOST", requires = "http", help_heading = HTTP)]
    pub allowed_hosts: Vec<String>,

    /// Also accept this Origin (repeatable), e.g. https://app.example.com
    #[arg(long = "allowed-origin", value_name = "ORIGIN", requires = "http", help_heading = HTTP)]
    pub allowed_origins: Vec<String>,

    /// Serve GET /metrics (Prometheus) only on this address, without auth, instead of on the main port behind the auth token
    #[arg(
        long,
        env = "KOMMO_MCP_METRICS_LISTEN",
        value_name = "ADDR",
        help_heading = OPERATING, hide_env_values = true)]
    pub metrics_listen: Option<SocketAddr>,

    /// Label Kommo metrics with the account subdomain (one series per account)
    #[arg(long, requires = "http", help_heading = OPERATING)]
    pub metrics_account_label: bool,
    #[command(flatten)]
    pub limits: HttpLimitArgs,
}

/// The HTTP server's limits (see `config::limits` for the defaults and why).
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "HTTP limits")]
pub struct HttpLimitArgs {
    /// Largest request body on /mcp and /sse/message; larger is answered 413 [default: 1048576] [config: http.max-body-bytes]
    #[arg(
        long,
        env = "KOMMO_MCP_MAX_BODY_BYTES",
        value_name = "BYTES",
        hide_env_values = true
    )]
    pub max_body_bytes: Option<String>,

    /// Deepest nesting of arrays and objects in a message [default: 32] [config: http.max-json-depth]
    #[arg(
        long,
        env = "KOMMO_MCP_MAX_JSON_DEPTH",
        value_name = "LEVELS",
        hide_env_values = true
    )]
    pub max_json_depth: Option<String>,

    /// Most JSON values in a message, checked before it is parsed [default: 4096] [config: http.max-json-values]
    #[arg(
        long,
        env = "KOMMO_MCP_MAX_JSON_VALUES",
        value_name = "N",
        hide_env_values = true
    )]
    pub max_json_values: Option<String>,

    /// Most open sessions (streamable HTTP and SSE together); a new one beyond it gets 503 and Retry-After [default: 1000] [config: http.max-sessions]
    #[arg(
        long,
        env = "KOMMO_MCP_MAX_SESSIONS",
        value_name = "N",
        hide_env_values = true
    )]
    pub max_sessions: Option<String>,

    /// Seconds an unused streamable HTTP session stays open [default: 300] [config: http.session-idle-timeout]
    #[arg(
        long,
        env = "KOMMO_MCP_SESSION_IDLE_TIMEOUT",
        value_name = "SECONDS",
        hide_env_values = true
    )]
    pub session_idle_timeout: Option<String>,

    /// Seconds a connection may take to send a request's head, and may stay idle between requests [default: 10] [config: http.header-read-timeout]
    #[arg(
        long,
        env = "KOMMO_MCP_HEADER_READ_TIMEOUT",
        value_name = "SECONDS",
        hide_env_values = true
    )]
    pub header_read_timeout: Option<String>,

    /// Seconds a request body may take to arrive in full; slower is answered 408 [default: 30] [config: http.body-read-timeout]
    #[arg(
        long,
        env = "KOMMO_MCP_BODY_READ_TIMEOUT",
        value_name = "SECONDS",
        hide_env_values = true
    )]
    pub body_read_timeout: Option<String>,

    /// Most open client connections; one more is answered 503 and closed [default: 512] [config: http.max-connections]
    #[arg(
        long,
        env = "KOMMO_MCP_MAX_CONNECTIONS",
        value_name = "N",
        hide_env_values = true
    )]
    pub max_connections: Option<String>,
}

impl HttpLimitArgs {
    /// The limits with where each came from, in `config::limits::ALL` order.
    pub fn raw(&self, matches: &ArgMatches) -> RawHttpLimits {
        let values = [
            ("max_body_bytes", &self.max_body_bytes),
            ("max_json_depth", &self.max_json_depth),
            ("max_json_values", &self.max_json_values),
            ("max_sessions", &self.max_sessions),
            ("session_idle_timeout", &self.session_idle_timeout),
            ("header_read_timeout", &self.header_read_timeout),
            ("body_read_timeout", &self.body_read_timeout),
            ("max_connections", &self.max_connections),
        ];
        let mut raw = RawHttpLimits::default();
        for (index, (id, value)) in values.into_iter().enumerate() {
            raw.0[index] = value.clone().map(|value| RawValue {
                value,
                source: match find_source(matches, id) {
                    Some(ValueSource::EnvVariable) => Source::Env(limits::ALL[index].env),
                    _ => Source::Flag,
                },
            });
        }
        raw
    }
}

/// How log lines are written.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct CallArgs {
    /// The tool to run (one enabled by TOOLS_TO_USE)
    #[arg(value_name = "TOOL", value_parser = tool_names())]
    pub tool: String,

    /// Arguments as KEY=VALUE; integer arguments of the tool's input schema are parsed as
    /// numbers (lead_id=12), the others stay text (note="a b")
    #[arg(value_name = "KEY=VALUE")]
    pub args: Vec<String>,

    /// Arguments as one JSON object, or - to read it from stdin (instead of KEY=VALUE)
    #[arg(long, value_name = "JSON")]
    pub json: Option<String>,

    /// Print the first text block (text) or the whole tool result (json)
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct ToolsArgs {
    /// Print the tools/list array as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug, Clone)]
pub struct ManArgs {
    /// Print the page of this subcommand instead of the top page (e.g. call)
    #[arg(value_name = "COMMAND", value_parser = man_page_names())]
    pub command: Option<String>,

    /// Write every page (kommo-mcp.1, kommo-mcp-call.1, …) into this directory instead
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath, conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}

/// The subcommands that have a man page of their own.
pub const MAN_PAGE_COMMANDS: [&str; 8] = [
    "serve",
    "call",
    "tools",
    "check",
    "sandbox",
    "new-key",
    "completions",
    "man",
];

fn man_page_names() -> PossibleValuesParser {
    PossibleValuesParser::new(MAN_PAGE_COMMANDS)
}

/// The tool names, so that shells complete them after `call` and clap names the known ones.
fn tool_names() -> PossibleValuesParser {
    PossibleValuesParser::new(ToolName::ALL.map(ToolName::as_str))
}

#[derive(Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Address to listen on (port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8099")]
    pub listen: SocketAddr,

    /// Requests per second the demo account takes before it answers 429, as Kommo does; 0 turns the limit off
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub requests_per_second: u32,
}

impl SandboxArgs {
    /// The simulator that serves the sandbox: the demo account only.
    pub fn simulator(&self) -> SimulatorArgs {
        SimulatorArgs {
            listen: self.listen,
            accounts: Vec::new(),
            missing_lead_404: false,
            requests_per_second: self.requests_per_second,
        }
    }
}

/// `health` options.
#[derive(Args, Debug, Clone)]
pub struct HealthArgs {
    /// The server's listen address; 0.0.0.0 and [::] are probed on loopback
    #[arg(
        long,
        env = "KOMMO_MCP_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,
}

#[derive(Args, Debug, Clone)]
pub struct SimulatorArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// A demo account to seed, as SUBDOMAIN:TOKEN (repeatable) [default: demo:sandbox-token]
    #[arg(long = "account", value_name = "SUBDOMAIN:TOKEN")]
    pub accounts: Vec<String>,

    /// Answer a missing lead with 404 instead of 204
    #[arg(long)]
    pub missing_lead_404: bool,

    /// Requests per second per account before 429; 0 turns the limit off (not --rate-limit,
    /// which is the global setting for kommo-mcp's own limiter)
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub requests_per_second: u32,
}

impl SettingsArgs {
    /// The settings with where each came from (flag or environment variable).
    pub fn raw(&self, matches: &ArgMatches) -> RawSettings {
        let sourced = |id: &str, value: &Option<String>, env: &'static str| -> Option<RawValue> {
            let value = value.clone()?;
            let source = match find_source(matches, id) {
                Some(ValueSource::EnvVariable) => Source::Env(env),
                _ => Source::Flag,
            };
            Some(RawValue { value, source })
        };
        let tools = sourced("tools", &self.tools, settings::TOOLS.env).or_else(|| {
            // clap skips an empty variable, but TOOLS_TO_USE="" means "no tools".
            std::env::var_os(settings::TOOLS.env)
                .filter(|value| value.is_empty())
                .map(|_| RawValue {
                    value: String::new(),
                    source: Source::Env(settings::TOOLS.env),
                })
        });
        RawSettings {
            token: sourced("token", &self.token, settings::TOKEN.env),
            subdomain: sourced("subdomain", &self.subdomain, settings::SUBDOMAIN.env),
            tools,
            pause_field_id: sourced(
                "pause_field_id",
                &self.pause_field_id,
                settings::PAUSE_FIELD_ID.env,
            ),
            pause_value: sourced("pause_value", &self.pause_value, settings::PAUSE_VALUE.env),
            base_url: sourced("base_url", &self.base_url, settings::BASE_URL.env),
            rate_limit: sourced("rate_limit", &self.rate_limit, settings::RATE_LIMIT.env),
            connect_timeout: sourced(
                "connect_timeout",
                &self.connect_timeout,
                settings::CONNECT_TIMEOUT.env,
            ),
            request_timeout: sourced(
                "request_timeout",
                &self.request_timeout,
                settings::REQUEST_TIMEOUT.env,
            ),
            pipelines_cache: sourced(
                "pipelines_cache",
                &self.pipelines_cache,
                settings::PIPELINES_CACHE.env,
            ),
            redis_url: sourced("redis_url", &self.redis_url, settings::REDIS_URL.env),
            redis_prefix: sourced(
                "redis_prefix",
                &self.redis_prefix,
                settings::REDIS_PREFIX.env,
            ),
            redis_fallback_rate: sourced(
                "redis_fallback_rate",
                &self.redis_fallback_rate,
                settings::REDIS_FALLBACK_RATE.env,
            ),
            redis_ca_file: sourced(
                "redis_ca_file",
                &self
                    .redis_ca_file
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned()),
                settings::REDIS_CA_FILE.env,
            ),
            audit_log: sourced(
                "audit_log",
                &self
                    .audit_log
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned()),
                settings::AUDIT_LOG.env,
            ),
            read_only: sourced("read_only", &self.read_only, settings::READ_ONLY.env),
            dry_run: sourced("dry_run", &self.dry_run, settings::DRY_RUN.env),
            note_dedupe: sourced("note_dedupe", &self.note_dedupe, settings::NOTE_DEDUPE.env),
            max_line_bytes: sourced(
                "max_line_bytes",
                &self.max_line_bytes,
                settings::MAX_LINE_BYTES.env,
            ),
            config: sourced(
                "config",
                &self
                    .config
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned()),
                settings::CONFIG.env,
            ),
            http: RawHttpLimits::default(),
            oauth: RawOAuth {
                issuer: sourced(
                    "oauth_issuer",
                    &self.oauth_issuer,
                    settings::OAUTH_ISSUER.env,
                ),
                public_url: sourced("public_url", &self.public_url, settings::PUBLIC_URL.env),
                audience: sourced(
                    "oauth_audience",
                    &self.oauth_audience,
                    settings::OAUTH_AUDIENCE.env,
                ),
                jwks_url: sourced(
                    "oauth_jwks_url",
                    &self.oauth_jwks_url,
                    settings::OAUTH_JWKS_URL.env,
                ),
                accounts_claim: sourced(
                    "oauth_accounts_claim",
                    &self.oauth_accounts_claim,
                    settings::OAUTH_ACCOUNTS_CLAIM.env,
                ),
            },
        }
    }
}

/// The serving flags given before a subcommand other than `serve` (e.g. `kommo-mcp --http
/// call …`), which would otherwise be ignored silently. Global settings may go anywhere.
pub fn misplaced_serve_flag(matches: &ArgMatches) -> Option<String> {
    let subcommand = matches.subcommand_name()?;
    let ids = [
        "http",
        "listen",
        "stateless",
        "auth_token",
        "rate_limit_per_ip",
        "allow_unauthenticated",
        "allowed_hosts",
        "allowed_origins",
        "metrics_listen",
        "metrics_account_label",
        "max_body_bytes",
        "max_json_depth",
        "max_json_values",
        "max_sessions",
        "session_idle_timeout",
        "header_read_timeout",
        "body_read_timeout",
        "max_connections",
    ];
    let given = ids
        .into_iter()
        .find(|id| matches.value_source(id) == Some(ValueSource::CommandLine))?;
    let flag = format!("--{}", given.replace('_', "-"));
    let flag = match given {
        "allowed_hosts" => "--allowed-host".to_owned(),
        "allowed_origins" => "--allowed-origin".to_owned(),
        _ => flag,
    };
    Some(if subcommand == "serve" {
        format!("{flag} must come after serve: kommo-mcp serve {flag} …")
    } else {
        format!("{flag} only applies to serving; it cannot be used with {subcommand}")
    })
}

/// An HTTP-only option given on the command line to a server without `--http`. These
/// options also read the environment, where a value must not need `--http` (an image sets
/// KOMMO_MCP_LISTEN for `serve --http` and still runs `call`), so clap's `requires` cannot
/// say it.
pub fn http_option_without_http(cli: &Cli, matches: &ArgMatches) -> Option<String> {
    let (serve, matches) = match (&cli.command, matches.subcommand()) {
        (None, _) => (&cli.serve, matches),
        (Some(Command::Serve(serve)), Some((_, sub))) => (serve.as_ref(), sub),
        _ => return None,
    };
    if serve.http {
        return None;
    }
    [
        "listen",
        "auth_token",
        "rate_limit_per_ip",
        "metrics_listen",
    ]
    .into_iter()
    .find(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
    .map(|id| {
        let flag = format!("--{}", id.replace('_', "-"));
        format!("{flag} only applies with --http: kommo-mcp serve --http {flag} …")
    })
}

/// Where a global argument's value came from, looking into the subcommand that was used.
fn find_source(matches: &ArgMatches, id: &str) -> Option<ValueSource> {
    if let Some((_, sub)) = matches.subcommand()
        && let Some(source) = find_source(sub, id)
    {
        return Some(source);
    }
    matches
        .try_get_raw(id)
        .ok()
        .flatten()
        .and_then(|_| matches.value_source(id))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches};

    use super::*;

    fn problem(args: &[&str]) -> Option<String> {
        let matches = Cli::command().try_get_matches_from(args).unwrap();
        let cli = Cli::from_arg_matches(&matches).unwrap();
        http_option_without_http(&cli, &matches)
    }

    #[test]
    fn http_options_on_the_command_line_need_http() {
        assert_eq!(
            problem(&["kommo-mcp", "serve", "--listen", "0.0.0.0:1"]).as_deref(),
            Some("--listen only applies with --http: kommo-mcp serve --http --listen …")
        );
        assert!(problem(&["kommo-mcp", "--auth-token", "k"]).is_some());
        assert_eq!(
            problem(&["kommo-mcp", "serve", "--http", "--listen", "0.0.0.0:1"]),
            None
        );
        assert_eq!(problem(&["kommo-mcp", "--http", "--auth-token", "k"]), None);
        assert_eq!(problem(&["kommo-mcp", "tools"]), None);
    }
}
