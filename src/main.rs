//! The `kommo-mcp` binary: parse the command line, run it, report errors.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, error::ErrorKind};
use kommo_mcp::{app, cli::Cli, error::exit};

/// mimalloc instead of glibc's malloc, which kept what floods of sessions and SSE streams had
/// freed: after three rounds of 1,000 sessions opened and deleted the release binary held
/// 74 MB with glibc, 43 MB with mimalloc (docs/operating.md, "Limits").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => return usage_error(err),
    };
    match app::run(cli, &matches) {
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
    ExitCode::from(exit::USAGE)
}
