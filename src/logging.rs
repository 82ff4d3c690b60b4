//! Logging: always to stderr (stdout may be the JSON-RPC channel), level from
//! `--log-level` or `RUST_LOG`, default `info`; text or one JSON object per line
//! (`--log-format`). Other crates' events are never shown below `info`: rmcp's debug and
//! trace events print whole tool arguments (note texts, field values) and HTTP headers, so
//! they are dropped whatever the filter asks for. With the `OTEL_*` environment naming a
//! collector, spans are exported too (`otlp`) and log lines carry their ids (`trace_ids`).

mod otlp;
mod trace_ids;

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::{
    EnvFilter, Layer,
    filter::{FilterExt, filter_fn},
    fmt,
    layer::SubscriberExt,
    registry::LookupSpan,
    util::SubscriberInitExt,
};

use crate::{config::LogFormat, observe::otel};

pub(crate) use otlp::{finish, started};

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

/// `allowed`, and never the OpenTelemetry spans (they are for the exporter only).
fn allowed_beside_export(meta: &Metadata<'_>) -> bool {
    allowed(meta) && meta.target() != otel::TARGET
}

/// The spans the OpenTelemetry layer sees: ours meant for it, and no events (so no log
/// line's fields ever reach a span).
fn for_export(meta: &Metadata<'_>) -> bool {
    meta.is_span() && meta.target() == otel::TARGET
}

/// Starts the logger, and the OpenTelemetry exporter when the `OTEL_*` environment asks for
/// it (docs/operating.md, "Tracing"). `level` (from `--log-level`) wins over `RUST_LOG`,
/// which wins over `default`.
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
    if !otlp::wanted() {
        return tracing_subscriber::registry()
            .with(filter)
            .with(log_layer(format, false).with_filter(filter_fn(allowed)))
            .try_init()
            .map_err(|err| err.to_string());
    }
    // Traced: the level filter applies to the log lines only, so spans reach the exporter
    // whatever the log level.
    let pipeline = otlp::start()?;
    let export = tracing_opentelemetry::layer()
        .with_tracer(pipeline.tracer)
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_filter(filter_fn(for_export));
    tracing_subscriber::registry()
        .with(log_layer(format, true).with_filter(filter.and(filter_fn(allowed_beside_export))))
        .with(export)
        .try_init()
        .map_err(|err| err.to_string())?;
    otel::enable();
    for warning in pipeline.warnings {
        tracing::warn!("{warning}");
    }
    Ok(())
}

/// The stderr log layer in `format`, with trace ids on its lines when `trace_ids`.
fn log_layer<S>(format: LogFormat, trace_ids: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    match format {
        LogFormat::Text => {
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let layer = fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(ansi)
                .with_target(false);
            if trace_ids {
                layer
                    .map_event_format(trace_ids::WithTraceIds::text)
                    .boxed()
            } else {
                layer.boxed()
            }
        }
        LogFormat::Json => {
            let layer = fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false)
                .with_writer(std::io::stderr);
            if trace_ids {
                layer
                    .map_event_format(trace_ids::WithTraceIds::json)
                    .boxed()
            } else {
                layer.boxed()
            }
        }
    }
}
