//! The command line: subcommands in clap derive, and each subcommand's settings made from
//! the one table in `config::settings` (only those the subcommand takes). Turning them into
//! a `Config` is `config`'s job.

use std::{net::SocketAddr, path::PathBuf};

use clap::{
    Arg, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum,
    ValueHint, builder::PossibleValuesParser, parser::ValueSource,
};

use crate::{
    config::{Kind, RawSettings, RawValue, Setting, Source, Takes, settings},
    toolset::ToolName,
};

/// Help headings of the options that are not settings.
const CONFIGURATION: &str = "Configuration";
const HTTP: &str = "HTTP server (serve --http)";
const OPERATING: &str = "Operating (metrics, audit)";

const ABOUT: &str = "Let AI agents act on leads in Kommo CRM through the Model Context Protocol";

/// `--help`'s description, naming every tool (from the list in `toolset::every_tool!`).
fn long_about() -> String {
    format!(
        "kommo-mcp serves Kommo CRM tools ({}) to AI agents over MCP: on stdin/stdout (the \
default, for desktop clients), over streamable HTTP and legacy SSE (serve --http), or once from a \
shell (call).

Every setting can come from a flag, an environment variable or the config file; the flag wins \
over the environment, which wins over the file.",
        ToolName::ALL.map(ToolName::as_str).join(", ")
    )
}

#[derive(Parser, Debug)]
#[command(name = "kommo-mcp", version, about = ABOUT, long_about = long_about())]
pub struct Cli {
    /// Every setting: the form without a subcommand serves, and a setting may come before
    /// the subcommand that takes it.
    #[command(flatten)]
    pub settings: SettingArgs<{ Takes::TOP.0 }>,

    #[command(flatten)]
    pub sandbox: SandboxFlag,

    #[command(flatten)]
    pub serve: ServeArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve MCP over stdio (default) or HTTP (--http)
    #[command(
        after_help = "Tracing (docs/operating.md): off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) names an OTLP HTTP collector; OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS and OTEL_SDK_DISABLED are honoured."
    )]
    Serve(Box<ServeCommand>),
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
    Check(CheckArgs),
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

/// `health` options: where the server listens (the `listen` setting's variable and default).
#[derive(Args, Debug, Clone)]
pub struct HealthArgs {
    /// The server's listen address; 0.0.0.0 and [::] are probed on loopback
    #[arg(
        long,
        env = settings::LISTEN.env,
        value_name = "ADDR",
        default_value = HEALTH_DEFAULT_LISTEN
    )]
    pub listen: SocketAddr,
}

/// The `listen` setting's default (a unit test holds it equal to the settings table's).
const HEALTH_DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The settings of one subcommand (those in `TAKES`, a [`Takes`] bit set), as clap found
/// them: one argument per entry of `config::settings::ALL`.
#[derive(Debug, Clone, Default)]
pub struct SettingArgs<const TAKES: u16> {
    pub raw: RawSettings,
}

impl<const TAKES: u16> SettingArgs<TAKES> {
    fn taken() -> impl Iterator<Item = &'static Setting> {
        settings::ALL
            .iter()
            .filter(|setting| setting.takes.0 & TAKES != 0)
    }
}

