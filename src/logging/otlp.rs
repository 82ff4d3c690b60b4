//! The OpenTelemetry trace pipeline (docs/operating.md, "Tracing"): on only when the
//! standard environment names a collector (`OTEL_EXPORTER_OTLP_ENDPOINT` or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and `OTEL_SDK_DISABLED` is not `true`. Spans go in
//! batches over OTLP HTTP/protobuf, sent by a reqwest client on the program's runtime; the
//! SDK reads the service name, resource attributes, sampler, headers and batch settings from
//! the environment itself. An export failure is logged once (to stderr, without the
//! collector's headers) and never reaches a call.

use std::{
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use bytes::Bytes;
use opentelemetry::{
    propagation::{TextMapCompositePropagator, TextMapPropagator},
    trace::TracerProvider as _,
};
use opentelemetry_http::{HttpClient, HttpError};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::{
    Resource,
    propagation::{BaggagePropagator, TraceContextPropagator},
    trace::{SdkTracer, SdkTracerProvider},
};

/// How long the end of the program waits for the last spans to be sent.
const FLUSH_AT_EXIT: Duration = Duration::from_secs(3);
/// An export's time limit when `OTEL_EXPORTER_OTLP_TIMEOUT` does not say (the spec's).
const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// A started pipeline: the tracer for the `tracing` bridge, and what to warn about once
/// the logger is up.
pub(super) struct Pipeline {
    pub tracer: SdkTracer,
    pub warnings: Vec<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Whether the environment asks for traces.
pub(super) fn wanted() -> bool {
    let disabled = env("OTEL_SDK_DISABLED").is_some_and(|value| value.eq_ignore_ascii_case("true"));
    let no_exporter =
        env("OTEL_TRACES_EXPORTER").is_some_and(|value| value.eq_ignore_ascii_case("none"));
    let endpoint = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .or_else(|| env("OTEL_EXPORTER_OTLP_ENDPOINT"))
        .is_some();
    endpoint && !disabled && !no_exporter
}

/// Builds the exporter, the provider and the propagators from the environment. Must run
/// inside the program's runtime (the exporter's client sends on it).
pub(super) fn start() -> Result<Pipeline, String> {
    let mut warnings = Vec::new();
    let protocol =
        env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").or_else(|| env("OTEL_EXPORTER_OTLP_PROTOCOL"));
    if let Some(protocol) = protocol.filter(|p| p != "http/protobuf") {
        warnings.push(format!(
            "OTEL_EXPORTER_OTLP_PROTOCOL {protocol:?} is not supported: traces are sent as http/protobuf"
        ));
    }
    let client = ExportClient::new(export_timeout())?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_http_client(client)
        .build()
        .map_err(|err| format!("cannot start the OpenTelemetry exporter: {err}"))?;
    let mut resource = Resource::builder().with_attribute(opentelemetry::KeyValue::new(
        "service.version",
        env!("CARGO_PKG_VERSION"),
    ));
    let named = env("OTEL_SERVICE_NAME").is_some()
        || env("OTEL_RESOURCE_ATTRIBUTES").is_some_and(|attrs| attrs.contains("service.name="));
    if !named {
        resource = resource.with_service_name("kommo-mcp");
    }
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource.build())
        .build();
    let tracer = provider.tracer("kommo-mcp");
    let _ = PROVIDER.set(provider);
    let (propagator, unknown) = propagators(env("OTEL_PROPAGATORS").as_deref());
    for name in unknown {
        warnings.push(format!(
            "OTEL_PROPAGATORS: {name:?} is not supported (tracecontext, baggage and none are)"
        ));
    }
    opentelemetry::global::set_text_map_propagator(propagator);
    Ok(Pipeline { tracer, warnings })
}

/// The propagators `OTEL_PROPAGATORS` names (`tracecontext` when unset: baggage is only
/// passed on to Kommo when asked for), and the names it gave that are not supported.
fn propagators(names: Option<&str>) -> (TextMapCompositePropagator, Vec<String>) {
    let mut chosen: Vec<Box<dyn TextMapPropagator + Send + Sync>> = Vec::new();
    let mut unknown = Vec::new();
    for name in names.unwrap_or("tracecontext").split(',').map(str::trim) {
        match name {
            "tracecontext" => chosen.push(Box::new(TraceContextPropagator::new())),
            "baggage" => chosen.push(Box::new(BaggagePropagator::new())),
            "none" | "" => {}
            other => unknown.push(other.to_owned()),
        }
    }
    (TextMapCompositePropagator::new(chosen), unknown)
}

/// `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` or `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds).
fn export_timeout() -> Duration {
    env("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")
        .or_else(|| env("OTEL_EXPORTER_OTLP_TIMEOUT"))
        .and_then(|ms| ms.parse::<u64>().ok())
        .map_or(DEFAULT_EXPORT_TIMEOUT, Duration::from_millis)
}

/// Whether the trace pipeline was started (so there may be spans to send at exit).
pub(crate) fn started() -> bool {
    PROVIDER.get().is_some()
}

/// Sends the spans still waiting, waiting at most [`FLUSH_AT_EXIT`]; nothing when tracing is
/// off. Called once, at the end of the program, on a blocking thread while the runtime runs.
pub(crate) fn finish() {
    if let Some(provider) = PROVIDER.get()
        && let Err(err) = provider.shutdown_with_timeout(FLUSH_AT_EXIT)
    {
        tracing::warn!("the last traces may not have been sent: {err}");
    }
}

/// The exporter's HTTP client: the project's reqwest, run on the program's runtime (the
/// SDK's batch thread awaits the answer from outside it).
#[derive(Debug)]
struct ExportClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
    /// The last export failed (so the next failure is not logged again).
    failing: Arc<AtomicBool>,
}

