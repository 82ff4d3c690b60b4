//! The `kommo-mcp` binary: parse the command line, run it, report errors.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use kommo_mcp::{app, cli::Cli};

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match app::run(cli, &matches) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("kommo-mcp: error: {err}");
            err.exit_code()
        }
    }
}