impl<const TAKES: u16> Args for SettingArgs<TAKES> {
    fn augment_args(command: clap::Command) -> clap::Command {
        Self::taken().fold(command, |command, setting| command.arg(argument(setting)))
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl<const TAKES: u16> FromArgMatches for SettingArgs<TAKES> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut raw = RawSettings::default();
        for setting in Self::taken() {
            if let Some(value) = given(matches, setting) {
                raw.set(setting, value);
            }
        }
        Ok(Self { raw })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// The clap argument of one setting.
fn argument(setting: &'static Setting) -> Arg {
    let arg = Arg::new(setting.id())
        .long(setting.id())
        .env(setting.env)
        .hide_env_values(true)
        .value_name(setting.value_name)
        .help(setting.help_line())
        .help_heading(setting.heading.title());
    match setting.kind {
        Kind::Switch => arg
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true"),
        Kind::Choice(words) => arg.value_parser(PossibleValuesParser::new(words)),
        Kind::Path => arg.value_hint(ValueHint::FilePath),
        Kind::Url => arg.value_hint(ValueHint::Url),
        _ => arg,
    }
}

/// The value clap found for `setting`, with where it came from.
fn given(matches: &ArgMatches, setting: &Setting) -> Option<RawValue> {
    let value = matches.try_get_one::<String>(setting.id()).ok().flatten();
    let Some(value) = value else {
        // clap skips an empty variable, but TOOLS_TO_USE="" means "no tools".
        return (setting.kind == Kind::ToolList)
            .then(|| std::env::var_os(setting.env))
            .flatten()
            .filter(|value| value.is_empty())
            .map(|_| RawValue {
                value: String::new(),
                source: Source::Env(setting.env),
            });
    };
    let source = match matches.value_source(setting.id()) {
        Some(ValueSource::EnvVariable) => Source::Env(setting.env),
        _ => Source::Flag,
    };
    Some(RawValue {
        value: value.clone(),
        source,
    })
}

/// `--sandbox`, taken by the subcommands that act on an account.
#[derive(Args, Debug, Clone, Default)]
pub struct SandboxFlag {
    /// Use a fresh demo Kommo account started inside this command (gone when it exits; see `kommo-mcp sandbox` to keep one running)
    #[arg(long, help_heading = CONFIGURATION)]
    pub sandbox: bool,
}

/// `serve`: its settings and how to serve.
#[derive(Args, Debug, Clone)]
pub struct ServeCommand {
    #[command(flatten)]
    pub settings: SettingArgs<{ Takes::SERVE.0 }>,

    #[command(flatten)]
    pub sandbox: SandboxFlag,

    #[command(flatten)]
    pub serve: ServeArgs,
}

/// How to serve: the switches of `serve` that are not settings.
#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    /// Serve over HTTP (streamable HTTP at /mcp, legacy SSE at /sse) instead of stdio
    #[arg(long, help_heading = HTTP)]
    pub http: bool,

    /// Serve /mcp without sessions, so any replica can answer any request
    #[arg(long, requires = "http", help_heading = HTTP)]
    pub stateless: bool,

    /// Allow listening on a non-loopback address without --auth-token
    #[arg(long, requires = "http", help_heading = HTTP)]
    pub allow_unauthenticated: bool,

    /// Also accept this Host header (repeatable), e.g. mcp.example.com behind a proxy
    #[arg(long = "allowed-host", value_name = "HOST", requires = "http", help_heading = HTTP)]
    pub allowed_hosts: Vec<String>,

    /// Also accept this Origin (repeatable), e.g. https://app.example.com
    #[arg(long = "allowed-origin", value_name = "ORIGIN", requires = "http", help_heading = HTTP)]
    pub allowed_origins: Vec<String>,

    /// Label Kommo metrics with the account subdomain (one series per account)
    #[arg(long, requires = "http", help_heading = OPERATING)]
    pub metrics_account_label: bool,
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

    #[command(flatten)]
    pub settings: SettingArgs<{ Takes::CALL.0 }>,

    #[command(flatten)]
    pub sandbox: SandboxFlag,
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

    #[command(flatten)]
    pub settings: SettingArgs<{ Takes::TOOLS.0 }>,

    #[command(flatten)]
    pub sandbox: SandboxFlag,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    #[command(flatten)]
    pub settings: SettingArgs<{ Takes::CHECK.0 }>,

    #[command(flatten)]
    pub sandbox: SandboxFlag,
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
pub(crate) const MAN_PAGE_COMMANDS: [&str; 8] = [
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

    #[command(flatten)]
    pub settings: SettingArgs<{ Takes::SANDBOX.0 }>,
}

impl SandboxArgs {
    /// The simulator that serves the sandbox: the demo account only.
    pub fn simulator(&self) -> SimulatorArgs {
        SimulatorArgs {
            listen: self.listen,
            accounts: Vec::new(),
            missing_lead_404: false,
            requests_per_second: self.requests_per_second,
            settings: SettingArgs::default(),
        }
    }
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

    #[command(flatten)]
    pub settings: SettingArgs<{ Takes::SIMULATOR.0 }>,
}

impl Cli {
    /// The settings of the subcommand being run: each as given after the subcommand, else
    /// before it, of those the subcommand takes.
    pub fn settings(&self) -> RawSettings {
        let (own, takes) = match &self.command {
            None => (None, Takes::SERVE),
            Some(Command::Serve(args)) => (Some(&args.settings.raw), Takes::SERVE),
            Some(Command::Call(args)) => (Some(&args.settings.raw), Takes::CALL),
            Some(Command::Tools(args)) => (Some(&args.settings.raw), Takes::TOOLS),
            Some(Command::Check(args)) => (Some(&args.settings.raw), Takes::CHECK),
            Some(Command::Sandbox(args)) => (Some(&args.settings.raw), Takes::SANDBOX),
            Some(Command::Simulator(args)) => (Some(&args.settings.raw), Takes::SIMULATOR),
            Some(
                Command::NewKey | Command::Completions(_) | Command::Man(_) | Command::Health(_),
            ) => (None, Takes(0)),
        };
        let mut merged = self.settings.raw.clone();
        merged.retain(takes);
        if let Some(own) = own {
            merged.overlay(own);
        }
        merged
    }

    /// `--sandbox`, before or after the subcommand.
    pub fn sandbox(&self) -> bool {
        self.sandbox.sandbox
            || match &self.command {
                Some(Command::Serve(args)) => args.sandbox.sandbox,
                Some(Command::Call(args)) => args.sandbox.sandbox,
                Some(Command::Tools(args)) => args.sandbox.sandbox,
                Some(Command::Check(args)) => args.sandbox.sandbox,
                _ => false,
            }
    }

    /// How to serve, when serving (with or without the `serve` subcommand).
    pub fn serve_args(&self) -> Option<&ServeArgs> {
        match &self.command {
            None => Some(&self.serve),
            Some(Command::Serve(args)) => Some(&args.serve),
            Some(_) => None,
        }
    }
}

/// A usage mistake clap cannot see: an option given before a subcommand that does not take
/// it (e.g. `kommo-mcp --redis-url x new-key`), a serving switch before `serve`, or an
/// HTTP-only setting given as a flag to a server without `--http`.
pub(crate) fn usage_problem(cli: &Cli, matches: &ArgMatches) -> Option<String> {
    if let Some((name, _)) = matches.subcommand()
        && let Some(problem) = misplaced_option(matches, name)
    {
        return Some(problem);
    }
    let serve = cli.serve_args()?;
    if serve.http {
        return None;
    }
    let settings = cli.settings();
    settings::ALL
        .iter()
        .filter(|setting| setting.needs_http)
        .find(|setting| {
            settings
                .get(setting)
                .is_some_and(|v| v.source == Source::Flag)
        })
        .map(|setting| {
            format!(
                "{} only applies with --http: kommo-mcp serve --http {} …",
                setting.flag, setting.flag
            )
        })
}

/// An option given on the command line before subcommand `name` that `name` does not take.
fn misplaced_option(matches: &ArgMatches, name: &str) -> Option<String> {
    let top = Cli::command();
    let sub = top.find_subcommand(name)?;
    let serving = ServeArgs::augment_args(clap::Command::new("serve"));
    let is_serving_switch = |id: &str| serving.get_arguments().any(|arg| arg.get_id() == id);
    for arg in top.get_arguments() {
        let id = arg.get_id().as_str();
        if matches.value_source(id) != Some(ValueSource::CommandLine) {
            continue;
        }
        let flag = format!("--{}", arg.get_long().unwrap_or(id));
        if is_serving_switch(id) {
            return Some(if name == "serve" {
                format!("{flag} must come after serve: kommo-mcp serve {flag} …")
            } else {
                format!("{flag} only applies to serving; it cannot be used with {name}")
            });
        }
        let takers: Vec<&str> = match settings::ALL.iter().find(|s| s.id() == id) {
            Some(setting) => {
                let taken = Takes::of_subcommand(name).is_some_and(|t| setting.takes.contains(t));
                if taken {
                    continue;
                }
                setting.takes.names()
            }
            None => {
                if sub.get_arguments().any(|own| own.get_id() == id) {
                    continue;
                }
                top.get_subcommands()
                    .filter(|other| !other.is_hide_set())
                    .filter(|other| other.get_arguments().any(|own| own.get_id() == id))
                    .map(|other| other.get_name())
                    .collect()
            }
        };
        return Some(format!(
            "{flag} only applies to {}; it cannot be used with {name}",
            takers.join(", ")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::config::{DefaultValue, settings};

    #[test]
    fn the_health_probe_defaults_to_the_listen_settings_default() {
        assert!(matches!(
            settings::LISTEN.default,
            DefaultValue::Value(default) if default == super::HEALTH_DEFAULT_LISTEN
        ));
    }
}
