//! `kommo-mcp tools`: the enabled tools, one line each, or the `tools/list` array as JSON.

use std::{io::Write, process::ExitCode};

use crate::{cli::ToolsArgs, error::AppError, tools::Toolkit};

pub fn run(kit: &Toolkit, args: &ToolsArgs) -> Result<ExitCode, AppError> {
    let definitions = kit.definitions(kit.enabled());
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_string_pretty(&definitions)
            .map_err(anyhow::Error::from)
            .and_then(|text| writeln!(out, "{text}").map_err(anyhow::Error::from))
    } else {
        definitions.iter().try_for_each(|tool| {
            let summary = tool
                .description
                .as_deref()
                .and_then(|d| d.split(". ").next())
                .unwrap_or_default()
                .trim_end_matches('.');
            writeln!(out, "{:<15} {summary}.", tool.name).map_err(anyhow::Error::from)
        })
    };
    written?;
    Ok(ExitCode::SUCCESS)
}
