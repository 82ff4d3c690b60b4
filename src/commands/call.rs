//! `kommo-mcp call TOOL KEY=VALUE…`: runs one tool once through `Toolkit::call` (the same
//! handler every transport uses) and prints its result for a shell.

use std::{io::Write, process::ExitCode};

use serde_json::Value;

use super::call_args;
use crate::{
    cli::{CallArgs, OutputFormat},
    config::{Source, settings},
    error::{AppError, exit},
    scope::RequestScope,
    tools::Toolkit,
    toolset::{ToolName, ToolSet},
};

pub(crate) async fn run(kit: &Toolkit, args: &CallArgs) -> Result<ExitCode, AppError> {
    let Some(tool) = ToolName::parse(&args.tool) else {
        return Err(AppError::Usage(format!(
            "unknown tool {:?} (known tools: {})",
            args.tool,
            ToolName::ALL.map(ToolName::as_str).join(", ")
        )));
    };
    if !kit.enabled().contains(tool) {
        return Err(AppError::Usage(not_enabled(kit, tool)));
    }
    let arguments = call_args::build(tool, &args.args, args.json.as_deref(), || {
        std::io::read_to_string(std::io::stdin())
    })
    .map_err(|err| AppError::Usage(err.to_string()))?;
    let result = kit.call(tool, &arguments, &RequestScope::default()).await;
    let result = serde_json::to_value(&result).map_err(anyhow::Error::from)?;
    let failed = result["isError"].as_bool().unwrap_or(false);
    let mut out = std::io::stdout().lock();
    match args.output {
        OutputFormat::Json => {
            let text = serde_json::to_string_pretty(&result).map_err(anyhow::Error::from)?;
            writeln!(out, "{text}").map_err(anyhow::Error::from)?;
        }
        OutputFormat::Text if !failed => {
            writeln!(out, "{}", text_block(&result, 0)).map_err(anyhow::Error::from)?;
        }
        OutputFormat::Text => {}
    }
    out.flush().map_err(anyhow::Error::from)?;
    if failed {
        eprintln!("kommo-mcp: error: {}", failure_line(&result));
        return Ok(ExitCode::from(exit::FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

fn not_enabled(kit: &Toolkit, tool: ToolName) -> String {
    let read_only = &kit.config().read_only;
    if read_only.value && !tool.is_read_only() {
        return format!(
            "tool {tool} is not available in read-only mode ({} from {}); the read-only tools are {}",
            settings::READ_ONLY.flag,
            read_only.source,
            ToolSet::readers()
        );
    }
    let tools = &kit.config().tools;
    let enabled: Vec<&str> = tools.value.iter().map(ToolName::as_str).collect();
    let from = match &tools.source {
        Source::Default => String::new(),
        source => format!(" from {source}"),
    };
    format!(
        "tool {tool} is not enabled: {} ({}){from} enables only {}",
        settings::TOOLS.env,
        settings::TOOLS.flag,
        if enabled.is_empty() {
            "no tools".to_owned()
        } else {
            enabled.join(", ")
        }
    )
}

fn text_block(result: &Value, index: usize) -> &str {
    result["content"][index]["text"]
        .as_str()
        .unwrap_or_default()
}

/// The failure sentence and the reason, on one line.
fn failure_line(result: &Value) -> String {
    let line = [text_block(result, 0), text_block(result, 1)]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}
