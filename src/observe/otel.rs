//! OpenTelemetry spans (docs/operating.md, "Tracing"): one SERVER span per MCP request named
//! as the MCP semantic conventions say, one CLIENT span per Kommo request, and the waits for
//! the rate limit and for a coalesced batch. They are `tracing` spans of the target
//! [`TARGET`] that only the OpenTelemetry layer sees (the logging set-up installs it when the
//! `OTEL_*` environment names a collector). When tracing is off none of this runs: every
//! function here first reads one atomic flag and returns [`Span::none`].

use std::{
    collections::HashMap,
    sync::atomic::{AtomicBool, Ordering},
};

use opentelemetry::{
    Context,
    propagation::{Extractor, Injector},
};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The target of every span meant for OpenTelemetry (and only for it).
pub(crate) const TARGET: &str = "kommo_mcp::otel";

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns the spans on (called once, by the logging set-up, when an exporter is installed).
pub(crate) fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether spans are made at all.
pub(crate) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// What names one MCP request's span.
pub(crate) struct McpRequest<'a> {
    /// `tools/call`, `tools/list`, `initialize`, …
    pub method: &'a str,
    pub tool: Option<&'a str>,
    /// `stdio`, `streamable_http`, `sse` or `bare_json`.
    pub transport: &'static str,
    pub jsonrpc_id: String,
    pub session_id: Option<&'a str>,
    /// `traceparent`, `tracestate` and `baggage` from `params._meta`.
    pub meta: [Option<&'a str>; 3],
    /// The HTTP request's headers, when it came over HTTP.
    pub headers: Option<&'a http::HeaderMap>,
}

/// The SERVER span of one MCP request, its parent taken from `params._meta` (first) or the
/// HTTP headers. [`Span::none`] when tracing is off.
pub(crate) fn mcp_request_span(request: &McpRequest<'_>) -> Span {
    if !enabled() {
        return Span::none();
    }
    let name = match request.tool {
        Some(tool) => format!("{} {tool}", request.method),
        None => request.method.to_owned(),
    };
    let network_transport = if request.transport == "stdio" {
        "pipe"
    } else {
        "tcp"
    };
    let span = tracing::info_span!(
        target: "kommo_mcp::otel",
        "mcp request",
        otel.name = %name,
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        mcp.method.name = request.method,
        gen_ai.tool.name = request.tool,
        gen_ai.operation.name = request.tool.map(|_| "execute_tool"),
        mcp.session.id = request.session_id,
        network.transport = network_transport,
        network.protocol.name = (network_transport == "tcp").then_some("http"),
        jsonrpc.request.id = %request.jsonrpc_id,
        error.type = tracing::field::Empty,
    );
    let parent = parent_context(request);
    if let Some(parent) = parent {
        // Fails only if the span was already started, which it cannot be here.
        let _ = span.set_parent(parent);
    }
    span
}

/// The span of a request the transport answers itself, without the MCP service (a plain
/// `tools/list`): its id and `_meta` read from `body`.
pub(crate) fn answered_early(
    method: &str,
    transport: &'static str,
    parts: &http::request::Parts,
    body: &[u8],
) -> Span {
    if !enabled() {
        return Span::none();
    }
    let message: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let meta = |key: &str| message.pointer(&format!("/params/_meta/{key}"))?.as_str();
    let session_id = session_of(parts);
    mcp_request_span(&McpRequest {
        method,
        tool: None,
        transport,
        jsonrpc_id: match message.get("id") {
            Some(serde_json::Value::String(id)) => id.clone(),
            Some(id) => id.to_string(),
            None => String::new(),
        },
        session_id: session_id.as_deref(),
        meta: [meta("traceparent"), meta("tracestate"), meta("baggage")],
        headers: Some(&parts.headers),
    })
}

/// The MCP session of an HTTP request: the `Mcp-Session-Id` header (streamable HTTP), else
/// the `sessionId` of an SSE message's URL.
pub(crate) fn session_of(parts: &http::request::Parts) -> Option<String> {
    let header = parts
        .headers
        .get("mcp-session-id")
        .and_then(|value| value.to_str().ok());
    if let Some(id) = header {
        return Some(id.to_owned());
    }
    form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .find(|(key, _)| key == "sessionId")
        .map(|(_, id)| id.into_owned())
}

/// The caller's trace context: `_meta` when it carries a `traceparent`, else the headers.
fn parent_context(request: &McpRequest<'_>) -> Option<Context> {
    let [traceparent, tracestate, baggage] = request.meta;
    if traceparent.is_some() {
        let carrier = MetaCarrier(HashMap::from_iter(
            [
                ("traceparent", traceparent),
                ("tracestate", tracestate),
                ("baggage", baggage),
            ]
            .into_iter()
            .filter_map(|(key, value)| Some((key, value?))),
        ));
        return Some(extract(&carrier));
    }
    let headers = request.headers?;
    headers
        .contains_key("traceparent")
        .then(|| extract(&opentelemetry_http::HeaderExtractor(headers)))
}

