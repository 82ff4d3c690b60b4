//! Shell completions and man pages, generated from the clap definition; also the list of
//! generated files committed under `completions/` and `man/`.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use super::manpage;
use crate::{
    cli::{Cli, ManArgs},
    error::AppError,
};

const BIN: &str = "kommo-mcp";

/// Every shell `completions` supports, in the order the files are listed.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

/// The completion script for one shell.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut buffer);
    buffer
}

/// Every man page as (file name, roff), `kommo-mcp.1` first.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    manpage::pages(Cli::command())
}

/// Every generated file with its path relative to the repository root.
pub fn generated_files() -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = SHELLS
        .iter()
        .map(|shell| {
            (
                Path::new("completions").join(shell.file_name(BIN)),
                completion_script(*shell),
            )
        })
        .collect();
    files.extend(
        man_pages()?
            .into_iter()
            .map(|(name, text)| (Path::new("man").join(name), text)),
    );
    Ok(files)
}

pub fn completions(shell: Shell) -> Result<ExitCode, AppError> {
    write_stdout(&completion_script(shell))
}

pub fn man(args: &ManArgs) -> Result<ExitCode, AppError> {
    let pages = man_pages().map_err(anyhow::Error::from)?;
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .map_err(|err| anyhow::anyhow!("cannot create {}: {err}", dir.display()))?;
        for (name, text) in &pages {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .map_err(|err| anyhow::anyhow!("cannot write {}: {err}", path.display()))?;
            writeln!(std::io::stdout(), "{}", path.display()).map_err(anyhow::Error::from)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let wanted = match &args.command {
        Some(command) => format!("{BIN}-{command}.1"),
        None => format!("{BIN}.1"),
    };
    let Some((_, text)) = pages.iter().find(|(name, _)| *name == wanted) else {
        return Err(AppError::Usage(format!("no man page {wanted}")));
    };
    write_stdout(text)
}

fn write_stdout(bytes: &[u8]) -> Result<ExitCode, AppError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(anyhow::Error::from)?;
    Ok(ExitCode::SUCCESS)
}
