//! `kommo-mcp simulator` (hidden): the Kommo simulator as a process of its own, for the
//! Python tests and the benchmark. Prints its base-URL template on stdout.

use std::{io::Write, process::ExitCode};

use crate::{
    cli::SimulatorArgs,
    error::AppError,
    simulator::{MissingLead, Simulator, SimulatorOptions},
};

pub async fn run(args: &SimulatorArgs) -> Result<ExitCode, AppError> {
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
    let accounts = if args.accounts.is_empty() {
        vec!["demo:sandbox-token".to_owned()]
    } else {
        args.accounts.clone()
    };
    for account in &accounts {
        let Some((subdomain, token)) = account.split_once(':') else {
            return Err(AppError::Usage(format!(
                "--account {account:?} must be SUBDOMAIN:TOKEN"
            )));
        };
        simulator.state().add_demo_account(subdomain, token);
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", simulator.base_url_template()).map_err(anyhow::Error::from)?;
        out.flush().map_err(anyhow::Error::from)?;
    }
    tracing::info!(addr = %simulator.addr(), "Kommo simulator listening; control API at /__sim/");
    crate::shutdown::signal().await;
    simulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
