//! Shell completions and man pages, generated from the clap definition.

use std::{io::Write, process::ExitCode};

use clap::CommandFactory;

use crate::{cli::Cli, error::AppError};

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, AppError> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "kommo-mcp", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

pub fn man() -> Result<ExitCode, AppError> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buffer)
        .map_err(anyhow::Error::from)?;
    std::io::stdout()
        .write_all(&buffer)
        .map_err(anyhow::Error::from)?;
    Ok(ExitCode::SUCCESS)
}
