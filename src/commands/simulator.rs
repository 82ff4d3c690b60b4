//! `kommo-mcp simulator` (hidden) and `kommo-mcp sandbox`: the Kommo simulator as a process
//! of its own. `simulator` is for the tests and the benchmark (it prints its base-URL
//! template on stdout); `sandbox` is for people rehearsing a flow from a shell (it prints the
//! settings that point other kommo-mcp commands at it, and keeps its state until stopped).

use std::{io::Write, process::ExitCode};

use kommo_sim::{MissingLead, Simulator, SimulatorOptions};

use crate::{
    cli::{SandboxArgs, SimulatorArgs},
    config::settings,
    error::AppError,
    sandbox,
};

/// The token of the default demo account (the simulator accepts nothing else for it).
const DEFAULT_TOKEN: &str = "sandbox-token";

pub(crate) async fn run(args: &SimulatorArgs) -> Result<ExitCode, AppError> {
    let simulator = start(args).await?;
    print_stdout(&format!("{}\n", simulator.base_url_template()))?;
    tracing::info!(addr = %simulator.addr(), "Kommo simulator listening; control API at /__sim/");
    serve_until_stopped(simulator).await
}

pub(crate) async fn run_sandbox(args: &SandboxArgs) -> Result<ExitCode, AppError> {
    let args = args.simulator();
    let simulator = start(&args).await?;
    let (subdomain, token) = first_account(&args.accounts)?;
    let template = simulator.base_url_template();
    print_stdout(&format!(
        "export {}='{template}'\nexport {}={subdomain}\nexport {}={token}\nexport {}={}\n",
        settings::BASE_URL.env,
        settings::SUBDOMAIN.env,
        settings::TOKEN.env,
        settings::PAUSE_FIELD_ID.env,
        sandbox::PAUSE_FIELD_ID,
    ))?;
    eprintln!(
        "kommo-mcp sandbox: a demo Kommo account is listening on http://{addr} until you stop it \
         (Ctrl-C); what you change stays until then.\n\
         Run the export lines above in another shell, then use kommo-mcp as usual, e.g.\n  \
         kommo-mcp call pause_agent lead_id=9001\n  kommo-mcp call get_lead lead_id=9001\n\n{}",
        kommo_sim::seed::summary(),
        addr = simulator.addr(),
    );
    serve_until_stopped(simulator).await
}

/// Starts the simulator with the requested accounts (the demo account by default).
async fn start(args: &SimulatorArgs) -> Result<Simulator, AppError> {
    let accounts = parsed_accounts(&args.accounts)?;
    let options = SimulatorOptions {
        missing_lead: if args.missing_lead_404 {
            MissingLead::NotFound
        } else {
            MissingLead::NoContent
        },
        rate_limit: (args.requests_per_second > 0).then_some(args.requests_per_second),
        ..SimulatorOptions::default()
    };
    let simulator = Simulator::start_on(args.listen, options)
        .await
        .map_err(|err| anyhow::anyhow!("cannot listen on {}: {err}", args.listen))?;
    for (subdomain, token) in &accounts {
        simulator.state().add_demo_account(subdomain, token);
    }
    Ok(simulator)
}

/// `--account SUBDOMAIN:TOKEN` values, or the demo account when none is given.
fn parsed_accounts(accounts: &[String]) -> Result<Vec<(String, String)>, AppError> {
    if accounts.is_empty() {
        return Ok(vec![(
            sandbox::SUBDOMAIN.to_owned(),
            DEFAULT_TOKEN.to_owned(),
        )]);
    }
    accounts
        .iter()
        .map(|account| match account.split_once(':') {
            Some((subdomain, token)) if !subdomain.is_empty() && !token.is_empty() => {
                Ok((subdomain.to_owned(), token.to_owned()))
            }
            _ => Err(AppError::Usage(format!(
                "--account {account:?} must be SUBDOMAIN:TOKEN"
            ))),
        })
        .collect()
}

fn first_account(accounts: &[String]) -> Result<(String, String), AppError> {
    parsed_accounts(accounts)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Usage("no account to serve".to_owned()))
}

fn print_stdout(text: &str) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(anyhow::Error::from)?;
    Ok(())
}

async fn serve_until_stopped(simulator: Simulator) -> Result<ExitCode, AppError> {
    crate::shutdown::signal().await;
    simulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
