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
    if let Some(problem) = crate::cli::misplaced_serve_flag(matches) {
        return Err(AppError::Usage(problem));
    }
    match &cli.command {
        Some(Command::Completions(args)) => return commands::generate::completions(args.shell),
        Some(Command::Man(args)) => return commands::generate::man(args),
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
    logging::init(cli.settings.log_level.as_deref(), default_filter).map_err(AppError::Usage)?;
    if let Some(Command::Simulator(args)) = &cli.command {
        return commands::simulator::run(args).await;
    }
    let mut config = Config::resolve(&cli.settings.raw(matches))?;
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
        Some(Command::Completions(_) | Command::Man(_) | Command::Simulator(_)) => {
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(kit: Arc<Toolkit>, args: &crate::cli::ServeArgs) -> Result<ExitCode, AppError> {
    if !args.http {
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
    transport::guard::check_exposure(
        args.listen,
        auth_token.is_some(),
        kit.config().holds_kommo_token(),
        args.allow_unauthenticated,
    )
    .map_err(AppError::Usage)?;
    let policy = AccessPolicy::new(
        auth_token,
        args.listen,
        &args.allowed_hosts,
        &args.allowed_origins,
    )
    .map_err(|err| AppError::Usage(err.to_string()))?;
    let options = HttpOptions {
        listen: args.listen,
        stateless: args.stateless,
        policy,
    };
    transport::http::serve(KommoMcp::new(kit), options).await?;
    Ok(ExitCode::SUCCESS)
}