impl ExportClient {
    fn new(timeout: Duration) -> Result<Self, String> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| "traces need the async runtime".to_owned())?;
        let client = reqwest::Client::builder()
            .user_agent(concat!("kommo-mcp/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .build()
            .map_err(|err| format!("cannot build the trace exporter's HTTP client: {err}"))?;
        Ok(Self {
            client,
            runtime,
            failing: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Logs the first failure of a run of failures, and the recovery after one.
    fn note(&self, failure: Option<&str>) {
        match failure {
            Some(reason) => {
                if !self.failing.swap(true, Ordering::Relaxed) {
                    tracing::warn!("cannot send traces to the OpenTelemetry collector: {reason}");
                }
            }
            None => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("traces reach the OpenTelemetry collector again");
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl HttpClient for ExportClient {
    async fn send_bytes(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let request = reqwest::Request::try_from(request)?;
        let client = self.client.clone();
        let sent = self.runtime.spawn(async move {
            let response = client.execute(request).await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        });
        let answer = match sent.await {
            Ok(Ok(answer)) => answer,
            Ok(Err(err)) => {
                let err = err.without_url();
                let reason = error_chain(&err);
                self.note(Some(&reason));
                return Err(reason.into());
            }
            Err(join) => {
                let reason = format!("the export task ended: {join}");
                self.note(Some(&reason));
                return Err(reason.into());
            }
        };
        let (status, body) = answer;
        if status.is_success() {
            self.note(None);
        } else {
            self.note(Some(&format!("the collector answered {status}")));
        }
        let mut response = http::Response::new(body);
        *response.status_mut() = status;
        Ok(response)
    }
}

/// An error and its causes on one line.
fn error_chain(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn propagators_default_to_tracecontext_and_report_unknown_names() {
        let (_, unknown) = propagators(None);
        assert!(unknown.is_empty());
        let (composite, unknown) = propagators(Some("tracecontext, baggage,b3"));
        assert_eq!(unknown, vec!["b3".to_owned()]);
        let fields: Vec<&str> = composite.fields().collect();
        assert!(fields.contains(&"traceparent"), "{fields:?}");
        assert!(fields.contains(&"baggage"), "{fields:?}");
        let (composite, _) = propagators(Some("none"));
        assert_eq!(composite.fields().count(), 0);
    }
}
