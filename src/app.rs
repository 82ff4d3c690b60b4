//! What a command does once parsed: resolve the configuration, start logging, build the
//! toolkit, and dispatch to the transport or subcommand.

use std::{process::ExitCode, sync::Arc};

use clap::ArgMatches;

use crate::{
    cli::{Cli, Command},
    commands,
    config::Config,
    error::AppError,
    logging,
    secret::Secret,
    server::KommoMcp,
    tools::Toolkit,
    transport::{self, guard::AccessPolicy, http::HttpOptions},
};

/// Runs the parsed command line.
pub fn run(cli: Cli, matches: &ArgMatches) -> Result<ExitCode, AppError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| anyhow::anyhow!("cannot start the async runtime: {err}"))?;
    runtime.block_on(run_async(cli, matches))
}

async fn run_async(cli: Cli, matches: &ArgMatches) -> Result<ExitCode, AppError> {
    if let Some(problem) = crate::cli::misplaced_serve_flag(matches)
        .or_else(|| crate::cli::http_option_without_http(&cli, matches))
    {
        return Err(AppError::Usage(problem));
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
        Some(Command::Call(_) | Command::Tools(_) | Command::Check)
    );
    let default_filter = if one_shot {
        logging::ONE_SHOT
    } else {
        logging::DEFAULT
    };
    logging::init(
        cli.settings.log_level.as_deref(),
        default_filter,
        cli.settings.log_format,
    )
    .map_err(AppError::Usage)?;
    match &cli.command {
        Some(Command::Simulator(args)) => return commands::simulator::run(args).await,
        Some(Command::Sandbox(args)) => return commands::simulator::run_sandbox(args).await,
        _ => {}
    }
    let mut raw = cli.settings.raw(matches);
    raw.http = match &cli.command {
        Some(Command::Serve(args)) => args.limits.raw(matches),
        _ => cli.serve.limits.raw(matches),
    };
    let mut config = Config::resolve(&raw)?;
    let _sandbox = if cli.settings.sandbox {
        Some(crate::sandbox::start(&mut config).await?)
    } else {
        None
    };
    let kit = Arc::new(Toolkit::new(Arc::new(config)));
    match cli.command {
        None => serve(kit, &cli.serve).await,
        Some(Command::Serve(args)) => serve(kit, &args).await,
        Some(Command::Call(args)) => commands::call::run(&kit, &args).await,
        Some(Command::Tools(args)) => commands::tools::run(&kit, &args),
        Some(Command::Check) => commands::check::run(&kit).await,
        Some(
            Command::Completions(_)
            | Command::Man(_)
            | Command::Simulator(_)
            | Command::Sandbox(_)
            | Command::Health(_)
            | Command::NewKey,
        ) => Ok(ExitCode::SUCCESS),
    }
}

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
    let auth_token = args
        .auth_token
        .as_deref()
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .map(Secret::new);
    let clients = kit.config().clients.clone();
    let oauth = kit.config().oauth.as_ref();
    transport::guard::check_exposure(
        args.listen,
        auth_token.is_some() || !clients.is_empty() || oauth.is_some(),
        kit.config().holds_kommo_token(),
        args.allow_unauthenticated,
    )
    .map_err(AppError::Usage)?;
    let policy = AccessPolicy::new(
        auth_token,
        clients,
        args.listen,
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
        listen: args.listen,
        stateless: args.stateless,
        policy,
        rate_limit_per_ip: args.rate_limit_per_ip,
        metrics_listen: args.metrics_listen,
        metrics_account_label: args.metrics_account_label,
        limits: kit.config().http.clone(),
    };
    transport::http::serve(KommoMcp::new(kit), options).await?;
    Ok(ExitCode::SUCCESS)
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
