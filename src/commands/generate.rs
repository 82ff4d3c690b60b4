//! Shell completions, man pages, the tool reference and the configuration reference,
//! generated from the clap definition, the tool specs and the settings table; also the list of
//! generated files committed under `completions/`, `man/` and `docs/`.

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
pub(crate) const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

/// The completion script for one shell.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut visible_command(), BIN, &mut buffer);
    if shell == Shell::Bash {
        return fix_bash_case_labels(&buffer);
    }
    buffer
}

/// The command line as shells should complete it: clap_complete lists hidden subcommands
/// (the test-only `simulator`) in bash, zsh and fish scripts, so they are left out here.
/// clap has no way to remove a subcommand, so the top-level command is rebuilt from the
/// parts the completion generators read: its arguments and its visible subcommands.
fn visible_command() -> clap::Command {
    let full = Cli::command();
    let mut visible = clap::Command::new(BIN).version(env!("CARGO_PKG_VERSION"));
    if let Some(about) = full.get_about() {
        visible = visible.about(about.clone());
    }
    visible
        .args(full.get_arguments().cloned())
        .groups(full.get_groups().cloned())
        .subcommands(
            full.get_subcommands()
                .filter(|sub| !sub.is_hide_set())
                .cloned(),
        )
}

/// clap_complete's bash script tracks the subcommand as `kommo__mcp__subcmd__call` but
/// labels its branch `kommo__subcmd__mcp__subcmd__call` when the binary name has a hyphen
/// (clap-rs/clap#6421, open), so nothing after a subcommand ever completes. The labels are
/// respelled the way the tracking loop spells them; a fixed clap_complete makes this a no-op.
fn fix_bash_case_labels(script: &[u8]) -> Vec<u8> {
    let mangled = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
    let tracked = format!("{}__subcmd__", BIN.replace('-', "__"));
    String::from_utf8_lossy(script)
        .replace(&mangled, &tracked)
        .into_bytes()
}

/// Every man page as (file name, roff), `kommo-mcp.1` first.
pub(crate) fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
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
    files.push((
        Path::new("docs").join("tools.md"),
        crate::tools::reference::markdown().into_bytes(),
    ));
    files.push((
        Path::new("docs").join("configuration.md"),
        super::config_doc::page().into_bytes(),
    ));
    Ok(files)
}

pub(crate) fn completions(shell: Shell) -> Result<ExitCode, AppError> {
    write_stdout(&completion_script(shell))
}

pub(crate) fn man(args: &ManArgs) -> Result<ExitCode, AppError> {
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
