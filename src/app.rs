//! The program: parse the command line, then do what it says — resolve the configuration,
//! start logging, build the toolkit, and dispatch to the transport or subcommand — and
//! report errors with the exit codes of `error::exit`.

use std::{process::ExitCode, sync::Arc};

use clap::{ArgMatches, CommandFactory, FromArgMatches, error::ErrorKind};

use crate::{
    cli::{Cli, Command},
    commands,
    config::{Config, LogSettings},
    error::AppError,
    logging,
    server::KommoMcp,
    tools::Toolkit,
    transport::{self, guard::AccessPolicy, http::HttpOptions},
};

/// The whole program, as `main` runs it.
pub fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => return usage_error(err),
    };
    match run(cli, &matches) {
        Ok(code) => code,
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kommo-mcp: error: {err}");
            err.exit_code()
        }
    }
}

/// `--help` and `--version` print to stdout and exit 0; every other clap error goes to
/// stderr in our format (`kommo-mcp: error: …`, then clap's hints) and exits 2.
fn usage_error(err: clap::Error) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        err.exit();
    }
    let text = err.render().to_string();
    let text = text.trim_end();
    let text = text.strip_prefix("error: ").unwrap_or(text);
    eprintln!("kommo-mcp: error: {text}");
    ExitCode::from(crate::error::exit::USAGE)
}

/// Runs the parsed command line.
fn run(cli: Cli, matches: &ArgMatches) -> Result<ExitCode, AppError> {
    let runtime = runtime_for(&cli)
        .map_err(|err| anyhow::anyhow!("cannot start the async runtime: {err}"))?;
    let result = runtime.block_on(run_async(cli, matches));
    // The exporter sends the last spans on the runtime, so the flush waits on a thread of
    // its own while `block_on` keeps the runtime going (a stdio server's runtime has no
    // other thread to do it). Without tracing there is nothing to flush.
    if logging::started()
        && let Err(err) = runtime.block_on(runtime.spawn_blocking(logging::finish))
    {
        tracing::warn!("the last traces may not have been sent: {err}");
    }
    result
}

/// One thread for a stdio server: it serves one client, and its idle memory is what a
/// desktop client's machine pays for every server it starts (each worker thread costs its
/// stack and the allocator's pages of its own). Two workers for everything else.
fn runtime_for(cli: &Cli) -> std::io::Result<tokio::runtime::Runtime> {
    let stdio = cli.serve_args().is_some_and(|serve| !serve.http);
    let mut builder = if stdio {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(2);
        builder
    };
    builder.enable_all().build()
}

async fn run_async(cli: Cli, matches: &ArgMatches) -> Result<ExitCode, AppError> {
    if let Some(problem) = crate::cli::usage_problem(&cli, matches) {
        return Err(AppError::Usage(problem));
    }
    #[cfg(not(feature = "sandbox"))]
    if cli.sandbox()
        || matches!(
            cli.command,
            Some(Command::Simulator(_) | Command::Sandbox(_))
        )
    {
        return Err(AppError::Usage(WITHOUT_SANDBOX.to_owned()));
    }
    match &cli.command {
        Some(Command::Completions(args)) => return commands::generate::completions(args.shell),
        Some(Command::Man(args)) => return commands::generate::man(args),
        Some(Command::NewKey) => return Ok(commands::new_key::run()),
        Some(Command::Health(args)) => return Ok(commands::health::run(args).await),
        _ => {}
    }
    // A one-shot command keeps stderr for its own answer unless asked for more.
    let one_shot = matches!(
        cli.command,
        Some(Command::Call(_) | Command::Tools(_) | Command::Check(_))
    );
    let default_filter = if one_shot {
        logging::ONE_SHOT
    } else {
        logging::DEFAULT
    };
    let settings = cli.settings();
    if let Some(Command::Simulator(_) | Command::Sandbox(_)) = &cli.command {
        start_logging(
            &Config::logging_from_command_line(&settings)?,
            default_filter,
        )?;
        #[cfg(feature = "sandbox")]
        return match &cli.command {
            Some(Command::Sandbox(args)) => commands::simulator::run_sandbox(args).await,
            Some(Command::Simulator(args)) => commands::simulator::run(args).await,
            _ => Ok(ExitCode::SUCCESS),
        };
    }
    #[cfg_attr(not(feature = "sandbox"), allow(unused_mut))]
    let mut config = Config::resolve(&settings)?;
    start_logging(&config.logging, default_filter)?;
    #[cfg(feature = "sandbox")]
    let _sandbox = if cli.sandbox() {
        Some(crate::sandbox::start(&mut config).await?)
    } else {
        None
    };
    let kit = Arc::new(Toolkit::new(Arc::new(config)));
    if let Some(args) = cli.serve_args() {
        return serve(kit, args).await;
    }
    match cli.command {
        Some(Command::Call(args)) => commands::call::run(&kit, &args).await,
        Some(Command::Tools(args)) => commands::tools::run(&kit, &args),
        Some(Command::Check(_)) => commands::check::run(&kit).await,
        None
        | Some(
            Command::Serve(_)
            | Command::Completions(_)
            | Command::Man(_)
            | Command::Simulator(_)
            | Command::Sandbox(_)
            | Command::Health(_)
            | Command::NewKey,
        ) => Ok(ExitCode::SUCCESS),
    }
}

