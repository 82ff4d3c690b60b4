//! The errors that end the program, and the exit status each one gives.

use std::process::ExitCode;

use crate::config::ConfigError;

/// A failure that stops a command. The message is printed after `kommo-mcp: error: `.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// A setting is wrong (exit 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The command line is wrong (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Something failed while running (exit 1).
    #[error("{0:#}")]
    Failed(#[from] anyhow::Error),
}

/// Exit statuses: 0 success, 1 a tool or check failed, 2 usage or configuration error.
pub(crate) mod exit {
    pub(crate) const FAILED: u8 = 1;
    pub(crate) const USAGE: u8 = 2;
}

impl AppError {
    /// Whether the failure was stdout closing early (`kommo-mcp … | head`), which is not
    /// worth an error line.
    pub(crate) fn is_broken_pipe(&self) -> bool {
        match self {
            AppError::Failed(err) => err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }),
            _ => false,
        }
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            AppError::Config(_) | AppError::Usage(_) => exit::USAGE,
            AppError::Failed(_) => exit::FAILED,
        })
    }
}
