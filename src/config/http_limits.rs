//! The HTTP server's limits (body size, JSON shape, sessions, connections, read timeouts):
//! one table of names and defaults, resolved like every other setting (flag > environment >
//! the `[http]` table of the config file > default).

use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, RawValue, Source, Sourced, invalid, pick};

/// One limit's names and default, the single table behind the flags, the config file, the
/// man page and the README.
#[derive(Clone, Copy, Debug)]
pub struct LimitInfo {
    /// Key in the config file's `[http]` table.
    pub key: &'static str,
    pub flag: &'static str,
    pub env: &'static str,
    pub default: u64,
    /// `"bytes"`, `"seconds"` or a count's noun.
    pub unit: &'static str,
    pub what: &'static str,
}

macro_rules! limit {
    ($name:ident, $key:literal, $env:literal, $default:expr, $unit:literal, $what:literal) => {
        pub const $name: LimitInfo = LimitInfo {
            key: $key,
            flag: concat!("--", $key),
            env: $env,
            default: $default,
            unit: $unit,
            what: $what,
        };
    };
}

/// The limits' names and defaults.
pub mod limits {
    use super::LimitInfo;
    // A note is the largest argument a real call carries. Kommo documents no length limit
    // for a common note; 1 MiB holds a 64 Ki-character note even when every character is
    // sent as a 6-byte \u escape, with room to spare.
    limit!(
        MAX_BODY_BYTES,
        "max-body-bytes",
        "KOMMO_MCP_MAX_BODY_BYTES",
        1024 * 1024,
        "bytes",
        "largest request body read on /mcp and /sse/message (413 beyond it)"
    );
    // Real messages nest 4–6 levels deep.
    limit!(
        MAX_JSON_DEPTH,
        "max-json-depth",
        "KOMMO_MCP_MAX_JSON_DEPTH",
        32,
        "levels",
        "deepest nesting of arrays and objects in a message"
    );
    // A tools/call holds about 10 values, initialize about 30; a parsed value costs up to
    // ~80 bytes, so this bounds a message's parsed form to well under 1 MiB whatever the body.
    limit!(
        MAX_JSON_VALUES,
        "max-json-values",
        "KOMMO_MCP_MAX_JSON_VALUES",
        4096,
        "values",
        "most JSON values (numbers, strings, arrays, objects, …) in a message"
    );
    // An idle streamable session is a record of ~3 kB, an open SSE stream ~24 kB with its
    // connection (BENCHMARKS.md): 1,000 cost ~24 MB at most, fine on a 512 MB VM.
    limit!(
        MAX_SESSIONS,
        "max-sessions",
        "KOMMO_MCP_MAX_SESSIONS",
        1000,
        "sessions",
        "open sessions (streamable HTTP and legacy SSE together); 503 with Retry-After beyond it"
    );
    limit!(
        SESSION_IDLE_TIMEOUT,
        "session-idle-timeout",
        "KOMMO_MCP_SESSION_IDLE_TIMEOUT",
        300,
        "seconds",
        "a session nobody uses for this long is closed (a legacy SSE stream with it)"
    );
    limit!(
        HEADER_READ_TIMEOUT,
        "header-read-timeout",
        "KOMMO_MCP_HEADER_READ_TIMEOUT",
        10,
        "seconds",
        "a connection that has not sent a whole request head within this time is closed"
    );
    limit!(
        BODY_READ_TIMEOUT,
        "body-read-timeout",
        "KOMMO_MCP_BODY_READ_TIMEOUT",
        30,
        "seconds",
        "a request body not received in full within this time is answered 408"
    );
    // Below the usual 1,024 open-files limit, leaving room for Kommo connections and files.
    limit!(
        MAX_CONNECTIONS,
        "max-connections",
        "KOMMO_MCP_MAX_CONNECTIONS",
        512,
        "connections",
        "open client connections; one more is answered 503 and closed"
    );

    // --- Each caller's share (issue 24): one caller (a client key, an OAuth subject and
    // client, the shared token, or everyone when there is no auth) cannot take every slot.
    // A quarter of --max-sessions and of --max-connections leaves room for three others.
    limit!(
        MAX_SESSIONS_PER_CALLER,
        "max-sessions-per-caller",
        "KOMMO_MCP_MAX_SESSIONS_PER_CALLER",
        250,
        "sessions",
        "open sessions of one caller (streamable HTTP and SSE together); 429 with Retry-After beyond it"
    );
    limit!(
        MAX_STREAMS_PER_CALLER,
        "max-streams-per-caller",
        "KOMMO_MCP_MAX_STREAMS_PER_CALLER",
        128,
        "streams",
        "open event streams of one caller (GET /sse and standalone GET /mcp); 429 with Retry-After beyond it"
    );
    limit!(
        MAX_CALLS_PER_CALLER,
        "max-calls-per-caller",
        "KOMMO_MCP_MAX_CALLS_PER_CALLER",
        64,
        "requests",
        "requests of one caller being answered at once on /mcp and /sse/message; 429 with Retry-After beyond it"
    );
    // --- end of each caller's share

    /// Every limit, in the order the documentation lists them.
    pub const ALL: [LimitInfo; 11] = [
        MAX_BODY_BYTES,
        MAX_JSON_DEPTH,
        MAX_JSON_VALUES,
        MAX_SESSIONS,
        SESSION_IDLE_TIMEOUT,
        HEADER_READ_TIMEOUT,
        BODY_READ_TIMEOUT,
        MAX_CONNECTIONS,
        MAX_SESSIONS_PER_CALLER,
        MAX_STREAMS_PER_CALLER,
        MAX_CALLS_PER_CALLER,
    ];
}

