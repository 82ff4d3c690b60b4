//! The command line (clap derive only): subcommands, global settings and their
//! environment variables. Turning these into a `Config` is `config`'s job.

use std::{net::SocketAddr, path::PathBuf};

use clap::{
    ArgMatches, Args, Parser, Subcommand, ValueEnum, builder::PossibleValuesParser,
    parser::ValueSource,
};

use crate::{
    config::{RawSettings, RawValue, Source, settings},
    toolset::ToolName,
};

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
    Serve(ServeArgs),
    /// Run one tool once and print its result
    #[command(
        after_help = "Examples:\n  kommo-mcp call move_lead lead_id=12345 pipeline_id=1001 status_id=2002\n  kommo-mcp call add_note lead_id=12345 note=\"Called back, wants a quote\"\n  echo '{\"lead_id\":12345}' | kommo-mcp call pause_agent --json -\n  kommo-mcp --sandbox call get_lead lead_id=9001 --output json\n\nKEY=VALUE and --json cannot be mixed. A key the tool does not take, a repeated key, or a value that is not a whole number for an integer argument (lead_id=abc) is a usage error; the tool itself checks the rest (lead_id=0) and fails with its sentence.\n\nExit status: 0 success, 1 the tool failed (its sentence and the reason on stderr), 2 usage or configuration error (also: the tool is not enabled by TOOLS_TO_USE)."
    )]
    Call(CallArgs),
    /// List the enabled tools
    Tools(ToolsArgs),
    /// Show the effective configuration and check the token against Kommo
    #[command(
        after_help = "Exit status: 0 everything is in order, 1 Kommo refused the token or something is misconfigured (a sentence says what to fix), 2 usage or configuration error."
    )]
    Check,
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write every page to a directory
    Man(ManArgs),
    /// Run the Kommo API simulator alone (for tests and benchmarks)
    #[command(hide = true)]
    Simulator(SimulatorArgs),
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
        value_name = "TOKEN"
    )]
    pub token: Option<String>,

    /// Kommo account subdomain, e.g. "mycompany" for mycompany.kommo.com [config: subdomain]
    #[arg(
        long,
        global = true,
        env = "KOMMO_ACCOUNT_SUBDOMAIN",
        value_name = "SUBDOMAIN"
    )]
    pub subdomain: Option<String>,

    /// Enabled tools: JSON array or comma-separated names; empty enables none [default: all] [config: tools]
    #[arg(long, global = true, env = "TOOLS_TO_USE", value_name = "LIST")]
    pub tools: Option<String>,

    /// Id of the checkbox lead field that pauses the AI agent [config: pause_field_id]
    #[arg(long, global = true, env = "KOMMO_PAUSE_FIELD_ID", value_name = "ID")]
    pub pause_field_id: Option<String>,

    /// Value of the pause field that means "paused" [default: true] [config: pause_value]
    #[arg(long, global = true, env = "KOMMO_PAUSE_VALUE", value_name = "BOOL")]
    pub pause_value: Option<String>,

    /// Kommo API base-URL template [default: https://{subdomain}.kommo.com] [config: base_url]
    #[arg(long, global = true, env = "KOMMO_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Kommo requests per second per account, shared by the whole process; 0 turns off this limit (a 429 from Kommo still pauses the account) [default: 7] [config: rate_limit]
    #[arg(long, global = true, env = "KOMMO_RATE_LIMIT", value_name = "N")]
    pub rate_limit: Option<String>,

    /// Seconds to wait for a connection to Kommo [default: 5] [config: connect_timeout]
    #[arg(
        long,
        global = true,
        env = "KOMMO_CONNECT_TIMEOUT",
        value_name = "SECONDS"
    )]
    pub connect_timeout: Option<String>,

    /// Seconds to wait for one Kommo answer [default: 20] [config: request_timeout]
    #[arg(
        long,
        global = true,
        env = "KOMMO_REQUEST_TIMEOUT",
        value_name = "SECONDS"
    )]
    pub request_timeout: Option<String>,

    /// Seconds pipelines stay cached per account [default: 300] [config: pipelines_cache]
    #[arg(
        long,
        global = true,
        env = "KOMMO_PIPELINES_CACHE",
        value_name = "SECONDS"
    )]
    pub pipelines_cache: Option<String>,

    /// Longest stdin line (one JSON-RPC message) in bytes in stdio mode; a longer line is answered with a parse error and discarded [default: 4194304 (4 MiB)] [config: max_line_bytes]
    #[arg(
        long,
        global = true,
        env = "KOMMO_MCP_MAX_LINE_BYTES",
        value_name = "BYTES"
    )]
    pub max_line_bytes: Option<String>,

    /// Config file [default: ~/.config/kommo-mcp/config.toml]
    #[arg(long, global = true, env = "KOMMO_MCP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info; warn for call, tools and check]
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,

    /// Start an in-process Kommo simulator with a demo account and use it
    #[arg(long, global = true)]
    pub sandbox: bool,
}

/// How to serve.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio
    #[arg(long)]
    pub http: bool,

    /// Address to listen on with --http
    #[arg(
        long,
        env = "KOMMO_MCP_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        requires = "http"
    )]
    pub listen: SocketAddr,

    /// Serve /mcp without sessions, so any replica can answer any request
    #[arg(long, requires = "http")]
    pub stateless: bool,

    /// Require "Authorization: Bearer <TOKEN>" on every route but /healthz
    #[arg(
        long,
        env = "KOMMO_MCP_AUTH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        requires = "http"
    )]
    pub auth_token: Option<String>,

    /// Allow listening on a non-loopback address without --auth-token
    #[arg(long, requires = "http")]
    pub allow_unauthenticated: bool,

    /// Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy
    #[arg(long = "allowed-host", value_name = "HOST", requires = "http")]
    pub allowed_hosts: Vec<String>,

    /// Also accept this Origin (repeatable), e.g. https://app.example.com
    #[arg(long = "allowed-origin", value_name = "ORIGIN", requires = "http")]
    pub allowed_origins: Vec<String>,
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
pub const MAN_PAGE_COMMANDS: [&str; 6] = ["serve", "call", "tools", "check", "completions", "man"];

fn man_page_names() -> PossibleValuesParser {
    PossibleValuesParser::new(MAN_PAGE_COMMANDS)
}

/// The tool names, so that shells complete them after `call` and clap names the known ones.
fn tool_names() -> PossibleValuesParser {
    PossibleValuesParser::new(ToolName::ALL.map(ToolName::as_str))
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
        "allow_unauthenticated",
        "allowed_hosts",
        "allowed_origins",
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