fn extract(carrier: &dyn Extractor) -> Context {
    opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(carrier))
}

/// Marks an MCP request's span as failed: `error.type` is the JSON-RPC error code, or
/// `tool_error` for a tool's error result.
pub(crate) fn mark_failed(span: &Span, error_type: &str) {
    if span.is_none() {
        return;
    }
    span.record("error.type", error_type);
    span.record("otel.status_code", "error");
}

/// The CLIENT span of one Kommo request (all its attempts): the route template with ids as
/// `{id}`, never the query, the body nor the token.
pub(crate) fn kommo_request_span(method: &http::Method, path: &str, account: &str) -> Span {
    if !enabled() {
        return Span::none();
    }
    let template = route_template(path);
    tracing::info_span!(
        target: "kommo_mcp::otel",
        "kommo request",
        otel.name = %format_args!("{method} {template}"),
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        http.request.method = %method,
        url.template = %template,
        server.address = tracing::field::Empty,
        kommo.account = account,
        http.response.status_code = tracing::field::Empty,
        http.request.resend_count = tracing::field::Empty,
        error.type = tracing::field::Empty,
    )
}

/// Records how a Kommo request ended: the last status (if any answered), how many times it
/// was sent again, and `error.type` when it failed.
pub(crate) fn kommo_request_ended(
    span: &Span,
    status: Option<u16>,
    resends: u32,
    error_type: Option<&str>,
) {
    if span.is_none() {
        return;
    }
    if let Some(status) = status {
        span.record("http.response.status_code", i64::from(status));
    }
    if resends > 0 {
        span.record("http.request.resend_count", i64::from(resends));
    }
    if let Some(error_type) = error_type {
        span.record("error.type", error_type);
        span.record("otel.status_code", "error");
    }
}

/// The wait for a slot of the account's rate limit.
pub(crate) fn rate_limit_wait_span(shared: bool) -> Span {
    if !enabled() {
        return Span::none();
    }
    tracing::info_span!(
        target: "kommo_mcp::otel",
        "kommo rate limit wait",
        kommo.rate_limit.shared = shared,
    )
}

/// A call's wait for the coalesced Kommo request that carries it.
pub(crate) fn coalesce_wait_span(kind: &'static str) -> Span {
    if !enabled() {
        return Span::none();
    }
    tracing::info_span!(
        target: "kommo_mcp::otel",
        "kommo coalesce wait",
        kommo.coalesce.kind = kind,
    )
}

/// Puts `span`'s trace context (`traceparent`, `tracestate`, and `baggage` when that
/// propagator is on) in an outgoing request's headers.
pub(crate) fn inject(span: &Span, headers: &mut http::HeaderMap) {
    if span.is_none() {
        return;
    }
    let context = span.context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut HeaderCarrier(headers));
    });
}

/// The path with its query dropped and every numeric segment replaced by `{id}`:
/// `/api/v4/leads/123?with=contacts` → `/api/v4/leads/{id}`.
pub(crate) fn route_template(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .map(|segment| {
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct MetaCarrier<'a>(HashMap<&'static str, &'a str>);

impl Extractor for MetaCarrier<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).copied()
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().copied().collect()
    }
}

struct HeaderCarrier<'a>(&'a mut http::HeaderMap);

impl Injector for HeaderCarrier<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_templates_hide_ids_and_queries() {
        assert_eq!(
            route_template("/api/v4/leads/123?with=contacts"),
            "/api/v4/leads/{id}"
        );
        assert_eq!(
            route_template("/api/v4/leads/7/notes"),
            "/api/v4/leads/{id}/notes"
        );
        assert_eq!(
            route_template("/api/v4/leads?filter[id][]=5"),
            "/api/v4/leads"
        );
        assert_eq!(
            route_template("/api/v4/leads/pipelines/42/statuses/1"),
            "/api/v4/leads/pipelines/{id}/statuses/{id}"
        );
    }

    #[test]
    fn spans_are_none_while_tracing_is_off() {
        assert!(!enabled());
        let request = McpRequest {
            method: "tools/call",
            tool: Some("move_lead"),
            transport: "stdio",
            jsonrpc_id: "1".to_owned(),
            session_id: None,
            meta: [None; 3],
            headers: None,
        };
        assert!(mcp_request_span(&request).is_none());
        assert!(kommo_request_span(&http::Method::GET, "/api/v4/leads/1", "acme").is_none());
        assert!(rate_limit_wait_span(false).is_none());
        assert!(coalesce_wait_span("read").is_none());
    }
}
