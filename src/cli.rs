//! The command line (clap derive only): subcommands, global settings and their
//! environment variables. Turning these into a `Config` is `config`'s job.

use std::{net::SocketAddr, path::PathBuf};

use clap::{ArgMatches, Args, Parser, Subcommand, ValueEnum, parser::ValueSource};

use crate::config::{RawSettings, RawValue, Source, settings};

const ABOUT: &str = "Let AI agents act on leads in Kommo CRM through the Model Context Protocol";

const LONG_ABOUT: &str = "kommo-mcp serves Kommo CRM tools (move_lead, pause_agent, resume_agent, \
add_note, get_lead, list_pipelines) to AI agents over MCP: on stdin/stdout (the default, for \
desktop clients), over streamable HTTP and legacy SSE (serve --http), or once from a shell (call).

Every setting can come from a flag, an environment variable or the config file; the flag wins \
over the environment, which wins over the file.";

#[derive(Parser, Debug)]
#[command(name = "kommo-mcp", version, about = ABOUT, long_about = LONG_ABOUT, args_conflicts_with_subcommands = true)]
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
        after_help = "Examples:\n  kommo-mcp call move_lead lead_id=12345 pipeline_id=1001 status_id=2002\n  kommo-mcp call add_note lead_id=12345 note=\"Called back, wants a quote\"\n  echo '{\"lead_id\":12345}' | kommo-mcp call pause_agent --json -\n\nExit status: 0 success, 1 the tool failed, 2 usage or configuration error."
    )]
    Call(CallArgs),
    /// List the enabled tools
    Tools(ToolsArgs),
    /// Show the effective configuration and check the token against Kommo
    Check,
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
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

    /// Kommo requests per second per account; 0 turns the limit off [default: 7] [config: rate_limit]
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

    /// Config file [default: ~/.config/kommo-mcp/config.toml]
    #[arg(long, global = true, env = "KOMMO_MCP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Log level or filter for stderr, e.g. debug or kommo_mcp=trace [default: RUST_LOG, else info]
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
    /// The tool to run
    #[arg(value_name = "TOOL")]
    pub tool: String,

    /// Arguments as KEY=VALUE, converted by the tool's input schema (lead_id=12 is a number)
    #[arg(value_name = "KEY=VALUE")]
    pub args: Vec<String>,

    /// Arguments as one JSON object, or - to read it from stdin
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