/// What `--sandbox`, `kommo-mcp sandbox` and `kommo-mcp simulator` answer (exit 2) in a
/// binary built without the `sandbox` feature (`cargo build --no-default-features`).
#[cfg(not(feature = "sandbox"))]
const WITHOUT_SANDBOX: &str = "this kommo-mcp was built without the `sandbox` feature, so it has \
    no built-in demo Kommo account (--sandbox, `kommo-mcp sandbox`); use your own Kommo \
    account, or install a build with default features";

async fn serve(kit: Arc<Toolkit>, args: &crate::cli::ServeArgs) -> Result<ExitCode, AppError> {
    if let Some(audit) = kit.audit() {
        audit.reopen_on_sighup();
    }
    if !args.http {
        log_start(kit.config(), "stdio");
        let max_line_bytes = kit.config().max_line_bytes.value;
        transport::stdio::serve(KommoMcp::new(kit), max_line_bytes).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let serving = kit.config().serve.clone();
    let listen = serving.listen.value;
    let auth_token = serving.auth_token.map(|token| token.value);
    let clients = kit.config().clients.clone();
    let oauth = kit.config().oauth.as_ref();
    transport::guard::check_exposure(
        listen,
        auth_token.is_some() || !clients.is_empty() || oauth.is_some(),
        kit.config().holds_kommo_token(),
        args.allow_unauthenticated,
    )
    .map_err(AppError::Usage)?;
    let policy = AccessPolicy::new(
        auth_token,
        clients,
        listen,
        &args.allowed_hosts,
        &args.allowed_origins,
    )
    .map_err(|err| AppError::Usage(err.to_string()))?;
    let policy = match oauth {
        Some(settings) => policy.with_oauth(Arc::new(transport::oauth::OAuth::new(settings)?)),
        None => policy,
    };
    log_start(kit.config(), "http");
    let options = HttpOptions {
        listen,
        stateless: args.stateless,
        policy,
        rate_limit_per_ip: serving.rate_limit_per_ip.map(|n| n.value),
        metrics_listen: serving.metrics_listen.map(|addr| addr.value),
        metrics_account_label: args.metrics_account_label,
        limits: kit.config().http.clone(),
    };
    transport::http::serve(KommoMcp::new(kit), options).await?;
    Ok(ExitCode::SUCCESS)
}

fn start_logging(settings: &LogSettings, default_filter: &str) -> Result<(), AppError> {
    logging::init(
        settings.level.as_ref().map(|level| level.value.as_str()),
        default_filter,
        settings.format.value,
    )
    .map_err(AppError::Usage)
}

/// One `info` line at start, so a desktop client's log shows what this server is: version,
/// transport, enabled tools, account and config file (never a token).
fn log_start(config: &Config, transport: &str) {
    let account = config
        .subdomain
        .as_ref()
        .map_or_else(|| "not configured".to_owned(), |s| s.value.to_string());
    let config_file = config
        .config_file
        .as_ref()
        .map_or_else(|| "none".to_owned(), |path| path.display().to_string());
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        transport,
        tools = %config.tools.value,
        account = %account,
        config_file = %config_file,
        "kommo-mcp starting"
    );
}
