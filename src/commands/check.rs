//! `kommo-mcp check`: the effective configuration and a token check (placeholder until the
//! CLI issue).

use std::process::ExitCode;

use crate::{error::AppError, tools::Toolkit};

pub async fn run(_kit: &Toolkit) -> Result<ExitCode, AppError> {
    Err(AppError::Usage("check is not available yet".to_owned()))
}
