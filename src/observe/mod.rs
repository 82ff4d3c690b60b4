//! Seeing what the server does: Prometheus metrics (HTTP mode only), request ids, the
//! per-call trace of Kommo requests, the info line of every tool call, the MCP service
//! wrapper that measures every request on every transport, and the OpenTelemetry spans.

pub(crate) mod call;
pub(crate) mod metrics;
pub(crate) mod otel;
pub(crate) mod request_id;
pub(crate) mod service;

use std::time::Duration;

/// Records one attempt of a Kommo request: its metrics and its place in the call's trace.
/// `status_class` is `2xx`…`5xx`, or `connect_error`, `timeout`, `transport_error`.
pub(crate) fn kommo_attempt(
    account: &str,
    method: &http::Method,
    path: &str,
    status_class: &'static str,
    elapsed: Duration,
    kommo_request_id: Option<&str>,
) {
    let method_name = match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::PATCH => "PATCH",
        http::Method::DELETE => "DELETE",
        _ => "other",
    };
    metrics::record_kommo_request(account, method_name, path, status_class, elapsed);
    call::note_kommo_request(method_name, kommo_request_id);
}
