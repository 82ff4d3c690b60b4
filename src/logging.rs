//! Logging: always to stderr (stdout may be the JSON-RPC channel), level from
//! `--log-level` or `RUST_LOG`, default `info`.

use tracing_subscriber::{EnvFilter, fmt};

/// Our own messages at info; rmcp's per-session chatter only when something is wrong.
pub const DEFAULT: &str = "info,rmcp=warn";

/// For one-shot commands (`call`, `tools`, `check`): only warnings, so stderr carries the
/// command's own error line.
pub const ONE_SHOT: &str = "warn";

/// Starts the logger. `level` (from `--log-level`) wins over `RUST_LOG`, which wins over
/// `default`.
pub fn init(level: Option<&str>, default: &str) -> Result<(), String> {
    let directives = match level {
        Some(level) => level.to_owned(),
        None => std::env::var("RUST_LOG")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_owned()),
    };
    let filter = EnvFilter::try_new(&directives)
        .map_err(|err| format!("invalid log level {directives:?}: {err}"))?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init()
        .map_err(|err| err.to_string())
}
