//! `kommo-mcp call TOOL KEY=VALUE…`: runs one tool once (placeholder until the CLI issue).

use std::process::ExitCode;

use crate::{cli::CallArgs, error::AppError, tools::Toolkit};

pub async fn run(_kit: &Toolkit, _args: &CallArgs) -> Result<ExitCode, AppError> {
    Err(AppError::Usage("call is not available yet".to_owned()))
}
