//! The Prometheus metrics of `serve --http`: one registry, installed once per process and
//! only in HTTP mode (stdio and `call` never install it, so every `record_*` call there is a
//! single failed `OnceLock` read). Label values are bounded by construction: method names
//! from a fixed list, tool names from `ToolName`, endpoint kinds from a fixed list, and the
//! account subdomain only when the operator asked for it — and then only the configured
//! accounts' (any other account a request names is counted as `other`).

use std::{borrow::Cow, collections::BTreeSet, sync::OnceLock, time::Duration};

use prometheus_client::{
    encoding::text::encode,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

use crate::toolset::ToolName;

/// The labels of one series: fixed keys, bounded values.
type Labels = Vec<(&'static str, Cow<'static, str>)>;
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// Buckets (seconds) of the MCP operation and Kommo request histograms (those of the
/// OpenTelemetry MCP semantic conventions).
const DURATION_BUCKETS: [f64; 14] = [
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];
/// Buckets (seconds) of the wait for a rate-limit slot.
const WAIT_BUCKETS: [f64; 11] = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0];

/// The MCP request methods counted under their own name; any other is `other`.
const KNOWN_METHODS: [&str; 20] = [
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "tasks/get",
    "tasks/update",
    "tasks/cancel",
    "skills/list",
    "skills/get",
    "resources/directory/read",
    "server/discover",
];

/// How one MCP operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    /// An `isError` tool result (invalid arguments included).
    ToolError,
    /// A JSON-RPC error answer.
    ProtocolError,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ToolError => "tool_error",
            Outcome::ProtocolError => "protocol_error",
        }
    }
}

/// The `account` label value of an account no setting names.
pub(crate) const OTHER_ACCOUNT: &str = "other";

/// Every metric the server exports.
pub(crate) struct Metrics {
    registry: Registry,
    /// With `--metrics-account-label`: the configured accounts, each its own label value.
    account_labels: Option<BTreeSet<String>>,
    operations: Histograms,
    kommo_requests: Family<Labels, Counter>,
    kommo_durations: Histograms,
    rate_limit_wait: Histogram,
    rate_limited: Family<Labels, Counter>,
    blocked: Family<Labels, Counter>,
    sessions: Family<Labels, Gauge>,
    calls_in_flight: Gauge,
}

fn durations() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

impl Metrics {
    fn new(account_labels: Option<BTreeSet<String>>) -> Self {
        let mut registry = Registry::default();
        let operations = Histograms::new_with_constructor(durations);
        registry.register(
            "mcp_server_operation_duration_seconds",
            "Duration of MCP requests handled by the server",
            operations.clone(),
        );
        let kommo_requests = Family::<Labels, Counter>::default();
        registry.register(
            "kommo_requests",
            "HTTP requests sent to Kommo (each attempt, retries included)",
            kommo_requests.clone(),
        );
        let kommo_durations = Histograms::new_with_constructor(durations);
        registry.register(
            "kommo_request_duration_seconds",
            "Duration of HTTP requests sent to Kommo",
            kommo_durations.clone(),
        );
        let rate_limit_wait = Histogram::new(WAIT_BUCKETS);
        registry.register(
            "kommo_rate_limit_wait_seconds",
            "Time a Kommo request waited for a slot of the account's rate limit",
            rate_limit_wait.clone(),
        );
        let rate_limited = Family::<Labels, Counter>::default();
        registry.register(
            "kommo_rate_limited",
            "Kommo answers 429 Too Many Requests",
            rate_limited.clone(),
        );
        let blocked = Family::<Labels, Counter>::default();
        registry.register(
            "kommo_blocked",
            "Kommo answers 403 after a 429 (the account is blocked for exceeding the limit)",
            blocked.clone(),
        );
        let sessions = Family::<Labels, Gauge>::default();
        registry.register("mcp_sessions", "MCP sessions open now", sessions.clone());
        let calls_in_flight = Gauge::default();
        registry.register(
            "mcp_calls_in_flight",
            "Tool calls in progress now",
            calls_in_flight.clone(),
        );
        if account_labels.is_none() {
            // Shown as 0 before the first 429 or block, so alerts can use rate().
            drop(rate_limited.get_or_create(&Vec::new()));
            drop(blocked.get_or_create(&Vec::new()));
        }
        Self {
            registry,
            account_labels,
            operations,
            kommo_requests,
            kommo_durations,
            rate_limit_wait,
            rate_limited,
            blocked,
            sessions,
            calls_in_flight,
        }
    }

    fn with_account(&self, mut labels: Labels, account: &str) -> Labels {
        if let Some(configured) = &self.account_labels {
            let value = if configured.contains(account) {
                Cow::Owned(account.to_owned())
            } else {
                Cow::Borrowed(OTHER_ACCOUNT)
            };
            labels.push(("account", value));
        }
        labels
    }

    /// The text exposition (OpenMetrics 1.0, which Prometheus reads), with the session and
    /// in-flight gauges set to the counts given.
    pub(crate) fn render(
        &self,
        sessions: &[(&'static str, usize)],
        calls_in_flight: usize,
    ) -> String {
        for (transport, count) in sessions {
            self.sessions
                .get_or_create(&vec![("network_transport", Cow::Borrowed(*transport))])
                .set(gauge_value(*count));
        }
        self.calls_in_flight.set(gauge_value(calls_in_flight));
        let mut text = String::new();
        if let Err(err) = encode(&mut text, &self.registry) {
            tracing::error!("cannot encode the metrics: {err}");
        }
        text
    }
}

fn gauge_value(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// Turns metrics on for this process (`serve --http` only). Later calls keep the first.
/// `account_labels`: with `--metrics-account-label`, the configured accounts.
pub(crate) fn install(account_labels: Option<BTreeSet<String>>) -> &'static Metrics {
    METRICS.get_or_init(|| Metrics::new(account_labels))
}

/// The metrics, when installed.
pub(crate) fn get() -> Option<&'static Metrics> {
    METRICS.get()
}

/// The method label of an MCP request method.
pub(crate) fn method_label(method: &str) -> &'static str {
    KNOWN_METHODS
        .into_iter()
        .find(|known| *known == method)
        .unwrap_or("other")
}

