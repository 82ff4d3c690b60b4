//! Logging: always to stderr (stdout may be the JSON-RPC channel), level from
//! `--log-level` or `RUST_LOG`, default `info`; text or one JSON object per line
//! (`--log-format`). Other crates' events are never shown below `info`: rmcp's debug and
//! trace events print whole tool arguments (note texts, field values) and HTTP headers, so
//! they are dropped whatever the filter asks for.

use tracing::{Level, Metadata};
use tracing_subscriber::{
    EnvFilter, Layer, filter::filter_fn, fmt, layer::SubscriberExt, util::SubscriberInitExt,
};

use crate::config::LogFormat;

/// Our own messages at info; rmcp's per-session chatter only when something is wrong.
pub(crate) const DEFAULT: &str = "info,rmcp=warn";

/// For one-shot commands (`call`, `tools`, `check`): only warnings, so stderr carries the
/// command's own error line.
pub(crate) const ONE_SHOT: &str = "warn";

/// Whether an event may be logged at all: ours at any level, everyone else's at `info`
/// or above.
fn allowed(meta: &Metadata<'_>) -> bool {
    *meta.level() <= Level::INFO || meta.target().starts_with("kommo_mcp")
}

/// Starts the logger. `level` (from `--log-level`) wins over `RUST_LOG`, which wins over
/// `default`.
pub(crate) fn init(level: Option<&str>, default: &str, format: LogFormat) -> Result<(), String> {
    let directives = match level {
        Some(level) => level.to_owned(),
        None => std::env::var("RUST_LOG")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_owned()),
    };
    let filter = EnvFilter::try_new(&directives)
        .map_err(|err| format!("invalid log level {directives:?}: {err}"))?;
    let layer = match format {
        LogFormat::Text => {
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(ansi)
                .with_target(false)
                .boxed()
        }
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(layer.with_filter(filter_fn(allowed)))
        .try_init()
        .map_err(|err| err.to_string())
}
