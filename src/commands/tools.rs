//! `kommo-mcp tools`: the enabled tools, one line each with its summary, or the `tools/list`
//! array as JSON.

use std::{io::Write, process::ExitCode};

use crate::{
    cli::ToolsArgs,
    error::AppError,
    tools::{Toolkit, reference},
};

pub(crate) fn run(kit: &Toolkit, args: &ToolsArgs) -> Result<ExitCode, AppError> {
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_string_pretty(&kit.definitions(kit.enabled()))
            .map_err(anyhow::Error::from)
            .and_then(|text| writeln!(out, "{text}").map_err(anyhow::Error::from))
    } else {
        kit.enabled().iter().try_for_each(|tool| {
            let summary = reference::summary(tool);
            writeln!(out, "{:<15} {summary}", tool.as_str()).map_err(anyhow::Error::from)
        })
    };
    written?;
    Ok(ExitCode::SUCCESS)
}