/// Records one MCP operation.
pub(crate) fn record_operation(
    method: &str,
    tool: Option<&str>,
    outcome: Outcome,
    transport: &'static str,
    elapsed: Duration,
) {
    let Some(metrics) = get() else { return };
    let method = method_label(method);
    let mut labels: Labels = vec![("mcp_method_name", Cow::Borrowed(method))];
    if method == "tools/call" {
        let tool = tool
            .and_then(ToolName::parse)
            .map_or("other", ToolName::as_str);
        labels.push(("gen_ai_tool_name", Cow::Borrowed(tool)));
    }
    labels.push(("outcome", Cow::Borrowed(outcome.as_str())));
    labels.push(("network_transport", Cow::Borrowed(transport)));
    metrics
        .operations
        .get_or_create(&labels)
        .observe(elapsed.as_secs_f64());
}

/// Records one request sent to Kommo (one attempt).
pub(crate) fn record_kommo_request(
    account: &str,
    method: &str,
    path: &str,
    status_class: &'static str,
    elapsed: Duration,
) {
    let Some(metrics) = get() else { return };
    let method_label = match method {
        "GET" => "GET",
        "POST" => "POST",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        _ => "other",
    };
    let labels = metrics.with_account(
        vec![
            ("method", Cow::Borrowed(method_label)),
            ("endpoint", Cow::Borrowed(endpoint_kind(method, path))),
            ("status_class", Cow::Borrowed(status_class)),
        ],
        account,
    );
    metrics.kommo_requests.get_or_create(&labels).inc();
    metrics
        .kommo_durations
        .get_or_create(&labels)
        .observe(elapsed.as_secs_f64());
}

/// Records how long a Kommo request waited for a rate-limit slot.
pub(crate) fn record_rate_limit_wait(waited: Duration) {
    if let Some(metrics) = get() {
        metrics.rate_limit_wait.observe(waited.as_secs_f64());
    }
}

/// Records a 429 from Kommo.
pub(crate) fn record_rate_limited(account: &str) {
    if let Some(metrics) = get() {
        let labels = metrics.with_account(Vec::new(), account);
        metrics.rate_limited.get_or_create(&labels).inc();
    }
}

/// Records a 403 after a 429 (Kommo blocked the account).
pub(crate) fn record_blocked(account: &str) {
    if let Some(metrics) = get() {
        let labels = metrics.with_account(Vec::new(), account);
        metrics.blocked.get_or_create(&labels).inc();
    }
}

/// The class of an HTTP status (`2xx` … `5xx`).
pub(crate) fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The bounded kind of a Kommo API path (never the lead id itself).
pub(crate) fn endpoint_kind(method: &str, path: &str) -> &'static str {
    let path = path.split('?').next().unwrap_or_default();
    let Some(rest) = path.strip_prefix("/api/v4/") else {
        return "other";
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let is_id = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    match (method, parts.as_slice()) {
        ("GET", ["account"]) => "account_get",
        ("GET", ["leads", "pipelines"]) => "pipelines_get",
        ("GET", ["leads" | "contacts", "custom_fields"]) => "custom_fields_get",
        ("GET", ["leads"]) => "leads_get",
        ("PATCH", ["leads"]) => "leads_patch",
        ("GET", ["leads", id]) if is_id(id) => "lead_get",
        ("PATCH", ["leads", id]) if is_id(id) => "lead_patch",
        ("GET", ["leads", id, "notes"]) if is_id(id) => "notes_get",
        ("POST", ["leads", id, "notes"]) if is_id(id) => "notes_post",
        ("POST", ["leads", id, "link"]) if is_id(id) => "lead_link_post",
        ("POST", ["leads", "notes"]) => "notes_post",
        ("POST", ["leads", "tags"]) | ("POST", ["tags"]) => "tags_post",
        ("GET", ["leads", "tags"]) => "tags_get",
        ("GET", ["contacts", ..]) => "contacts_get",
        ("POST", ["tasks"]) => "tasks_post",
        ("GET", ["tasks"]) => "tasks_get",
        ("GET", ["bots", ..]) | ("GET", ["salesbot", ..]) => "salesbots_get",
        ("POST", ["bots", ..]) | ("POST", ["salesbot", ..]) => "salesbot_run",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_bounded_kinds() {
        assert_eq!(endpoint_kind("GET", "/api/v4/leads/123"), "lead_get");
        assert_eq!(endpoint_kind("PATCH", "/api/v4/leads/123"), "lead_patch");
        assert_eq!(endpoint_kind("POST", "/api/v4/leads/9/notes"), "notes_post");
        assert_eq!(
            endpoint_kind("GET", "/api/v4/leads/pipelines"),
            "pipelines_get"
        );
        assert_eq!(
            endpoint_kind("GET", "/api/v4/leads/custom_fields?page=1&limit=250"),
            "custom_fields_get"
        );
        assert_eq!(endpoint_kind("GET", "/api/v4/leads/abc"), "other");
        assert_eq!(endpoint_kind("GET", "/elsewhere"), "other");
    }

    #[test]
    fn unknown_methods_are_other() {
        assert_eq!(method_label("tools/call"), "tools/call");
        assert_eq!(method_label("tools/destroy"), "other");
    }
}