/// The limits as the command line gave them (flag or environment), by [`limits::ALL`] order.
#[derive(Clone, Debug, Default)]
pub struct RawHttpLimits(pub [Option<RawValue>; 11]);

/// The config file's `[http]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileHttpLimits {
    max_body_bytes: Option<u64>,
    max_json_depth: Option<u64>,
    max_json_values: Option<u64>,
    max_sessions: Option<u64>,
    session_idle_timeout: Option<f64>,
    header_read_timeout: Option<f64>,
    body_read_timeout: Option<f64>,
    max_connections: Option<u64>,
    max_sessions_per_caller: Option<u64>,
    max_streams_per_caller: Option<u64>,
    max_calls_per_caller: Option<u64>,
}

impl FileHttpLimits {
    fn values(&self) -> [Option<String>; 11] {
        let n = |v: Option<u64>| v.map(|v| v.to_string());
        let s = |v: Option<f64>| v.map(|v| v.to_string());
        [
            n(self.max_body_bytes),
            n(self.max_json_depth),
            n(self.max_json_values),
            n(self.max_sessions),
            s(self.session_idle_timeout),
            s(self.header_read_timeout),
            s(self.body_read_timeout),
            n(self.max_connections),
            n(self.max_sessions_per_caller),
            n(self.max_streams_per_caller),
            n(self.max_calls_per_caller),
        ]
    }
}

/// The resolved limits.
#[derive(Clone, Debug)]
pub struct HttpLimits {
    pub max_body_bytes: Sourced<usize>,
    pub max_json_depth: Sourced<usize>,
    pub max_json_values: Sourced<usize>,
    pub max_sessions: Sourced<usize>,
    pub session_idle_timeout: Sourced<Duration>,
    pub header_read_timeout: Sourced<Duration>,
    pub body_read_timeout: Sourced<Duration>,
    pub max_connections: Sourced<usize>,
    pub max_sessions_per_caller: Sourced<usize>,
    pub max_streams_per_caller: Sourced<usize>,
    pub max_calls_per_caller: Sourced<usize>,
}

impl Default for HttpLimits {
    fn default() -> Self {
        let count = |info: LimitInfo| Sourced::new(info.default as usize, Source::Default);
        let secs =
            |info: LimitInfo| Sourced::new(Duration::from_secs(info.default), Source::Default);
        Self {
            max_body_bytes: count(limits::MAX_BODY_BYTES),
            max_json_depth: count(limits::MAX_JSON_DEPTH),
            max_json_values: count(limits::MAX_JSON_VALUES),
            max_sessions: count(limits::MAX_SESSIONS),
            session_idle_timeout: secs(limits::SESSION_IDLE_TIMEOUT),
            header_read_timeout: secs(limits::HEADER_READ_TIMEOUT),
            body_read_timeout: secs(limits::BODY_READ_TIMEOUT),
            max_connections: count(limits::MAX_CONNECTIONS),
            max_sessions_per_caller: count(limits::MAX_SESSIONS_PER_CALLER),
            max_streams_per_caller: count(limits::MAX_STREAMS_PER_CALLER),
            max_calls_per_caller: count(limits::MAX_CALLS_PER_CALLER),
        }
    }
}

impl HttpLimits {
    pub(super) fn resolve(
        raw: &RawHttpLimits,
        file: Option<&FileHttpLimits>,
        file_source: &Source,
    ) -> Result<Self, ConfigError> {
        let file = file.map(FileHttpLimits::values).unwrap_or_default();
        let get = |index: usize| -> Result<Sourced<f64>, ConfigError> {
            let info = limits::ALL[index];
            let parsed = pick(&raw.0[index], file[index].clone(), file_source, |text| {
                let value = text
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| format!("{text:?} is not a number of {}", info.unit))?;
                let whole = info.unit != "seconds";
                if !value.is_finite()
                    || value < 0.0
                    || (whole && value.fract() != 0.0)
                    || value > 1e12
                {
                    return Err(format!(
                        "{text:?} is not a {} number of {}",
                        if whole { "whole" } else { "non-negative" },
                        info.unit
                    ));
                }
                Ok(value)
            })
            .map_err(|e| e.named(info.key))?;
            let value = parsed.unwrap_or(Sourced::new(info.default as f64, Source::Default));
            if value.value == 0.0 {
                return Err(invalid(
                    info.key,
                    &value.source,
                    format!("{} must be at least 1", info.flag),
                ));
            }
            Ok(value)
        };
        let count = |index: usize| get(index).map(|v| Sourced::new(v.value as usize, v.source));
        let secs = |index: usize| {
            get(index).and_then(|v| {
                if v.value > 86_400.0 {
                    return Err(invalid(
                        limits::ALL[index].key,
                        &v.source,
                        "must be at most 86400 seconds",
                    ));
                }
                Ok(Sourced::new(Duration::from_secs_f64(v.value), v.source))
            })
        };
        Ok(Self {
            max_body_bytes: count(0)?,
            max_json_depth: count(1)?,
            max_json_values: count(2)?,
            max_sessions: count(3)?,
            session_idle_timeout: secs(4)?,
            header_read_timeout: secs(5)?,
            body_read_timeout: secs(6)?,
            max_connections: count(7)?,
            max_sessions_per_caller: count(8)?,
            max_streams_per_caller: count(9)?,
            max_calls_per_caller: count(10)?,
        })
    }
}
